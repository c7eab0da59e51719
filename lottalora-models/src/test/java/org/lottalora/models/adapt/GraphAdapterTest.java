package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.util.NdArrays;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.TrustPolicy;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Wrapping graphs built in code: what trains, what stays, merge, save and reload, and the refusals. */
class GraphAdapterTest {
  static Dataset train;
  static Dataset test;

  @BeforeAll
  static void data() {
    Dataset[] parts = Datasets.digits().split(0.8, 7, "a", "b");
    Normalization n = Normalization.fit(parts[0]);
    train = parts[0].normalized(n);
    test = parts[1].normalized(n);
  }

  /** A 64-32-10 MLP the SameDiff way: x.mmul(W) with W stored [d_in, d_out]; w2 stored [d_out, d_in]. */
  static SameDiff mlp() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 64);
    Backbone bb = Backbone.regenerate(3, List.of(TensorSpec.of("w1", new int[] {64, 32}, InitSpec.DEFAULT),
        TensorSpec.of("w2", new int[] {10, 32}, InitSpec.DEFAULT)));
    SDVariable w1 = sd.var("w1", NdArrays.of(bb.get("w1"), 64, 32));
    SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.FLOAT, 32));
    SDVariable h = sd.nn.relu(x.mmul(w1).add(b1), 0);
    SDVariable w2 = sd.var("w2", NdArrays.of(bb.get("w2"), 10, 32));
    SDVariable b2 = sd.var("b2", Nd4j.zeros(DataType.FLOAT, 10));
    sd.mmul(h, w2, false, true, false).add(b2).rename("logits");
    return sd;
  }

  static INDArray batch() {
    return Nd4j.create(test.head(16).features(), new long[] {16, 64}, 'c');
  }

  static double accuracy(AdaptedGraph g) {
    int[] c = g.classify(Nd4j.create(test.features(), new long[] {test.rows(), 64}, 'c'));
    int ok = 0;
    for (int i = 0; i < c.length; i++) {
      ok += c[i] == test.labels()[i] ? 1 : 0;
    }
    return ok / (double) c.length;
  }

  static Map<String, INDArray> constants(SameDiff sd) {
    Map<String, INDArray> out = new HashMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.CONSTANT && v.getArr() != null) {
        out.put(v.name(), v.getArr().dup());
      }
    }
    return out;
  }

  @Test
  void orientationAndSeededBaseFollowTheCanonicalLayout() {
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(11, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .classifier("logits", 10).apply();
    AdaptedTarget t1 = g.spec().targets().get(0);
    AdaptedTarget t2 = g.spec().targets().get(1);
    assertEquals("w1", t1.variable());
    assertTrue(t1.transposed(), "x.mmul(w1) stores [d_in, d_out]");
    assertEquals(32, t1.dOut());
    assertEquals(64, t1.dIn());
    assertFalse(t2.transposed(), "x W^T stores [d_out, d_in]");
    // the base is the generator's canonical [d_out, d_in] tensor, transposed into the graph's layout
    Backbone ref = Backbone.regenerate(11, List.of(TensorSpec.of("w1", new int[] {32, 64}, InitSpec.DEFAULT)));
    float[] graphW = NdArrays.read(g.sameDiff().getVariable("w1").getArr());
    assertArrayEquals(NdArrays.transpose(ref.get("w1"), 32, 64), graphW);
  }

  @Test
  void beforeTrainingTheWrappedGraphComputesItsBase() {
    SameDiff sd = mlp();
    INDArray x = batch();
    INDArray before = sd.output(Map.of("input", x), "logits").get("logits");
    for (boolean dora : new boolean[] {false, true}) {
      AdaptedGraph g = GraphAdapter.of(sd).adapter(AdapterConfig.defaults(4).withVariants(dora, false, false))
          .classifier("logits", 10).apply();
      INDArray after = g.output(x);
      assertTrue(before.equalsWithEps(after, 1e-5), "B = 0, beta = 1 (and DoRA's m = the row norms) start "
          + "from the base; dora=" + dora);
    }
    // the user's graph is untouched
    assertEquals(VariableType.VARIABLE, sd.getVariable("w1").getVariableType());
  }

  @Test
  void trainingChangesOnlyTheAdaptersAndNamedWeights() {
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(5, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(8))
        .trainable("b2").classifier("logits", 10).apply();
    Map<String, INDArray> frozen = constants(g.sameDiff());
    Map<String, float[]> start = g.trainedTensors();
    assertEquals(List.of("b2", "w1.beta", "w1.lora_A", "w1.lora_B", "w2.beta", "w2.lora_A", "w2.lora_B"),
        start.keySet().stream().sorted().toList());
    g.fit(new DatasetIterator(train, 32, 1), 20, AdaptedGraph.FitOptions.defaults().withLearningRate(2e-2));
    for (Map.Entry<String, INDArray> e : frozen.entrySet()) {
      assertEquals(e.getValue(), g.sameDiff().getVariable(e.getKey()).getArr(), e.getKey() + " must stay frozen");
    }
    Map<String, float[]> end = g.trainedTensors();
    for (String name : start.keySet()) {
      assertFalse(java.util.Arrays.equals(start.get(name), end.get(name)), name + " must train");
    }
    double acc = accuracy(g);
    assertTrue(acc > 0.85, "rank-8 adapters over a random 64-32-10 scaffold learn digits: " + acc);
  }

  @Test
  void savedSeedArtifactReloadsAndMergedExportPredictsTheSame(@TempDir Path dir) throws Exception {
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(9, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .trainable("b1").classifier("logits", 10).apply();
    g.fit(new DatasetIterator(train, 32, 2), 2, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    INDArray x = batch();
    INDArray want = g.output(x);
    Path file = dir.resolve("m.lotta");
    g.save(file);
    AdaptedGraph back = GraphArtifacts.load(file, TrustPolicy.NONE);
    assertEquals(want, back.output(x), "reloaded from seed + adapters: the same outputs");
    Path exported = dir.resolve("merged.sdz");
    back.exportMerged(exported);
    SameDiff plain = SameDiff.load(exported.toFile(), false);
    INDArray merged = plain.output(Map.of("input", x), "logits").get("logits");
    assertTrue(want.equalsWithEps(merged, 1e-4), "the merged export predicts as the adapted graph");
    for (SDVariable v : plain.variables()) {
      assertFalse(v.name().contains("lora"), "no adapter left in the export: " + v.name());
    }
  }

  @Test
  void pretrainedArtifactNeedsTheSameBase(@TempDir Path dir) {
    SameDiff base = mlp();
    AdaptedGraph g = GraphAdapter.of(base).adapter(AdapterConfig.defaults(4)).classifier("logits", 10).apply();
    g.fit(new DatasetIterator(train, 32, 2), 1, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    Path file = dir.resolve("p.lotta");
    g.save(file);
    INDArray x = batch();
    assertEquals(g.output(x), GraphArtifacts.load(file, TrustPolicy.NONE, base).output(x));
    ArtifactException none = assertThrows(ArtifactException.class,
        () -> GraphArtifacts.load(file, TrustPolicy.NONE));
    assertTrue(none.getMessage().contains("pass the base model"), none.getMessage());
    SameDiff other = mlp();
    other.getVariable("w2").getArr().putScalar(0, 0.5f);
    ArtifactException bad = assertThrows(ArtifactException.class,
        () -> GraphArtifacts.load(file, TrustPolicy.NONE, other));
    assertTrue(bad.getMessage().contains("base weight 'w2' does not match"), bad.getMessage());
  }

  @Test
  void badTargetsAreRefusedNamingTheVariable() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).targets(TargetRule.parse("fc*")).classifier("logits", 10).apply());
    assertTrue(none.getMessage().contains("matched no weight") && none.getMessage().contains("w1 [64, 32]"),
        none.getMessage());
    IllegalArgumentException vec = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).targets(TargetRule.names("b1")).classifier("logits", 10).apply());
    assertTrue(vec.getMessage().contains("'b1' has shape [32], not a 2-D weight"), vec.getMessage());
    IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).targets(TargetRule.names("input")).classifier("logits", 10).apply());
    assertTrue(input.getMessage().contains("placeholder"), input.getMessage());
  }

  @Test
  void weightDecayReachesTheMatricesButNeverBetasOrBiases() {
    // wd 20 at lr 1e-2 shrinks a decayed tensor by 0.8 a step: 2-D tensors (lora_A, a weight trained in full) do,
    // the betas and the bias b2 (vectors and scalars) move by their gradients alone
    Map<String, float[]> plain = fitted(0);
    Map<String, float[]> decayed = fitted(20);
    assertTrue(norm(decayed.get("w2.lora_A")) < 0.5 * norm(plain.get("w2.lora_A")));
    assertTrue(norm(decayed.get("w1")) < 0.5 * norm(plain.get("w1")));
    assertTrue(decayed.get("w2.beta")[0] > 0.5, "the beta stays near 1: " + decayed.get("w2.beta")[0]);
    assertTrue(norm(decayed.get("b2")) > 0.5 * norm(plain.get("b2")), "the bias is not decayed");
  }

  private static Map<String, float[]> fitted(double wd) {
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(5, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .targets(TargetRule.names("w2")).trainable("w1", "b2").classifier("logits", 10).apply();
    g.fit(new DatasetIterator(train, 32, 1), 1, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2)
        .withSchedule(wd, 0, false));
    return g.trainedTensors();
  }

  private static double norm(float[] v) {
    double ss = 0;
    for (float f : v) {
      ss += f * f;
    }
    return Math.sqrt(ss);
  }

  @Test
  void aRankAboveATargetsSizeIsCappedAndTheGraphTrainsAndReloads(@TempDir Path dir) throws Exception {
    // rank 16: w1 (64 -> 32) keeps 16, w2 (32 -> 10) takes min(16, 32, 10) = 10, as every family caps it
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(9, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(16))
        .classifier("logits", 10).apply();
    assertArrayEquals(new long[] {16, 64}, g.trainedShapes().get("w1.lora_A"));
    assertArrayEquals(new long[] {10, 32}, g.trainedShapes().get("w2.lora_A"));
    assertArrayEquals(new long[] {10, 10}, g.trainedShapes().get("w2.lora_B"));
    g.fit(new DatasetIterator(train, 32, 2), 1, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    INDArray x = batch();
    Path file = dir.resolve("capped.lotta");
    g.save(file);
    org.lottalora.format.proto.Artifact a = org.lottalora.format.ArtifactCodec.read(file);
    assertEquals(16, a.getAdapter().getRank(), "the configured rank");
    assertEquals(List.of(16, 10), a.getAdaptersList().stream().map(r -> r.getRank()).toList(), "per target");
    assertEquals(1.0 / 16, a.getAdapters(1).getAlpha() / a.getAdapters(1).getRank(), 1e-15, "s stays alpha / r");
    assertEquals(g.output(x), GraphArtifacts.load(file, TrustPolicy.NONE).output(x));
  }

  @Test
  void anEmbeddingTableIsRefusedBecauseGathersGradientIsWrong() {
    SameDiff sd = SameDiff.create();
    SDVariable ids = sd.placeHolder("input", DataType.INT, -1);
    SDVariable emb = sd.var("emb", Nd4j.ones(DataType.FLOAT, 20, 8));
    SDVariable w = sd.var("w", Nd4j.ones(DataType.FLOAT, 8, 4));
    sd.gather(emb, ids, 0).mmul(w).rename("logits");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(sd).targets(TargetRule.names("emb")).adapter(AdapterConfig.defaults(2))
            .classifier("logits", 4).apply());
    assertTrue(e.getMessage().contains("feeds gather op"), e.getMessage());
  }

  /** input [N,1,8,8] -> conv2d with an OIYX kernel (the ONNX layout) -> flatten -> dense target. */
  static SameDiff oiyxCnn() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 1, 8, 8);
    Backbone bb = Backbone.regenerate(4, List.of(TensorSpec.of("conv_w", new int[] {4, 1, 3, 3}, InitSpec.DEFAULT),
        TensorSpec.of("fc_w", new int[] {10, 256}, InitSpec.DEFAULT)));
    SDVariable k = sd.var("conv_w", NdArrays.of(bb.get("conv_w"), 4, 1, 3, 3));
    SDVariable c = sd.cnn.conv2d(x, k, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig
        .builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dataFormat("NCHW")
        .weightsFormat(org.nd4j.enums.WeightsFormat.OIYX).build());
    SDVariable h = sd.nn.relu(c, 0).reshape(-1, 256);
    sd.mmul(h, sd.var("fc_w", NdArrays.of(bb.get("fc_w"), 10, 256)), false, true, false).rename("logits");
    return sd;
  }

  @Test
  void anOiyxConvolutionIsFineBeforeTheTargetsButRefusedOnTheBackwardPath() {
    AdaptedGraph g = GraphAdapter.of(oiyxCnn()).adapter(AdapterConfig.defaults(4)).classifier("logits", 10).apply();
    assertEquals(List.of("fc_w"), g.spec().targets().stream().map(AdaptedTarget::variable).toList());
    INDArray before = NdArrays.of(NdArrays.read(g.sameDiff().getVariable("conv_w").getArr()), 4, 1, 3, 3);
    g.fit(new DatasetIterator(train.head(256), 32, 1, 1, 8, 8), 1,
        AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    assertEquals(before, g.sameDiff().getVariable("conv_w").getArr(), "a frozen OIYX kernel before the targets "
        + "needs no conv2d_bp and trains");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(oiyxCnn()).adapter(AdapterConfig.defaults(4)).trainable("conv_w")
            .classifier("logits", 10).apply());
    assertTrue(e.getMessage().contains("conv2d op") && e.getMessage().contains("OIYX")
        && e.getMessage().contains("'conv_w'"), e.getMessage());
  }

  @Test
  void aCheckpointIsWrittenEveryEpochAndTrainingResumesFromIt(@TempDir Path dir) throws Exception {
    Path ckpt = dir.resolve("ckpt.lotta");
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(2, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .classifier("logits", 10).apply();
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    g.fit(new DatasetIterator(train, 64, 1), 2, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2)
        .withCheckpoint(ckpt).withProgress(new org.lottalora.core.train.Progress(
            new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), false)));
    String out = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(out.contains("epoch 1/2") && out.contains("epoch 2/2") && out.contains("saved " + ckpt)
        && out.contains("samples/s"), out);
    AdaptedGraph resumed = GraphArtifacts.load(ckpt, TrustPolicy.NONE);
    INDArray x = batch();
    assertEquals(g.output(x), resumed.output(x), "the checkpoint holds the state after the last epoch");
    double before = accuracy(resumed);
    resumed.fit(new DatasetIterator(train, 64, 5), 4, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    assertTrue(accuracy(resumed) > before, "training goes on from the checkpoint");
  }

  @Test
  void aGraphWithItsOwnLossVariableGetsTheHeadAndTheExportIsTheUsersGraph(@TempDir Path dir) throws Exception {
    SameDiff sd = mlp();
    // a user graph that already names variables "labels" and "loss" (e.g. an earlier export)
    SDVariable lab = sd.placeHolder("labels", DataType.FLOAT, -1, 10);
    sd.loss.softmaxCrossEntropy("loss", lab, sd.getVariable("logits"), null);
    AdaptedGraph g = GraphAdapter.of(sd).seeded(1, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .classifier("logits", 10).apply();
    assertEquals(List.of("input", "labels"), g.spec().inputs(), "the graph's own placeholders stay inputs");
    SameDiff merged = g.merged();
    assertFalse(merged.hasVariable(GraphAdapter.LOSS), "the export carries no training head");
    assertEquals(List.of("logits"), merged.outputs());
    Path file = dir.resolve("m.lotta");
    g.save(file);
    INDArray x = batch();
    Map<String, INDArray> in = Map.of("input", x, "labels", Nd4j.zeros(DataType.FLOAT, 16, 10));
    assertEquals(g.output(in), GraphArtifacts.load(file, TrustPolicy.NONE).output(in));
  }

  @Test
  void outputWidthMustMatchTheClassesAndEveryListedTargetMustMatch() {
    IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).classifier("logits", 3).apply());
    assertTrue(classes.getMessage().contains("output 'logits' has 10 values per example but the data has 3 classes"),
        classes.getMessage());
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).targets(TargetRule.parse("w1,w3")).classifier("logits", 10).apply());
    assertTrue(typo.getMessage().contains("part 'w3' matched no weight"), typo.getMessage());
    IllegalArgumentException trainable = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(mlp()).trainable("nothing*").classifier("logits", 10).apply());
    assertTrue(trainable.getMessage().startsWith("trainable 'nothing*' matched no weight"), trainable.getMessage());
  }

  @Test
  void aTamperedAdapterTensorIsRefusedInOneLine(@TempDir Path dir) {
    AdaptedGraph g = GraphAdapter.of(mlp()).seeded(1, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .classifier("logits", 10).apply();
    org.lottalora.format.proto.Artifact a = GraphArtifacts.toArtifact(g,
        org.lottalora.format.proto.Metrics.newBuilder());
    org.lottalora.format.proto.Artifact.Builder b = a.toBuilder();
    for (int i = 0; i < b.getTensorsCount(); i++) {
      if (b.getTensors(i).getName().equals("w1.lora_A")) { // rank 2 instead of 4, data consistent with its shape
        b.setTensors(i, org.lottalora.format.TensorCodec.encode("w1.lora_A", new long[] {2, 64},
            org.lottalora.format.proto.TensorRole.LORA_A, new float[128], org.lottalora.format.proto.DType.FLOAT32));
      }
    }
    Path file = dir.resolve("bad.lotta");
    org.lottalora.format.ArtifactCodec.write(b.build(), file);
    ArtifactException e = assertThrows(ArtifactException.class, () -> GraphArtifacts.load(file, TrustPolicy.NONE));
    assertTrue(e.getMessage().contains("tensor 'w1.lora_A' has shape [2, 64]; rank 4 on target 'w1' needs [4, 64]"),
        e.getMessage());
  }
}
