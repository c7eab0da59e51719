package org.lottalora.models.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CfC cell with adapters on its five matrices (issue 5 groundwork): an unrolled graph computes the cell's
 * equations (checked in double against the same weights), and gradients of A, B and beta of every gate, through
 * three steps with irregular time gaps, agree with central finite differences.
 */
class CfcCellTest {
  private static final int IN = 3;
  private static final int HID = 4;
  private static final int UNITS = 5;
  private static final int T = 3;
  private static final int BATCH = 2;

  private static float[] draw(String name, int n, double amp) {
    double[] u = new double[n];
    new Stream(8, name).uniforms(0, u, n);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (amp * (2 * u[i] - 1));
    }
    return f;
  }

  private static Backbone backbone() {
    return Backbone.regenerate(6, CfcCell.tensorSpecs("cfc", IN, HID, UNITS, InitSpec.parse("xavier_uniform")), 1);
  }

  private static ModelGraph graph() {
    GraphBuilder g = new GraphBuilder(backbone(), new AdapterConfig(2, 2.0, false, true, 0, false, 1), false,
        Map.of());
    SDVariable x = g.input(T * IN);
    SameDiff sd = g.sameDiff();
    SDVariable dt = sd.placeHolder("dt", DataType.FLOAT, -1, T);
    CfcCell cell = new CfcCell(g, "cfc", IN, HID, UNITS);
    SDVariable h = sd.zerosLike(x.get(SDIndex.all(), SDIndex.interval(0, HID)));
    for (int t = 0; t < T; t++) {
      h = cell.step(sd, x.get(SDIndex.all(), SDIndex.interval(t * IN, (t + 1) * IN)), h,
          dt.get(SDIndex.all(), SDIndex.interval(t, t + 1)));
    }
    sd.identity("h_last", h);
    return g.finish(g.trainedLinear("head", h, HID, 2, draw("hw", 2 * HID, 0.5), new float[2]), 2);
  }

  private static double[] lin(float[] w, float[] b, double[] x, int out) {
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      y[o] = b[o];
      for (int i = 0; i < x.length; i++) {
        y[o] += w[o * x.length + i] * x[i];
      }
    }
    return y;
  }

  @Test
  void unrolledCellMatchesItsEquationsAndGradientsMatchFiniteDifferences() {
    ModelGraph[] holder = new ModelGraph[1];
    QuietStdout.run(() -> holder[0] = graph(), "Added differentiated op");
    ModelGraph mg = holder[0];
    assertNull(mg.densePlan(), "a recurrent cell trains through SameDiff");
    SameDiff sd = mg.sameDiff();
    float[] xs = draw("x", BATCH * T * IN, 1.0);
    float[] dts = {0.5f, 2f, 0.1f, 1f, 1f, 3f};
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, Nd4j.create(xs, new long[] {BATCH, T * IN}));
    ph.put("dt", Nd4j.create(dts, new long[] {BATCH, T}));
    ph.put(GraphBuilder.LABELS, Nd4j.create(new float[] {1, 0, 0, 1}, new long[] {BATCH, 2}));
    // forward in double with B = 0, beta = 1: the cell's equations on the backbone weights
    Backbone bb = backbone();
    INDArray hLast = sd.output(ph, "h_last").get("h_last");
    for (int n = 0; n < BATCH; n++) {
      double[] h = new double[HID];
      for (int t = 0; t < T; t++) {
        double[] xh = new double[IN + HID];
        for (int i = 0; i < IN; i++) {
          xh[i] = xs[n * T * IN + t * IN + i];
        }
        System.arraycopy(h, 0, xh, IN, HID);
        double[] z = lin(bb.get("cfc.backbone.weight"), bb.get("cfc.backbone.bias"), xh, UNITS);
        for (int u = 0; u < UNITS; u++) {
          z[u] = Math.tanh(z[u]);
        }
        double[] f1 = lin(bb.get("cfc.ff1.weight"), bb.get("cfc.ff1.bias"), z, HID);
        double[] f2 = lin(bb.get("cfc.ff2.weight"), bb.get("cfc.ff2.bias"), z, HID);
        double[] ta = lin(bb.get("cfc.time_a.weight"), bb.get("cfc.time_a.bias"), z, HID);
        double[] tb = lin(bb.get("cfc.time_b.weight"), bb.get("cfc.time_b.bias"), z, HID);
        for (int j = 0; j < HID; j++) {
          double s = 1 / (1 + Math.exp(-(ta[j] * dts[n * T + t] + tb[j])));
          h[j] = Math.tanh(f1[j]) * (1 - s) + s * Math.tanh(f2[j]);
        }
      }
      for (int j = 0; j < HID; j++) {
        assertEquals(h[j], hLast.getDouble(n, j), 1e-5, "h[" + n + "][" + j + "]");
      }
    }
    List<String> vars = new ArrayList<>();
    for (String gate : CfcCell.GATES) {
      INDArray bv = sd.getArrForVarName("cfc." + gate + ".lora_B");
      bv.assign(Nd4j.create(draw(gate, (int) bv.length(), 0.4), bv.shape()));
      vars.add("cfc." + gate + ".lora_A");
      vars.add("cfc." + gate + ".lora_B");
      vars.add("cfc." + gate + ".beta");
    }
    Map<String, INDArray> g = sd.calculateGradients(ph, vars);
    double eps = 3e-3;
    int nonZero = 0;
    for (String v : vars) {
      INDArray p = sd.getArrForVarName(v);
      for (long k : new long[] {0, p.length() - 1}) {
        float orig = p.getFloat(k);
        p.putScalar(k, orig + eps);
        double up = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig - eps);
        double down = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig);
        double fd = (up - down) / (2 * eps);
        double ad = g.get(v).getDouble(k);
        assertEquals(fd, ad, 3e-4 + 0.03 * Math.abs(fd), "d loss / d " + v + "[" + k + "]");
        nonZero += Math.abs(ad) > 1e-5 ? 1 : 0;
      }
    }
    assertTrue(nonZero > 20, "most checked gradients are not zero: " + nonZero);
  }
}
