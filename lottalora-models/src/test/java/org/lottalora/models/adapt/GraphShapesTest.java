package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
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
import org.lottalora.core.util.NdArrays;
import org.lottalora.format.TrustPolicy;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wrapping the other two shapes of graph issue 21 names, built in code on digits: a small CNN (conv kernel
 * frozen or trained in full, the dense layers adapted) and a small self-attention block (the q/k/v/o
 * projections adapted, the head trained in full, LoRA and DoRA).
 */
class GraphShapesTest {
  static Dataset train;
  static Dataset test;

  @BeforeAll
  static void data() {
    GraphAdapterTest.data(); // the same normalized digits split
    train = GraphAdapterTest.train;
    test = GraphAdapterTest.test;
  }

  // ---------------------------------------------------------------- the graphs

  /**
   * conv 3x3 (8 channels, same padding, SameDiff's default YXIO kernel [kH, kW, in, out]) + ReLU + 2x2 max pool,
   * flattened to 128, then 128-32-10 dense layers as x.mmul(W) (W stored [d_in, d_out]).
   */
  static SameDiff cnn() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 1, 8, 8);
    Backbone bb = Backbone.regenerate(13, List.of(TensorSpec.of("conv_w", new int[] {8, 1, 3, 3}, InitSpec.DEFAULT),
        TensorSpec.of("fc1", new int[] {32, 128}, InitSpec.DEFAULT),
        TensorSpec.of("fc2", new int[] {10, 32}, InitSpec.DEFAULT)));
    // the values are i.i.d., so the canonical [out, in, kh, kw] draw is laid out directly as [kh, kw, in, out]
    SDVariable k = sd.var("conv_w", NdArrays.of(bb.get("conv_w"), 3, 3, 1, 8));
    SDVariable kb = sd.var("conv_b", Nd4j.zeros(DataType.FLOAT, 8));
    Conv2DConfig cc = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).paddingMode(PaddingMode.SAME)
        .dataFormat(Conv2DConfig.NCHW).build();
    SDVariable c = sd.nn.relu(sd.cnn.conv2d(x, k, kb, cc), 0);
    SDVariable p = sd.cnn.maxPooling2d(c, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).build());
    SDVariable flat = p.reshape(-1, 128);
    SDVariable w1 = sd.var("fc1", NdArrays.ofTransposed(bb.get("fc1"), 32, 128));
    SDVariable b1 = sd.var("fc1_b", Nd4j.zeros(DataType.FLOAT, 32));
    SDVariable h = sd.nn.relu(flat.mmul(w1).add(b1), 0);
    SDVariable w2 = sd.var("fc2", NdArrays.ofTransposed(bb.get("fc2"), 10, 32));
    SDVariable b2 = sd.var("fc2_b", Nd4j.zeros(DataType.FLOAT, 10));
    h.mmul(w2).add(b2).rename("logits");
    return sd;
  }

  static final int T = 8;
  static final int D = 8;
  static final int M = 16;

  /**
   * One self-attention block over [N, T=8 rows, D=8 pixels]: an input projection to M=16 plus a positional
   * table, q/k/v projections (x [N*T, M] times W [M, M], reshaped back to [N, T, M]: libnd4j's matmul takes
   * equal ranks only), scores q k^T / sqrt(M) as a batched matmul, softmax over the keys, times v, the output
   * projection, a residual + ReLU, the mean over T, and a 16-10 classifier head.
   */
  static SameDiff attention() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, T, D);
    Backbone bb = Backbone.regenerate(17, List.of(TensorSpec.of("w_in", new int[] {M, D}, InitSpec.DEFAULT),
        TensorSpec.of("pos", new int[] {T, M}, InitSpec.DEFAULT),
        TensorSpec.of("w_q", new int[] {M, M}, InitSpec.DEFAULT),
        TensorSpec.of("w_k", new int[] {M, M}, InitSpec.DEFAULT),
        TensorSpec.of("w_v", new int[] {M, M}, InitSpec.DEFAULT),
        TensorSpec.of("w_o", new int[] {M, M}, InitSpec.DEFAULT),
        TensorSpec.of("w_head", new int[] {10, M}, InitSpec.DEFAULT)));
    SDVariable wIn = sd.var("w_in", NdArrays.ofTransposed(bb.get("w_in"), M, D));
    SDVariable pos = sd.var("pos", NdArrays.of(bb.get("pos"), T, M));
    SDVariable e = x.reshape(-1, D).mmul(wIn).reshape(-1, T, M).add(pos);
    SDVariable e2 = e.reshape(-1, M);
    SDVariable q = e2.mmul(sd.var("w_q", NdArrays.ofTransposed(bb.get("w_q"), M, M))).reshape(-1, T, M);
    SDVariable k = e2.mmul(sd.var("w_k", NdArrays.ofTransposed(bb.get("w_k"), M, M))).reshape(-1, T, M);
    SDVariable v = e2.mmul(sd.var("w_v", NdArrays.ofTransposed(bb.get("w_v"), M, M))).reshape(-1, T, M);
    SDVariable scores = sd.mmul(q, k, false, true, false).div(Math.sqrt(M));
    SDVariable att = sd.nn.softmax(scores, 2);
    SDVariable ctx = sd.mmul(att, v).reshape(-1, M);
    SDVariable o = ctx.mmul(sd.var("w_o", NdArrays.ofTransposed(bb.get("w_o"), M, M))).reshape(-1, T, M);
    SDVariable h = sd.nn.relu(e.add(o), 0).mean(1);
    SDVariable head = sd.var("w_head", NdArrays.ofTransposed(bb.get("w_head"), 10, M));
    SDVariable hb = sd.var("b_head", Nd4j.zeros(DataType.FLOAT, 10));
    h.mmul(head).add(hb).rename("logits");
    return sd;
  }

  // ---------------------------------------------------------------- helpers

  static INDArray features(Dataset d, int n, long... example) {
    long[] shape = new long[example.length + 1];
    shape[0] = n;
    System.arraycopy(example, 0, shape, 1, example.length);
    return Nd4j.create(Arrays.copyOf(d.features(), n * d.cols()), shape, 'c');
  }

  static INDArray oneHot(Dataset d) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, d.rows(), d.classes());
    for (int i = 0; i < d.rows(); i++) {
      y.putScalar(i, d.labels()[i], 1f);
    }
    return y;
  }

  static double accuracy(AdaptedGraph g, long... example) {
    int[] c = g.classify(features(test, test.rows(), example));
    int ok = 0;
    for (int i = 0; i < c.length; i++) {
      ok += c[i] == test.labels()[i] ? 1 : 0;
    }
    return ok / (double) c.length;
  }

  /** The graph's own loss on the whole test split. */
  static double testLoss(AdaptedGraph g, long... example) {
    Map<String, INDArray> in = Map.of("input", features(test, test.rows(), example), GraphAdapter.LABELS,
        oneHot(test));
    return g.sameDiff().output(in, GraphAdapter.LOSS).get(GraphAdapter.LOSS).getDouble(0);
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

  /** Every constant bit-identical, every trained tensor changed. */
  static void onlyTheTrainedChanged(AdaptedGraph g, Map<String, INDArray> frozen, Map<String, float[]> start) {
    for (Map.Entry<String, INDArray> e : frozen.entrySet()) {
      assertArrayEquals(NdArrays.read(e.getValue()), NdArrays.read(g.sameDiff().getVariable(e.getKey()).getArr()),
          e.getKey() + " must stay bit-identical");
    }
    Map<String, float[]> end = g.trainedTensors();
    assertEquals(start.keySet(), end.keySet());
    for (String name : start.keySet()) {
      assertFalse(Arrays.equals(start.get(name), end.get(name)), name + " must train");
    }
  }

  /** merged() predicts as the adapted graph; a save + load predicts identically. */
  static void mergedAndReloadedPredictTheSame(AdaptedGraph g, Path file, SameDiff base, long... example) {
    INDArray x = features(test, 32, example);
    INDArray want = g.output(x);
    INDArray merged = g.merged().output(Map.of("input", x), "logits").get("logits");
    assertTrue(want.equalsWithEps(merged, 1e-4), "merged() predicts as the adapted graph");
    g.save(file);
    AdaptedGraph back = base == null ? GraphArtifacts.load(file, TrustPolicy.NONE)
        : GraphArtifacts.load(file, TrustPolicy.NONE, base);
    assertArrayEquals(NdArrays.read(want), NdArrays.read(back.output(x)), "the reloaded graph predicts identically");
  }

  static final long[] IMAGE = {1, 8, 8};
  static final long[] ROWS = {T, D};

  // ---------------------------------------------------------------- CNN

  @Test
  void cnnWithAFrozenKernelTrainsOnlyTheDenseAdapters(@TempDir Path dir) {
    AdaptedGraph g = GraphAdapter.of(cnn()).targets(TargetRule.matmulWeights()).seeded(21, InitSpec.DEFAULT)
        .adapter(AdapterConfig.defaults(8)).trainable("fc2_b").classifier("logits", 10).apply();
    List<AdaptedTarget> ts = g.spec().targets();
    assertEquals(List.of("fc1", "fc2"), ts.stream().map(AdaptedTarget::variable).toList());
    assertTrue(ts.get(0).transposed() && ts.get(0).dOut() == 32 && ts.get(0).dIn() == 128, ts.get(0).toString());
    assertTrue(ts.get(1).transposed() && ts.get(1).dOut() == 10 && ts.get(1).dIn() == 32, ts.get(1).toString());
    Map<String, INDArray> frozen = constants(g.sameDiff());
    assertTrue(frozen.containsKey("conv_w") && frozen.containsKey("conv_b"), frozen.keySet().toString());
    Map<String, float[]> start = g.trainedTensors();
    assertEquals(List.of("fc1.beta", "fc1.lora_A", "fc1.lora_B", "fc2.beta", "fc2.lora_A", "fc2.lora_B", "fc2_b"),
        start.keySet().stream().sorted().toList());
    g.fit(new DatasetIterator(train, 32, 1, IMAGE), 8, AdaptedGraph.FitOptions.defaults().withLearningRate(3e-2));
    onlyTheTrainedChanged(g, frozen, start);
    double acc = accuracy(g, IMAGE);
    assertTrue(acc > 0.8, "rank-8 adapters on the dense layers over a frozen random conv learn digits: " + acc);
    mergedAndReloadedPredictTheSame(g, dir.resolve("cnn.lotta"), null, IMAGE);
  }

  @Test
  void cnnWithTheKernelTrainableInFullOverAPretrainedBase(@TempDir Path dir) {
    SameDiff base = cnn();
    INDArray x = features(test, 32, IMAGE);
    INDArray before = base.output(Map.of("input", x), "logits").get("logits");
    AdaptedGraph g = GraphAdapter.of(base).targets(TargetRule.parse("fc1,fc2")).adapter(AdapterConfig.defaults(4))
        .trainable("conv_w").classifier("logits", 10).apply();
    assertTrue(before.equalsWithEps(g.output(x), 1e-5), "B = 0 and beta = 1 start from the base");
    assertEquals(VariableType.VARIABLE, g.sameDiff().getVariable("conv_w").getVariableType());
    Map<String, INDArray> frozen = constants(g.sameDiff());
    assertFalse(frozen.containsKey("conv_w"));
    Map<String, float[]> start = g.trainedTensors();
    assertTrue(start.containsKey("conv_w"), start.keySet().toString());
    g.fit(new DatasetIterator(train, 32, 2, IMAGE), 2, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    onlyTheTrainedChanged(g, frozen, start);
    mergedAndReloadedPredictTheSame(g, dir.resolve("cnn-pre.lotta"), base, IMAGE);
  }

  @Test
  void aConvolutionKernelAsATargetIsRefusedInOneLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(cnn()).targets(TargetRule.names("conv_w")).classifier("logits", 10).apply());
    String m = e.getMessage();
    assertTrue(m.contains("'conv_w' has shape [3, 3, 1, 8], not a 2-D weight") && m.contains("convolution kernel"),
        m);
    assertFalse(m.contains("\n"), "one line: " + m);
  }

  // ---------------------------------------------------------------- attention

  @Test
  void attentionProjectionsAdaptedHeadTrainedInFull(@TempDir Path dir) {
    AdaptedGraph g = GraphAdapter.of(attention()).targets(TargetRule.parse("re:w_[qkvo]"))
        .seeded(23, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4)).trainable("w_head", "b_head")
        .classifier("logits", 10).apply();
    List<AdaptedTarget> ts = g.spec().targets();
    assertEquals(List.of("w_k", "w_o", "w_q", "w_v"), ts.stream().map(AdaptedTarget::variable).sorted().toList());
    for (AdaptedTarget t : ts) {
      assertTrue(t.transposed() && t.dOut() == M && t.dIn() == M, "x.mmul(W) stores [d_in, d_out]: " + t);
    }
    Map<String, INDArray> frozen = constants(g.sameDiff());
    assertTrue(frozen.containsKey("w_in") && frozen.containsKey("pos"), frozen.keySet().toString());
    Map<String, float[]> start = g.trainedTensors();
    assertEquals(14, start.size(), start.keySet().toString());
    double lossBefore = testLoss(g, ROWS);
    g.fit(new DatasetIterator(train, 32, 3, ROWS), 8, AdaptedGraph.FitOptions.defaults().withLearningRate(5e-2));
    onlyTheTrainedChanged(g, frozen, start);
    double lossAfter = testLoss(g, ROWS);
    assertTrue(lossAfter < 0.6 * lossBefore, "the loss goes down: " + lossBefore + " -> " + lossAfter);
    double acc = accuracy(g, ROWS);
    assertTrue(acc > 0.5, "well above chance (0.1): " + acc);
    mergedAndReloadedPredictTheSame(g, dir.resolve("att.lotta"), null, ROWS);
  }

  @Test
  void attentionWithDoraStartsFromTheBaseAndTrains(@TempDir Path dir) {
    SameDiff base = attention();
    INDArray x = features(test, 32, ROWS);
    INDArray before = base.output(Map.of("input", x), "logits").get("logits");
    AdaptedGraph g = GraphAdapter.of(base).targets(TargetRule.parse("w_q,w_k,w_v,w_o"))
        .adapter(AdapterConfig.defaults(4).withVariants(true, false, false)).trainable("w_head", "b_head")
        .classifier("logits", 10).apply();
    assertTrue(before.equalsWithEps(g.output(x), 1e-5), "DoRA's m = the row norms, B = 0: the base output");
    Map<String, INDArray> frozen = constants(g.sameDiff());
    Map<String, float[]> start = g.trainedTensors();
    assertTrue(start.containsKey("w_q.dora_m") && start.containsKey("w_o.dora_m"), start.keySet().toString());
    double lossBefore = testLoss(g, ROWS);
    g.fit(new DatasetIterator(train, 32, 4, ROWS), 3, AdaptedGraph.FitOptions.defaults().withLearningRate(1e-2));
    onlyTheTrainedChanged(g, frozen, start);
    double lossAfter = testLoss(g, ROWS);
    assertTrue(lossAfter < lossBefore, "the loss goes down: " + lossBefore + " -> " + lossAfter);
    mergedAndReloadedPredictTheSame(g, dir.resolve("att-dora.lotta"), base, ROWS);
  }

  @Test
  void aTargetBehindTensordotIsRefusedBecauseItsGradientFails() {
    // x [N, T, D] times W [D, 10] over the last axis: the forward pass runs, but M2.1's tensormmul_bp fails
    // even in a plain graph, and the orientation analysis reads only mmul
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, T, D);
    SDVariable w = sd.var("w", Nd4j.zeros(DataType.FLOAT, D, 10));
    sd.tensorMmul(x, w, new int[] {2}, new int[] {0}).mean(1).rename("logits");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(sd).targets(TargetRule.names("w")).adapter(AdapterConfig.defaults(4))
            .classifier("logits", 10).apply());
    assertTrue(e.getMessage().contains("feeds tensordot op") && e.getMessage().contains("mmul"), e.getMessage());
  }
}
