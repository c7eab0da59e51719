package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.engine.GradientClipping;
import org.lottalora.core.engine.Param;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reservoir adapter BPTT. The SameDiff oracle ({@link AdapterGraphOracle}, the trainer's former graph) computes what
 * the plain reservoir computes and its gradients agree with central finite differences; the engine's hand-written
 * {@link AdapterBptt} agrees with the oracle (loss and every gradient, on a batch with several inputs and outputs),
 * with finite differences, and a short Adam run on it lowers the loss.
 */
class AdapterGraphTest {
  private static final int N = 12;
  private static final int R = 2;
  private static final int T = 6;
  private static final double SCALE = 0.5;

  private static float[] draw(String name, int n, double amp) {
    double[] u = new double[n];
    new Stream(11, name).uniforms(0, u, n);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (amp * (2 * u[i] - 1));
    }
    return f;
  }

  @Test
  void forwardMatchesTheReservoirAndGradientsMatchFiniteDifferences() {
    ReservoirSpec spec = new ReservoirSpec(N, 1.1, 0.5, 0.6, 1.0, 1.0, 0.2, "tanh", 0);
    Reservoir res = new Reservoir(spec, 0, 1, 0, 4, Double.NaN);
    double[][] ro = new double[1][N + 1];
    float[] w = draw("ro", N + 1, 0.5);
    for (int i = 0; i <= N; i++) {
      ro[0][i] = w[i];
    }
    float[] a = draw("A", R * N, 0.4);
    float[] b = draw("B", N * R, 0.4);
    SameDiff[] holder = new SameDiff[1];
    QuietStdout.run(() -> {
      holder[0] = AdapterGraphOracle.graph(res, 1, 1, T, ro, R, SCALE, a, true);
      holder[0].getArrForVarName("B").assign(Nd4j.create(b, new long[] {N, R}));
      holder[0].getArrForVarName("beta").assign(0.8);
      holder[0].createGradFunction();
    }, "Added differentiated op");
    SameDiff sd = holder[0];
    float[] x0 = draw("x0", N, 0.3);
    float[] u = draw("u", T, 1.0);
    float[] y = draw("y", T, 1.0);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("x0", Nd4j.create(x0, new long[] {1, N}));
    for (int t = 0; t < T; t++) {
      ph.put("u" + t, Nd4j.create(new float[] {u[t]}, new long[] {1, 1}));
      ph.put("y" + t, Nd4j.create(new float[] {y[t]}, new long[] {1, 1}));
    }
    // the same window through the plain reservoir, in double
    res.withAdapter(new Reservoir.RecurrentAdapter(R, a, b, 0.8f, SCALE));
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = x0[i];
    }
    double[] scratch = new double[N];
    double loss = 0;
    for (int t = 0; t < T; t++) {
      res.step(x, new double[] {u[t]}, null, scratch);
      double out = ro[0][0];
      for (int i = 0; i < N; i++) {
        out += ro[0][1 + i] * x[i];
      }
      loss += (out - y[t]) * (out - y[t]) / T;
    }
    double graphLoss = sd.output(ph, "loss").get("loss").getDouble(0);
    assertEquals(loss, graphLoss, 1e-5 * Math.max(1, loss), "graph forward = reservoir forward");

    Map<String, INDArray> g = sd.calculateGradients(ph, List.of("A", "B", "beta", "Wout_T", "bout"));
    double eps = 1e-2;
    for (String v : List.of("B", "A", "beta", "Wout_T", "bout")) {
      INDArray p = sd.getArrForVarName(v);
      long k = p.length() / 2;
      float orig = p.getFloat(k);
      p.putScalar(k, orig + eps);
      double up = sd.output(ph, "loss").get("loss").getDouble(0);
      p.putScalar(k, orig - eps);
      double down = sd.output(ph, "loss").get("loss").getDouble(0);
      p.putScalar(k, orig);
      double fd = (up - down) / (2 * eps);
      double ad = g.get(v).getDouble(k);
      assertEquals(fd, ad, 2e-3 + 0.02 * Math.abs(fd), "d loss / d " + v + "[" + k + "]");
    }
  }

  // a small reservoir with 2 inputs and 2 outputs, its readout, a non-zero adapter (B, beta 0.8) and a batch
  private static final int D = 2;
  private static final int O = 2;
  private static final int BATCH = 3;

  private static Reservoir smallReservoir() {
    return new Reservoir(new ReservoirSpec(N, 1.1, 0.5, 0.6, 1.0, 1.0, 0.2, "tanh", 0), 0, D, 0, 4, Double.NaN);
  }

  private static double[][] readout() {
    float[] w = draw("ro2", O * (N + 1), 0.5);
    double[][] ro = new double[O][N + 1];
    for (int k = 0; k < O; k++) {
      for (int i = 0; i <= N; i++) {
        ro[k][i] = w[k * (N + 1) + i];
      }
    }
    return ro;
  }

  private static AdapterBptt engine(Reservoir res, double[][] ro, float[] a, float[] b) {
    AdapterBptt net = new AdapterBptt(res.recurrentFloat(), res.inputFloat(), res.biasFloat(), D, O,
        res.spec().leakRate(), R, SCALE, a, ro);
    System.arraycopy(b, 0, net.b.v, 0, b.length);
    net.beta.v[0] = 0.8f;
    return net;
  }

  @Test
  void handWrittenGradientsMatchSameDiffAndFiniteDifferences() {
    Reservoir res = smallReservoir();
    double[][] ro = readout();
    float[] a = draw("A2", R * N, 0.4);
    float[] b = draw("B2", N * R, 0.4);
    SameDiff[] holder = new SameDiff[1];
    QuietStdout.run(() -> {
      holder[0] = AdapterGraphOracle.graph(res, D, O, T, ro, R, SCALE, a, true);
      holder[0].getArrForVarName("B").assign(Nd4j.create(b, new long[] {N, R}));
      holder[0].getArrForVarName("beta").assign(0.8);
      holder[0].createGradFunction();
    }, "Added differentiated op");
    SameDiff sd = holder[0];
    float[] x0 = draw("x0b", BATCH * N, 0.3);
    float[] u = draw("ub", T * BATCH * D, 1.0);
    float[] y = draw("yb", T * BATCH * O, 1.0);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("x0", Nd4j.create(x0, new long[] {BATCH, N}));
    for (int t = 0; t < T; t++) {
      float[] ut = java.util.Arrays.copyOfRange(u, t * BATCH * D, (t + 1) * BATCH * D);
      float[] yt = java.util.Arrays.copyOfRange(y, t * BATCH * O, (t + 1) * BATCH * O);
      ph.put("u" + t, Nd4j.create(ut, new long[] {BATCH, D}));
      ph.put("y" + t, Nd4j.create(yt, new long[] {BATCH, O}));
    }
    AdapterBptt net = engine(res, ro, a, b);
    double loss = net.lossAndGradients(x0, u, y, BATCH, T);
    double oracleLoss = sd.output(ph, "loss").get("loss").getDouble(0);
    assertTrue(loss > 0.1, "a loss worth differentiating: " + loss);
    assertEquals(oracleLoss, loss, 1e-5 * oracleLoss, "engine loss = SameDiff loss");

    Map<String, INDArray> g = sd.calculateGradients(ph, List.of("A", "B", "beta", "Wout_T", "bout"));
    for (Param p : List.of(net.a, net.b, net.beta, net.wout, net.bout)) {
      float[] want = g.get(p.name).dup().data().asFloat();
      assertEquals(want.length, p.g.length, p.name);
      double max = 0;
      for (float f : want) {
        max = Math.max(max, Math.abs(f));
      }
      assertTrue(max > 1e-3, "SameDiff's gradient of " + p.name + " is not negligible: " + max);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], p.g[i], 1e-4 * max, "d loss / d " + p.name + "[" + i + "] vs SameDiff");
      }
    }

    // central differences on the engine's own forward, a few entries of every array
    double eps = 1e-2;
    for (Param p : List.of(net.a, net.b, net.beta, net.wout, net.bout)) {
      float[] grad = p.g.clone();
      for (int k : new int[] {0, p.v.length / 2, p.v.length - 1}) {
        float orig = p.v[k];
        p.v[k] = (float) (orig + eps);
        double up = net.forward(x0, u, y, BATCH, T);
        p.v[k] = (float) (orig - eps);
        double down = net.forward(x0, u, y, BATCH, T);
        p.v[k] = orig;
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, grad[k], 2e-3 + 0.02 * Math.abs(fd), "d loss / d " + p.name + "[" + k + "] vs differences");
      }
    }
  }

  @Test
  void aShortAdamRunLowersTheLoss() {
    Reservoir res = smallReservoir();
    double[][] ro = readout();
    float[] x0 = draw("x0b", BATCH * N, 0.3);
    float[] u = draw("ub", T * BATCH * D, 1.0);
    float[] y = draw("yb", T * BATCH * O, 1.0);
    // the adapter alone (readout frozen), then adapter and readout, as the trainer starts: B = 0, beta = 1
    for (boolean withReadout : new boolean[] {false, true}) {
      AdapterBptt net = new AdapterBptt(res.recurrentFloat(), res.inputFloat(), res.biasFloat(), D, O,
          res.spec().leakRate(), R, SCALE, draw("A2", R * N, 0.4), ro);
      List<Param> trained = new ArrayList<>(net.adapterParams(true));
      if (withReadout) {
        trained.addAll(net.readoutParams());
      }
      double first = net.lossAndGradients(x0, u, y, BATCH, T);
      double last = first;
      for (int step = 1; step <= 50; step++) {
        GradientClipping.clipGlobalNorm(trained, 1.0);
        ReservoirAdapterTrainer.adam(trained, 1e-2, step);
        last = net.lossAndGradients(x0, u, y, BATCH, T);
      }
      assertTrue(last < (withReadout ? 0.5 : 0.9) * first, (withReadout ? "adapter + readout" : "adapter")
          + ": loss " + first + " -> " + last);
    }
  }
}
