package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BPTT graph of reservoir adapters computes what the plain reservoir computes (forward, with a non-zero
 * adapter), and its gradients agree with central finite differences for B, A, beta and the readout.
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
      holder[0] = ReservoirAdapterTrainer.graph(res, 1, 1, T, ro, R, SCALE, a, true);
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
}
