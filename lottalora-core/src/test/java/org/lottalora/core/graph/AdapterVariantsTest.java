package org.lottalora.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The adapter variants of issue 5 on a dense block and BatchNorm: a DoRA layer starts at the scaffold and computes
 * {@code m * V / ||V||} (checked against a forward pass written out by hand, with residual and LayerNorm on top);
 * the gradients of every trained tensor agree with central finite differences; BatchNorm normalises with batch
 * statistics while training, {@link ModelGraph#calibrate} sets its running statistics to the data's channel mean
 * and variance, and inference is then independent of the batch a sample comes in.
 */
class AdapterVariantsTest {
  private static final int D = 4;
  private static final int N = 3;

  private static float[] draw(String name, int n, double amp) {
    double[] u = new double[n];
    new Stream(9, name).uniforms(0, u, n);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (amp * (2 * u[i] - 1));
    }
    return f;
  }

  private static Backbone denseBackbone() {
    return Backbone.regenerate(4, List.of(TensorSpec.of("blk.weight", new int[] {D, D}, InitSpec.parse("normal")),
        TensorSpec.bias("blk.bias", D, D, InitSpec.parse("uniform"))), 1);
  }

  /** x -> relu(adapted(x)) closed by residual / LayerNorm -> identity "block_out" -> head. */
  private static ModelGraph denseBlock(AdapterConfig ac) {
    GraphBuilder g = new GraphBuilder(denseBackbone(), ac, false, Map.of());
    SDVariable x = g.input(D);
    SDVariable y = g.relu(g.adaptedLinear("blk", x, D, D));
    SDVariable out = g.closeBlock("blk", x, new int[] {D}, y, new int[] {D});
    out.getSameDiff().identity("block_out", out);
    return g.finish(g.trainedLinear("head", out, D, 2, draw("hw", 2 * D, 0.5), new float[2]), 2);
  }

  private static Map<String, INDArray> feed(float[] x, int rows, int cols, boolean training) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, Nd4j.create(x, new long[] {rows, cols}));
    float[] y = new float[rows * 2];
    for (int r = 0; r < rows; r++) {
      y[r * 2 + r % 2] = 1;
    }
    ph.put(GraphBuilder.LABELS, Nd4j.create(y, new long[] {rows, 2}));
    if (training) {
      ph.put(GraphBuilder.TRAINING, Nd4j.ones(DataType.FLOAT, rows, 1));
    }
    return ph;
  }

  private static void checkGradients(SameDiff sd, Map<String, INDArray> ph, List<String> vars) {
    Map<String, INDArray> g = sd.calculateGradients(ph, vars);
    double eps = 1e-2;
    for (String v : vars) {
      INDArray p = sd.getArrForVarName(v);
      for (long k : new long[] {0, p.length() / 2, p.length() - 1}) {
        float orig = p.getFloat(k);
        p.putScalar(k, orig + eps);
        double up = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig - eps);
        double down = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig);
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, g.get(v).getDouble(k), 2e-3 + 0.03 * Math.abs(fd), "d loss / d " + v + "[" + k + "]");
      }
    }
  }

  @Test
  void doraWithResidualAndLayerNormMatchesTheFormulaAndFiniteDifferences() {
    AdapterConfig ac = AdapterConfig.defaults(2).withVariants(true, true, true);
    ModelGraph[] holder = new ModelGraph[2];
    QuietStdout.run(() -> {
      holder[0] = denseBlock(ac);
      holder[1] = denseBlock(AdapterConfig.defaults(2).withVariants(false, true, true));
    }, "Added differentiated op");
    ModelGraph mg = holder[0];
    assertNull(mg.densePlan(), "variants train through SameDiff");
    SameDiff sd = mg.sameDiff();
    float[] x = draw("x", N * D, 1.5);
    Map<String, INDArray> ph = feed(x, N, D, false);
    INDArray start = sd.output(ph, "block_out").get("block_out");
    INDArray plain = holder[1].sameDiff().output(ph, "block_out").get("block_out");
    assertEquals(0, start.sub(plain).norm2Number().doubleValue(), 1e-5, "B = 0 and m = ||W||: DoRA starts at W");

    float[] b = draw("B", D * 2, 0.7);
    sd.getArrForVarName("blk.lora_B").assign(Nd4j.create(b, new long[] {D, 2}));
    sd.getArrForVarName("blk.beta").assign(0.9);
    float[] m = draw("m", D, 1.0);
    for (int i = 0; i < D; i++) {
      m[i] += 2f;
    }
    sd.getArrForVarName("blk.dora_m").assign(Nd4j.create(m, new long[] {D}));
    float[] gain = draw("g", D, 1.0);
    float[] shift = draw("s", D, 0.5);
    sd.getArrForVarName("blk.ln.gain").assign(Nd4j.create(gain, new long[] {D}));
    sd.getArrForVarName("blk.ln.bias").assign(Nd4j.create(shift, new long[] {D}));
    float[] a = org.lottalora.core.util.NdArrays.read(sd.getArrForVarName("blk.lora_A"));
    Backbone bb = denseBackbone();
    float[] w = bb.get("blk.weight");
    float[] bias = bb.get("blk.bias");
    double s = ac.scaling();
    double[][] wEff = new double[D][D];
    for (int o = 0; o < D; o++) {
      double ss = 0;
      for (int i = 0; i < D; i++) {
        double ba = 0;
        for (int k = 0; k < 2; k++) {
          ba += b[o * 2 + k] * a[k * D + i];
        }
        wEff[o][i] = 0.9 * w[o * D + i] + s * ba;
        ss += wEff[o][i] * wEff[o][i];
      }
      for (int i = 0; i < D; i++) {
        wEff[o][i] *= m[o] / Math.sqrt(ss);
      }
    }
    INDArray got = sd.output(ph, "block_out").get("block_out");
    for (int r = 0; r < N; r++) {
      double[] h = new double[D];
      double mean = 0;
      for (int o = 0; o < D; o++) {
        double z = bias[o];
        for (int i = 0; i < D; i++) {
          z += wEff[o][i] * x[r * D + i];
        }
        h[o] = Math.max(0, z) + x[r * D + o];
        mean += h[o] / D;
      }
      double var = 0;
      for (int o = 0; o < D; o++) {
        var += (h[o] - mean) * (h[o] - mean) / D;
      }
      for (int o = 0; o < D; o++) {
        double want = (h[o] - mean) / Math.sqrt(var + GraphBuilder.NORM_EPS) * gain[o] + shift[o];
        assertEquals(want, got.getDouble(r, o), 1e-4, "row " + r + " feature " + o);
      }
    }
    checkGradients(sd, feed(x, N, D, false), List.of("blk.lora_A", "blk.lora_B", "blk.beta", "blk.dora_m",
        "blk.ln.gain", "blk.ln.bias", "head.weight"));
  }

  @Test
  void residualIsSkippedWhereShapesDifferAndDoraRefusesAdapterDropout() {
    Backbone bb = Backbone.regenerate(4, List.of(TensorSpec.of("blk.weight", new int[] {3, D}, InitSpec.parse("normal")),
        TensorSpec.bias("blk.bias", 3, D, InitSpec.parse("uniform"))), 1);
    GraphBuilder g = new GraphBuilder(bb, AdapterConfig.defaults(2).withVariants(false, true, false), false, Map.of());
    SDVariable x = g.input(D);
    SDVariable y = g.relu(g.adaptedLinear("blk", x, D, 3));
    assertEquals(y, g.closeBlock("blk", x, new int[] {D}, y, new int[] {3}), "4 -> 3: no residual to add");
    GraphBuilder g2 = new GraphBuilder(denseBackbone(),
        new AdapterConfig(2, 1, false, true, 0.1, false, 1).withVariants(true, false, false), false, Map.of());
    SDVariable x2 = g2.input(D);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g2.adaptedLinear("blk", x2, D, D));
    assertTrue(e.getMessage().contains("DoRA"), e.getMessage());
  }

  /** x [rows, C*H*W] -> BatchNorm over C channels -> identity "bn_out" -> head. */
  private static ModelGraph bnGraph(int c, int hw, Map<String, float[]> trained) {
    GraphBuilder g = new GraphBuilder(Backbone.regenerate(1, List.of(), 1), AdapterConfig.defaults(1), false,
        trained);
    SDVariable x = g.input(c * hw).reshape(-1, c, hw, 1);
    SDVariable y = g.batchNorm("bn", x, c).reshape(-1, c * hw);
    y.getSameDiff().identity("bn_out", y);
    return g.finish(g.trainedLinear("head", y, c * hw, 2, draw("bh", 2 * c * hw, 0.5), new float[2]), 2);
  }

  @Test
  void batchNormUsesBatchStatisticsInTrainingAndCalibratedOnesAtInference() {
    int c = 2;
    int hw = 3;
    int rows = 5;
    ModelGraph[] holder = new ModelGraph[1];
    QuietStdout.run(() -> holder[0] = bnGraph(c, hw, Map.of()), "Added differentiated op");
    ModelGraph mg = holder[0];
    SameDiff sd = mg.sameDiff();
    assertTrue(mg.hasStatistics());
    float[] x = draw("bx", rows * c * hw, 2.0);
    for (int i = 0; i < x.length; i++) {
      x[i] += (i / hw) % c == 0 ? 3f : -1f; // channel 0 centred at 3, channel 1 at -1
    }
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < x.length; i++) {
      mean[(i / hw) % c] += x[i] / (double) (rows * hw);
    }
    for (int i = 0; i < x.length; i++) {
      int ch = (i / hw) % c;
      var[ch] += (x[i] - mean[ch]) * (x[i] - mean[ch]) / (rows * hw);
    }
    INDArray train = sd.output(feed(x, rows, c * hw, true), "bn_out").get("bn_out");
    for (int i = 0; i < x.length; i++) {
      int ch = (i / hw) % c;
      assertEquals((x[i] - mean[ch]) / Math.sqrt(var[ch] + GraphBuilder.NORM_EPS), train.getDouble(i), 1e-4,
          "training mode normalises with the batch's own statistics");
    }
    mg.calibrate(x, rows);
    Map<String, float[]> values = mg.trainedValues();
    for (int ch = 0; ch < c; ch++) {
      assertEquals(mean[ch], values.get("bn.bn.mean")[ch], 1e-5);
      assertEquals(var[ch], values.get("bn.bn.var")[ch], 1e-4);
    }
    assertEquals(2L * c + (long) 2 * c * hw + 2, mg.counts().trainable(), "statistics are not trainable");
    float[] all = mg.probabilities(x, rows);
    float[] one = mg.probabilities(java.util.Arrays.copyOfRange(x, 2 * c * hw, 3 * c * hw), 1);
    assertEquals(all[4], one[0], 1e-6, "inference does not depend on the batch");
    assertEquals(all[5], one[1], 1e-6);
    ModelGraph reloaded = bnGraph(c, hw, values);
    float[] again = reloaded.probabilities(x, rows);
    for (int i = 0; i < all.length; i++) {
      assertEquals(all[i], again[i], 0f, "saved statistics reload exactly");
    }
    sd.getArrForVarName("bn.bn.gamma").assign(Nd4j.create(new float[] {1.5f, 0.7f}, new long[] {2}));
    checkGradients(sd, feed(x, rows, c * hw, true), List.of("bn.bn.gamma", "bn.bn.shift", "head.weight"));
  }
}
