package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;

/** Training, saving, loading and predicting through the public Java API. */
class LottaModelTest {
  @TempDir
  static Path dir;
  static DataSplits digits;
  static LottaModel trained;
  static TrainReport report;
  static Path saved;
  static final TrainConfig QUICK = new TrainConfig(10, 64, 1e-2, 1e-2, 1, true, 0, 3);

  static ModelSpec spec(int rank, boolean full) {
    return new ModelSpec("mlp", 64, 10, new int[] {48, 32}, 0.1, 5, InitSpec.DEFAULT,
        new AdapterConfig(rank, 1.0, false, true, 0.0, false, 2), full);
  }

  @BeforeAll
  static void train() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
    trained = LottaModel.create(spec(4, false));
    report = trained.train(digits, QUICK, Progress.silent());
    saved = dir.resolve("digits.lotta");
    trained.save(saved, "digits", QUICK, 0, report, 1);
  }

  @Test
  void adaptersLearnTheTask() {
    assertNull(report.failure());
    assertTrue(report.testAccuracy() > 0.85, "test accuracy " + report.testAccuracy());
    assertEquals(10, report.epochs().size());
    assertEquals(2, report.betas().size());
    // trainable = per adapted layer r (d_in + d_out) + beta, plus the head
    long expected = 4 * (64 + 48) + 1 + 4 * (48 + 32) + 1 + 32 * 10 + 10;
    assertEquals(expected, report.trainableParams());
    assertEquals(64 * 48 + 48 + 48 * 32 + 32 + 32 * 10 + 10, report.modelParams());
  }

  @Test
  void reloadedModelPredictsExactlyTheSame() {
    LottaModel loaded = LottaModel.load(saved);
    assertEquals(trained.spec(), loaded.spec());
    assertArrayEquals(trained.classify(digits.test()), loaded.classify(digits.test()));
    float[] raw = java.util.Arrays.copyOf(digits.test().features(), 64);
    assertArrayEquals(trained.predict(raw), loaded.predict(raw), 0f);
    assertEquals(report.testAccuracy(), loaded.accuracy(digits.test()), 0.0);
    Map<String, float[]> a = trained.graph().trainedValues();
    Map<String, float[]> b = loaded.graph().trainedValues();
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), 0f, k));
  }

  @Test
  void predictionIsSafeFromManyThreads() throws Exception {
    LottaModel loaded = LottaModel.load(saved);
    int[] expected = loaded.classify(digits.test());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<int[]>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(pool.submit(() -> loaded.classify(digits.test())));
      }
      for (java.util.concurrent.Future<int[]> f : fs) {
        assertArrayEquals(expected, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void sameSeedsGiveTheSameModelBitForBit() {
    LottaModel again = LottaModel.create(spec(4, false));
    TrainReport r = again.train(digits, QUICK, Progress.silent());
    assertEquals(report.testAccuracy(), r.testAccuracy(), 0.0);
    Map<String, float[]> a = trained.graph().trainedValues();
    again.graph().trainedValues().forEach((k, v) -> assertArrayEquals(a.get(k), v, 0f, k));
  }

  @Test
  void fullTrainingTrainsEveryWeight() {
    LottaModel full = LottaModel.create(spec(4, true));
    TrainReport r = full.train(digits, QUICK, Progress.silent());
    assertEquals(r.modelParams(), r.trainableParams());
    assertTrue(r.betas().isEmpty());
    assertTrue(r.testAccuracy() > 0.85, "full " + r.testAccuracy());
  }

  @Test
  void aDivergingRunStopsWithAReason() {
    LottaModel m = LottaModel.create(spec(4, false));
    TrainReport r = m.train(digits, new TrainConfig(3, 64, 1e30, 0, 0, false, 0, 0), Progress.silent());
    assertNotNull(r.failure(), "lr 1e30 must overflow");
    assertTrue(r.failure().contains("loss became") && r.failure().contains("--lr"), r.failure());
  }

  @Test
  void aStopRequestEndsTheRunAtTheNextStep() {
    LottaModel m = LottaModel.create(spec(4, false));
    org.lottalora.core.train.Trainer t = new org.lottalora.core.train.Trainer(QUICK, Progress.silent());
    t.requestStop();
    TrainReport r = m.train(digits, t);
    assertEquals("interrupted at epoch 1 step 0", r.failure());
    assertEquals(0, r.bestEpoch());
  }

  @Test
  void rankAboveTheLayerSizeIsCappedPerLayerAndTheModelTrainsAndReloads() throws Exception {
    // 64 -> 48 -> 32 -> 10 at rank 40: the first layer keeps 40, the second takes min(40, 48, 32) = 32
    LottaModel m = LottaModel.create(spec(40, false));
    Map<String, long[]> shapes = new java.util.HashMap<>();
    m.graph().trained().forEach(t -> shapes.put(t.name(), t.shape()));
    assertArrayEquals(new long[] {40, 64}, shapes.get("layers.0.lora_A"));
    assertArrayEquals(new long[] {32, 48}, shapes.get("layers.1.lora_A"));
    assertArrayEquals(new long[] {32, 32}, shapes.get("layers.1.lora_B"));
    TrainConfig two = new TrainConfig(2, 64, 1e-2, 1e-2, 0, true, 0, 0);
    TrainReport r = m.train(digits, two, Progress.silent());
    assertNull(r.failure());
    Path p = dir.resolve("capped.lotta");
    m.save(p, "digits", two, 0, r, 1);
    Artifact a = ArtifactCodec.read(p);
    assertEquals(40, a.getAdapter().getRank(), "the configured rank");
    // the per-layer records state each layer's own rank, with the alpha that keeps alpha / r of the config
    assertEquals(40, a.getAdapters(0).getRank());
    assertEquals(1.0, a.getAdapters(0).getAlpha(), 0.0);
    assertEquals(32, a.getAdapters(1).getRank());
    assertEquals(1.0 / 40, a.getAdapters(1).getAlpha() / a.getAdapters(1).getRank(), 1e-15);
    LottaModel loaded = LottaModel.load(p);
    assertArrayEquals(m.classify(digits.test()), loaded.classify(digits.test()));
    // PEFT's form states the capped layer's own rank and the alpha that keeps alpha / r (its rank_pattern)
    Path peft = dir.resolve("capped-peft");
    Export.peft(loaded, "0".repeat(64), peft);
    String config = java.nio.file.Files.readString(peft.resolve("adapter_config.json"));
    assertTrue(config.contains("\"r\": 40,"), config);
    assertTrue(config.contains("\"rank_pattern\": {\"layers.1\": 32}"), config);
    assertTrue(config.contains("\"alpha_pattern\": {\"layers.1\": 0.8}"), config);
  }

  @Test
  void sameDiffsFitDecaysTheAdapterFactorsButNotTheBetasOrNorms() {
    // a residual MLP trains through SameDiff's fit (the dense engine has no variants): decay reaches lora_A / B
    // through the DecayListener, and never the betas or the LayerNorm gains
    ModelSpec s = new ModelSpec("mlp", 64, 10, new int[] {32}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(4).withVariants(false, true, true), false);
    Map<String, float[]> plain = trainedOneEpoch(s, 0);
    Map<String, float[]> decayed = trainedOneEpoch(s, 20);
    assertTrue(norm(decayed.get("layers.0.lora_A")) < 0.5 * norm(plain.get("layers.0.lora_A")),
        norm(decayed.get("layers.0.lora_A")) + " vs " + norm(plain.get("layers.0.lora_A")));
    assertTrue(norm(decayed.get("head.weight")) < 0.5 * norm(plain.get("head.weight")));
    // undecayed tensors still move by their gradients alone: no lr * wd shrinkage towards 0 (20 x 0.01 per step)
    assertTrue(Math.abs(decayed.get("layers.0.beta")[0]) > 0.5, "beta " + decayed.get("layers.0.beta")[0]);
    assertTrue(norm(decayed.get("layers.0.ln.gain")) > 0.5 * norm(plain.get("layers.0.ln.gain")));
  }

  private static Map<String, float[]> trainedOneEpoch(ModelSpec s, double wd) {
    LottaModel m = LottaModel.create(s);
    TrainReport r = m.train(digits, new TrainConfig(1, 64, 1e-2, wd, 0, false, 0, 0), Progress.silent());
    assertNull(r.failure());
    return m.graph().trainedValues();
  }

  private static double norm(float[] v) {
    double ss = 0;
    for (float f : v) {
      ss += f * f;
    }
    return Math.sqrt(ss);
  }

  @Test
  void tamperedArtifactsAreRefused() throws Exception {
    Artifact a = ArtifactCodec.read(saved);
    Path p = dir.resolve("bad.lotta");
    ArtifactCodec.write(a.toBuilder().setBackbone(a.getBackbone().toBuilder().setGenerator("mt19937/v1")).build(), p);
    assertEquals(Reason.UNKNOWN_GENERATOR, assertThrows(ArtifactException.class, () -> LottaModel.load(p)).reason());
    ArtifactCodec.write(a.toBuilder().setBackbone(a.getBackbone().toBuilder().setSeed(6)).build(), p);
    ArtifactException e = assertThrows(ArtifactException.class, () -> LottaModel.load(p));
    assertEquals(Reason.FINGERPRINT_MISMATCH, e.reason(), e.getMessage());
    ArtifactCodec.write(a.toBuilder().removeTensors(0).build(), p);
    assertEquals(Reason.MISSING_TENSOR, assertThrows(ArtifactException.class, () -> LottaModel.load(p)).reason());
    ArtifactCodec.write(a.toBuilder().setModel(a.getModel().toBuilder().setFamily("resnet")).build(), p);
    assertEquals(Reason.UNKNOWN_FAMILY, assertThrows(ArtifactException.class, () -> LottaModel.load(p)).reason());
  }

  @Test
  void wrongFeatureCountIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> trained.predict(new float[10]));
    assertTrue(e.getMessage().contains("expects 64"), e.getMessage());
  }
}
