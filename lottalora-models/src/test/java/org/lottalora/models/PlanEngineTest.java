package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.PlanEngine;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The engine running a graph's plan computes the same logits and gradients as SameDiff's autodiff over the same
 * graph, for every variant of the MLP and the Plain-N CNN the plan records; and its inference equals SameDiff's.
 */
class PlanEngineTest {

  @ParameterizedTest(name = "mlp full={0} beta={1} trainBias={2} dropout={3} adapterDropout={4} dora={5} "
      + "residual={6} layerNorm={7}")
  @CsvSource({"false,true,false,0,0,false,false,false", "false,false,true,0,0,false,false,false",
      "true,true,false,0,0,false,false,false", "false,true,false,0.3,0.2,false,false,false",
      "true,true,false,0.5,0,false,false,false", "false,true,false,0,0,true,false,false",
      "false,true,false,0,0,false,true,true", "false,true,true,0,0,true,true,false",
      "true,true,false,0,0,false,true,true"})
  void mlpGradientsMatchSameDiff(boolean full, boolean beta, boolean trainBias, double dropout,
      double adapterDropout, boolean dora, boolean residual, boolean layerNorm) {
    AdapterConfig ac = new AdapterConfig(3, 2.0, false, beta, adapterDropout, trainBias, 4)
        .withVariants(dora, residual, layerNorm);
    ModelSpec spec = new ModelSpec("mlp", 12, 5, new int[] {9, 9, 7}, dropout, 3, InitSpec.DEFAULT, ac, full);
    check(LottaModel.create(spec).graph(), 12, 6);
  }

  @ParameterizedTest(name = "cnn full={0} dora={1} residual={2} layerNorm={3}")
  @CsvSource({"false,false,false,false", "true,false,false,false", "false,true,false,false", "false,false,true,false",
      "false,true,true,false", "false,false,true,true", "true,false,false,true"})
  void cnnGradientsMatchSameDiff(boolean full, boolean dora, boolean residual, boolean layerNorm) {
    AdapterConfig ac = new AdapterConfig(2, 1.0, false, true, 0, false, 4).withVariants(dora, residual, layerNorm);
    ModelSpec spec = new ModelSpec("cnn", 36, 3, new int[] {3, 3, 4, 4}, 0, 5, InitSpec.DEFAULT, ac, full);
    check(LottaModel.create(spec).graph(), 36, 5);
  }

  // a convolution runs in chunks of images whose columns fit about 64k values: at 28x28 with 9 input channels an
  // image has 63,504 column values, so five images run as five chunks of one (adapter, DoRA and full modes)
  @ParameterizedTest(name = "chunked cnn full={0} dora={1}")
  @CsvSource({"false,false", "false,true", "true,false"})
  void cnnRunInChunksOfImagesMatchesSameDiff(boolean full, boolean dora) {
    AdapterConfig ac = new AdapterConfig(2, 1.0, false, true, 0, false, 4).withVariants(dora, false, false);
    ModelSpec spec = new ModelSpec("cnn", 784, 3, new int[] {9, 9}, 0, 5, InitSpec.DEFAULT, ac, full);
    check(LottaModel.create(spec).graph(), 784, 5);
  }

  // with two threads a convolution's chunks of images, the BatchNorm's blocks of rows and the element-wise passes
  // are split between the threads; each chunk's and block's share is computed as on one thread and added in a
  // fixed order, so the loss and every gradient keep their bits (ten images: ten chunks of one)
  @ParameterizedTest(name = "cnn full={0} dora={1}: 1 and 2 threads, the same bits")
  @CsvSource({"false,false", "false,true", "true,false"})
  void cnnGradientsDoNotDependOnTheThreadCount(boolean full, boolean dora) {
    AdapterConfig ac = new AdapterConfig(2, 1.0, false, true, 0, false, 4).withVariants(dora, false, false);
    ModelSpec spec = new ModelSpec("cnn", 784, 3, new int[] {9, 9}, 0, 5, InitSpec.DEFAULT, ac, full);
    ModelGraph g = LottaModel.create(spec).graph();
    int n = 10;
    float[] x = draw("x", n * 784, 1.0);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    int before = org.lottalora.core.util.Threads.applied();
    @SuppressWarnings("unchecked")
    Map<String, float[]>[] grads = new Map[2];
    double[] loss = new double[2];
    try {
      for (int t = 1; t <= 2; t++) {
        org.lottalora.core.util.Threads.apply(t);
        PlanEngine e = g.engine();
        e.zeroGradients();
        loss[t - 1] = e.step(x, n, labels, Map.of(), 1.0).loss();
        grads[t - 1] = e.gradients();
      }
    } finally {
      org.lottalora.core.util.Threads.apply(Math.max(1, before));
    }
    assertEquals(loss[0], loss[1], 0.0, "loss");
    for (String name : grads[0].keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(grads[0].get(name), grads[1].get(name), name);
    }
  }

