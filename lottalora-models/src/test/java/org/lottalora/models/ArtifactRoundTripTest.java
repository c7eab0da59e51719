package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactInfo;
import org.lottalora.format.Safetensors;
import org.lottalora.format.Signing;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/**
 * Write, read, identical predictions for every family and mode; the merged path against the unmerged one;
 * many threads at once; lossy storage dtypes; exports that other tools read.
 */
class ArtifactRoundTripTest {
  @TempDir
  static Path dir;
  static DataSplits digits;
  static final TrainConfig QUICK = new TrainConfig(3, 64, 1e-2, 1e-2, 0, true, 0, 3);

  @BeforeAll
  static void data() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("linear", new int[] {32}, new AdapterConfig(2, 1.0, false, true, 0, false, 1), false),
        Arguments.of("mlp", new int[] {48, 24}, new AdapterConfig(4, 2.0, true, true, 0.1, true, 9), false),
        Arguments.of("mlp", new int[] {40}, new AdapterConfig(3, 1.0, false, false, 0, false, 2), false),
        Arguments.of("mlp", new int[] {40, 20}, AdapterConfig.defaults(1), true));
  }

  static LottaModel trained(String family, int[] widths, AdapterConfig ac, boolean full, InitSpec init) {
    LottaModel m = LottaModel.create(new ModelSpec(family, 64, 10, widths, 0.0, 3, init, ac, full));
    m.train(digits, QUICK, Progress.silent());
    return m;
  }

  @ParameterizedTest
  @MethodSource("variants")
  void everyFamilyAndModeRoundTripsExactly(String family, int[] widths, AdapterConfig ac, boolean full) {
    LottaModel m = trained(family, widths, ac, full, InitSpec.parse("orthogonal"));
    Path p = dir.resolve(family + widths.length + full + ".lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), LottaModel.SaveOptions.defaults());
    LottaModel back = LottaModel.load(p);
    assertEquals(m.spec(), back.spec());
    float[][] rows = rows(50);
    float[][] a = m.predict(rows);
    float[][] b = back.predict(rows);
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(a[i], b[i], 0f, "row " + i);
    }
    Artifact art = back.artifact();
    assertEquals(full ? 0 : widths.length, art.getAdaptersCount());
    assertTrue(back.verifyFullHash());
    assertEquals(digits.train().rows(), art.getTraining().getDatasetRows());
    assertEquals(32, art.getTraining().getDatasetSha256().size());
  }

  @Test
  void theMergedPathMatchesTheUnmergedOneWithinRounding() {
    LottaModel m = trained("mlp", new int[] {64, 32}, AdapterConfig.defaults(8), false, InitSpec.DEFAULT);
    float[][] rows = rows(digits.test().rows());
    float[][] a = m.predict(rows);
    float[][] b = m.merged().predict(rows);
    double max = 0;
    for (int i = 0; i < rows.length; i++) {
      for (int c = 0; c < 10; c++) {
        max = Math.max(max, Math.abs(a[i][c] - b[i][c]));
      }
    }
    assertTrue(max < 1e-5, "max probability difference " + max);
    assertArrayEquals(m.classify(digits.test()), m.merged().classify(digits.test()));
    assertEquals(m.accuracy(digits.test()), m.merged().accuracy(digits.test()), 0.0);
  }

  @Test
  void bothPathsGiveTheSameAnswersFromManyThreadsAtOnce() throws Exception {
    LottaModel m = trained("mlp", new int[] {48}, AdapterConfig.defaults(4), false, InitSpec.DEFAULT);
    MergedModel merged = m.merged();
    float[][] rows = rows(200);
    // one row at a time, as the threads call it: a batch of 200 takes another BLAS path and rounds differently
    float[][] expected = new float[rows.length][];
    float[][] expectedMerged = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      expected[i] = m.predict(rows[i]);
      expectedMerged[i] = merged.predict(rows[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        final int start = t % 7;
        fs.add(pool.submit(() -> {
          for (int i = start; i < rows.length; i += 7) {
            if (!java.util.Arrays.equals(expected[i], m.predict(rows[i]))
                || !java.util.Arrays.equals(expectedMerged[i], merged.predict(rows[i]))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : fs) {
        assertTrue(f.get(), "a concurrent prediction differed from the single-threaded one");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void narrowDtypesShrinkTheFileAndBarelyMoveTheModel() {
    LottaModel m = trained("mlp", new int[] {64, 32}, AdapterConfig.defaults(8), false, InitSpec.DEFAULT);
    double acc = m.accuracy(digits.test());
    long fp32 = 0;
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT8}) {
      Path p = dir.resolve("narrow-" + d + ".lotta");
      m.save(p, m.provenance("digits", QUICK, 0, null, 1), new LottaModel.SaveOptions(d, null, true));
      long size = p.toFile().length();
      if (d == DType.FLOAT32) {
        fp32 = size;
      } else {
        assertTrue(size < fp32 * 0.6, d + ": " + size + " vs fp32 " + fp32);
      }
      LottaModel back = LottaModel.load(p);
      assertEquals(acc, back.accuracy(digits.test()), 0.02, d.name());
      assertEquals(d == DType.FLOAT32 ? 0 : 1, back.artifact().getHistoryCount());
    }
  }

  @Test
  void signedArtifactsLoadOnlyWithTheirKey() {
    LottaModel m = trained("mlp", new int[] {32}, AdapterConfig.defaults(2), false, InitSpec.DEFAULT);
    var keys = Signing.generate();
    Path p = dir.resolve("signed.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), new LottaModel.SaveOptions(DType.FLOAT32,
        keys.getPrivate(), true));
    LottaModel back = LottaModel.load(p, keys.getPublic());
    assertArrayEquals(m.predict(rows(1)[0]), back.predict(rows(1)[0]), 0f);
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.lottalora.format.ArtifactException.class,
        () -> LottaModel.load(p, Signing.generate().getPublic()));
    assertEquals(org.lottalora.format.ArtifactException.Reason.WRONG_KEY, e.reason());
  }

  @Test
  void everyLoaderRefusesStrippedAndForeignSignaturesUnderAPolicy() throws Exception {
    LottaModel m = trained("mlp", new int[] {32}, AdapterConfig.defaults(2), false, InitSpec.DEFAULT);
    var ours = Signing.generate();
    var theirs = Signing.generate();
    Path p = dir.resolve("trusted.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), new LottaModel.SaveOptions(DType.FLOAT32,
        ours.getPrivate(), true));
    byte[] signed = java.nio.file.Files.readAllBytes(p);
    Path stripped = java.nio.file.Files.write(dir.resolve("stripped.lotta"), Signing.strip(signed));
    Path foreign = java.nio.file.Files.write(dir.resolve("foreign.lotta"),
        Signing.sign(Signing.strip(signed), theirs.getPrivate()));
    TrustPolicy policy = TrustPolicy.of(ours.getPublic());
    assertArrayEquals(m.predict(rows(1)[0]), LottaModel.load(p, policy).predict(rows(1)[0]), 0f);
    assertArrayEquals(m.predict(rows(1)[0]), LottaModel.load(stripped).predict(rows(1)[0]), 0f,
        "without a policy a stripped file loads as before");
    List<java.util.function.Function<Path, Object>> loaders = List.of(f -> LottaModel.load(f, policy),
        f -> AnyModel.load(f, policy), f -> org.lottalora.models.conversion.AnnToSnn.load(f, policy),
        f -> org.lottalora.models.reservoir.ReservoirModel.load(f, policy),
        f -> org.lottalora.models.transformer.LmModel.load(f, policy));
    for (var load : loaders) {
      assertEquals(ArtifactException.Reason.UNSIGNED, assertThrows(ArtifactException.class,
          () -> load.apply(stripped)).reason());
      assertEquals(ArtifactException.Reason.WRONG_KEY, assertThrows(ArtifactException.class,
          () -> load.apply(foreign)).reason());
    }
  }

  @Test
  void theMergedExportHoldsTheMergedWeightsAndThePeftExportRebuildsThem() throws Exception {
    LottaModel m = trained("mlp", new int[] {48, 24}, AdapterConfig.defaults(4), false, InitSpec.DEFAULT);
    Path p = dir.resolve("export.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), LottaModel.SaveOptions.defaults());
    LottaModel back = LottaModel.load(p);
    Path st = dir.resolve("merged.safetensors");
    String digest = "ab".repeat(32);
    Export.merged(back, digest, st, DType.FLOAT32);
    Safetensors.Contents merged = Safetensors.read(st);
    assertEquals("3", merged.metadata().get("lottalora.seed"));
    assertEquals("philox4x64-10/v1", merged.metadata().get("lottalora.generator"));
    List<String> names = new ArrayList<>();
    ArtifactInfo.denseTensors(back.artifact()).forEach(t -> names.add(t.name()));
    assertEquals(names, List.copyOf(merged.tensors().keySet()));
    back.merged().state().forEach((k, v) -> assertArrayEquals(v, merged.tensors().get(k).values(), 0f, k));
    assertEquals(st.toFile().length(), ArtifactInfo.denseSafetensorsBytes(back.artifact(), DType.FLOAT32),
        "inspect's size estimate is the real size");

    Path base = dir.resolve("base.safetensors");
    Export.base(back, digest, base, DType.FLOAT32);
    Path peftDir = dir.resolve("peft");
    Map<String, Float> betas = Export.peft(back, digest, peftDir);
    assertEquals(2, betas.size());
    Safetensors.Contents b = Safetensors.read(base);
    Safetensors.Contents ad = Safetensors.read(peftDir.resolve("adapter_model.safetensors"));
    String config = java.nio.file.Files.readString(peftDir.resolve("adapter_config.json"));
    assertTrue(config.contains("\"target_modules\": [\"layers.0\", \"layers.1\"]"), config);
    assertTrue(config.contains("\"modules_to_save\": [\"head\"]"), config);
    // beta * W + (alpha / r) B A, from the two files alone, equals the merged export
    for (String layer : List.of("layers.0", "layers.1")) {
      float[] w = b.tensors().get(layer + ".weight").values();
      Safetensors.Entry la = ad.tensors().get("base_model.model." + layer + ".lora_A.weight");
      Safetensors.Entry lb = ad.tensors().get("base_model.model." + layer + ".lora_B.weight");
      float beta = Float.parseFloat(ad.metadata().get("lottalora.beta." + layer));
      int r = (int) la.shape()[0];
      int dIn = (int) la.shape()[1];
      int dOut = (int) lb.shape()[0];
      float[] want = merged.tensors().get(layer + ".weight").values();
      for (int o = 0; o < dOut; o++) {
        for (int i = 0; i < dIn; i++) {
          float s = 0;
          for (int k = 0; k < r; k++) {
            s += lb.values()[o * r + k] * la.values()[k * dIn + i];
          }
          float got = beta * w[o * dIn + i] + (1f / r) * s;
          assertEquals(want[o * dIn + i], got, 1e-6f, layer + " [" + o + "," + i + "]");
        }
      }
    }
    assertArrayEquals(merged.tensors().get("head.weight").values(),
        ad.tensors().get("base_model.model.head.weight").values(), 0f);
  }

  static float[][] rows(int n) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(digits.test().features(), i * 64, (i + 1) * 64);
    }
    return out;
  }
}