  @org.junit.jupiter.api.Test
  void variantsCountTheSameModelValues() {
    // the model's size (what trainable fractions divide by) is the network's, whatever trains it
    long plain = mlp(new AdapterConfig(3, 1.0, false, true, 0, false, 4), false).graph().counts().model();
    for (AdapterConfig ac : java.util.List.of(new AdapterConfig(3, 1.0, false, true, 0, false, 4)
        .withVariants(true, false, false), new AdapterConfig(3, 1.0, false, false, 0, true, 4)
        .withVariants(true, false, false))) {
      assertEquals(plain, mlp(ac, false).graph().counts().model(), ac.variantName());
    }
    assertEquals(plain, mlp(new AdapterConfig(3, 1.0, false, true, 0, false, 4), true).graph().counts().model(),
        "full");
  }

  private static LottaModel mlp(AdapterConfig ac, boolean full) {
    return LottaModel.create(new ModelSpec("mlp", 12, 5, new int[] {9, 7}, 0, 3, InitSpec.DEFAULT, ac, full));
  }

  private static void check(ModelGraph g, int features, int n) {
    assertNotNull(g.plan(), "this model runs on the engine");
    // move every trained array off its init so that every gradient term is exercised
    Map<String, float[]> vals = g.trainedValues();
    vals.replaceAll((k, v) -> {
      float[] w = v.clone();
      for (int i = 0; i < w.length; i++) {
        w[i] += (float) (0.1 * Math.sin(i + k.length()));
      }
      return w;
    });
    g.setTrainedValues(vals);
    float[] x = draw("x", n * features, 1.0);
    int classes = g.classes();
    int[] labels = new int[n];
    float[] oneHot = new float[n * classes];
    for (int i = 0; i < n; i++) {
      labels[i] = i % classes;
      oneHot[i * classes + labels[i]] = 1;
    }
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, NdArrays.of(x, n, features));
    ph.put(GraphBuilder.LABELS, NdArrays.of(oneHot, n, classes));
    Map<String, float[]> masks = new HashMap<>();
    for (GraphBuilder.DropoutSite d : g.dropouts()) {
      float[] m = d.trainingFlag() ? ones(n) : d.draw(7, "test/" + d.placeholder(), n);
      if (!d.trainingFlag()) {
        masks.put(d.placeholder(), m);
      }
      ph.put(d.placeholder(), NdArrays.of(m, n, d.width()));
    }
    PlanEngine e = g.engine();
    float[] logits = e.forward(x, n, true, masks).clone();
    float[] sdLogits = NdArrays.read(g.sameDiff().output(ph, GraphBuilder.LOGITS).get(GraphBuilder.LOGITS));
    assertClose(sdLogits, logits, "training-mode logits");
    e.zeroGradients();
    e.step(x, n, labels, masks, 1.0);
    String[] names = e.params().stream().map(p -> p.name).toArray(String[]::new);
    Map<String, INDArray> sdGrads = g.sameDiff().calculateGradients(ph, names);
    assertTrue(names.length >= 4);
    Map<String, Boolean> transposed = new HashMap<>();
    g.trained().forEach(t -> transposed.put(t.name(), t.transposed()));
    Map<String, float[]> grads = e.gradients();
    for (String name : names) {
      INDArray sdg = sdGrads.get(name);
      if (transposed.get(name)) { // the graph holds this matrix as [d_in, d_out]; the engine canonical
        sdg = sdg.transpose();
      }
      assertClose(NdArrays.read(sdg.dup('c').reshape(sdg.length())), grads.get(name), name);
    }
    // inference: calibrated statistics, no dropout, the same probabilities as SameDiff's inference graph
    g.calibrate(x, n);
    float[] engine = g.probabilities(x, n);
    Map<String, INDArray> inf = new HashMap<>();
    inf.put(GraphBuilder.INPUT, NdArrays.of(x, n, features));
    for (GraphBuilder.DropoutSite d : g.dropouts()) {
      float[] m = new float[n * d.width()];
      java.util.Arrays.fill(m, d.inferenceValue());
      inf.put(d.placeholder(), NdArrays.of(m, n, d.width()));
    }
    float[] sd = NdArrays.read(g.sameDiff().output(inf, GraphBuilder.PROBS).get(GraphBuilder.PROBS));
    assertClose(sd, engine, "inference probabilities");
  }

  private static float[] ones(int n) {
    float[] m = new float[n];
    java.util.Arrays.fill(m, 1f);
    return m;
  }

  private static float[] draw(String stream, int len, double scale) {
    long[] w = new long[len];
    new Stream(11, stream).words(0, w, len);
    float[] v = new float[len];
    for (int i = 0; i < len; i++) {
      v[i] = (float) ((Stream.uniform(w[i]) - 0.5) * 2 * scale);
    }
    return v;
  }

  private static void assertClose(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length, what + " length");
    // float rounding follows the size of the terms summed, not of a small result: a convolution's beta gradient
    // sums 35k products that cancel to 4e-5, and reordering the BatchNorm's float sums below it (same accuracy
    // against a double reference) moved it by 1e-7; a wrong gradient is off by its own size
    double scale = 1e-3;
    for (float v : a) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-3 * scale, what + "[" + i + "]");
    }
  }
}
