package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchNorm} over rows [m, c]: names and initial values of its arrays; the training forward equals a naive
 * double-precision computation (batch mean, biased variance, eps 1e-5, gamma and shift) and its cache holds those
 * statistics; the gradients of gamma, shift and the input (through the batch statistics) match central finite
 * differences of {@code sum(r y) + sum(y^2) / 2} computed on that double-precision reference (so the differences
 * carry no float rounding), once more with the engine's own forward as the loss, and backward adds into the
 * parameters' gradients while overwriting dx; inference normalises with the running statistics (and equals the
 * training forward when they are the batch's); {@code batchStatistics} returns exactly the training forward's
 * statistics, and stays right for activations whose mean is large against their spread.
 */
class BatchNormTest {
  private static final double EPS = 1e-5;

  private static float[] data(int m, int c, int salt) {
    float[] x = Grad.matrix(m, c, salt, 1.5);
    for (int r = 0; r < m; r++) {
      for (int j = 0; j < c; j++) {
        x[r * c + j] += 0.7f * j - 0.4f; // a different mean per channel
      }
    }
    return x;
  }

  private static void setAffine(List<Param> params, int c) {
    for (int j = 0; j < c; j++) {
      params.get(0).v[j] = 0.6f + 0.3f * j;
      params.get(1).v[j] = 0.2f * j - 0.1f;
    }
  }

  /** The training forward in double: batch mean, biased variance, then scale and shift. */
  private static double[] reference(float[] x, int m, int c, float[] gamma, float[] shift, double[] meanOut,
      double[] varOut) {
    double[] y = new double[m * c];
    for (int j = 0; j < c; j++) {
      double mean = 0;
      for (int r = 0; r < m; r++) {
        mean += x[r * c + j];
      }
      mean /= m;
      double var = 0;
      for (int r = 0; r < m; r++) {
        double d = x[r * c + j] - mean;
        var += d * d;
      }
      var /= m;
      if (meanOut != null) {
        meanOut[j] = mean;
        varOut[j] = var;
      }
      for (int r = 0; r < m; r++) {
        y[r * c + j] = (x[r * c + j] - mean) / Math.sqrt(var + EPS) * gamma[j] + shift[j];
      }
    }
    return y;
  }

  private static double loss(double[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += r[i] * y[i] + 0.5 * y[i] * y[i];
    }
    return s;
  }

  @Test
  void arraysAreNamedAndStartAsTheGraphsDo() {
    List<Param> params = new ArrayList<>();
    BatchNorm bn = new BatchNorm("convs.2", 3, params);
    assertEquals(List.of("convs.2.bn.gamma", "convs.2.bn.shift"), params.stream().map(p -> p.name).toList());
    assertArrayEquals(new float[] {1, 1, 1}, params.get(0).v);
    assertArrayEquals(new float[] {0, 0, 0}, params.get(1).v);
    assertArrayEquals(new float[] {0, 0, 0}, bn.runningMean());
    assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar());
    assertEquals("convs.2.bn.mean", bn.meanName());
    assertEquals("convs.2.bn.var", bn.varName());
  }

  @Test
  void trainingForwardMatchesANaiveComputation() {
    int m = 12;
    int c = 3;
    List<Param> params = new ArrayList<>();
    BatchNorm bn = new BatchNorm("bn", c, params);
    setAffine(params, c);
    float[] x = data(m, c, 1);
    float[] y = new float[m * c];
    java.util.Arrays.fill(y, Float.NaN);
    BatchNorm.Cache cache = bn.newCache();
    bn.forwardTrain(x, m, y, cache);
    double[] mean = new double[c];
    double[] var = new double[c];
    double[] want = reference(x, m, c, params.get(0).v, params.get(1).v, mean, var);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], y[i], 1e-5 * Math.max(1, Math.abs(want[i])), "y[" + i + "]");
    }
    for (int j = 0; j < c; j++) {
      assertEquals(mean[j], cache.batchMean()[j], 1e-6 * Math.max(1, Math.abs(mean[j])), "mean " + j);
      assertEquals(var[j], cache.batchVar()[j], 1e-6 * var[j], "biased variance " + j);
    }
    // at gamma 1, shift 0 every channel comes out standardised
    List<Param> plain = new ArrayList<>();
    BatchNorm unit = new BatchNorm("bn", c, plain);
    unit.forwardTrain(x, m, y, unit.newCache());
    for (int j = 0; j < c; j++) {
      double s = 0;
      double ss = 0;
      for (int r = 0; r < m; r++) {
        s += y[r * c + j];
        ss += (double) y[r * c + j] * y[r * c + j];
      }
      assertEquals(0, s / m, 1e-6);
      assertEquals(1, ss / m, 1e-3); // var / (var + eps)
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    int m = 7;
    int c = 3;
    List<Param> params = new ArrayList<>();
    BatchNorm bn = new BatchNorm("bn", c, params);
    setAffine(params, c);
    float[] x = data(m, c, 2);
    float[] r = Grad.matrix(m, c, 3, 1);
    BatchNorm.Cache cache = bn.newCache();
    float[] y = new float[m * c];
    bn.forwardTrain(x, m, y, cache);
    float[] dy = new float[m * c];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = r[i] + y[i];
    }
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0.25f); // backward adds to what is there
    }
    float[] dx = new float[m * c];
    java.util.Arrays.fill(dx, Float.NaN); // and overwrites dx
    bn.backward(dy, m, cache, dx);
    for (Param p : params) {
      for (int j = 0; j < c; j++) {
        p.g[j] -= 0.25f;
      }
    }
    Param gamma = params.get(0);
    Param shift = params.get(1);
    java.util.function.DoubleSupplier exact = () -> loss(reference(x, m, c, gamma.v, shift.v, null, null), r);
    int[] every = new int[m * c];
    for (int i = 0; i < every.length; i++) {
      every[i] = i;
    }
    Grad.checkParams(params, Grad::all, () -> { }, exact, 1e-3, 1e-4, 1e-4);
    Grad.checkInput(x, dx, every, exact, 1e-3, 1e-4, 1e-4);
    // the engine's own float forward as the loss: the usual, looser check of the same gradients
    java.util.function.DoubleSupplier engine = () -> {
      float[] z = new float[m * c];
      bn.forwardTrain(x, m, z, bn.newCache());
      double s = 0;
      for (int i = 0; i < z.length; i++) {
        s += (double) r[i] * z[i] + 0.5 * (double) z[i] * z[i];
      }
      return s;
    };
    Grad.checkParams(params, Grad::all, () -> { }, engine, 1e-2, 2e-3, 2e-3);
    Grad.checkInput(x, dx, every, engine, 1e-2, 2e-3, 2e-3);
  }

  @Test
  void inferenceUsesTheRunningStatistics() {
    int m = 9;
    int c = 4;
    List<Param> params = new ArrayList<>();
    BatchNorm bn = new BatchNorm("bn", c, params);
    setAffine(params, c);
    float[] x = data(m, c, 4);
    for (int j = 0; j < c; j++) {
      bn.runningMean()[j] = 0.3f * j - 0.2f;
      bn.runningVar()[j] = 0.5f + 0.4f * j;
    }
    float[] y = new float[m * c];
    bn.forward(x, m, y);
    for (int r = 0; r < m; r++) {
      for (int j = 0; j < c; j++) {
        double want = (x[r * c + j] - bn.runningMean()[j]) / Math.sqrt(bn.runningVar()[j] + EPS)
            * params.get(0).v[j] + params.get(1).v[j];
        assertEquals(want, y[r * c + j], 1e-5 * Math.max(1, Math.abs(want)), "y[" + r + ", " + j + "]");
      }
    }
    // with the batch's own statistics as running ones, inference is the training forward
    double[] mean = new double[c];
    double[] var = new double[c];
    bn.batchStatistics(x, m, mean, var);
    for (int j = 0; j < c; j++) {
      bn.runningMean()[j] = (float) mean[j];
      bn.runningVar()[j] = (float) var[j];
    }
    float[] yTrain = new float[m * c];
    bn.forwardTrain(x, m, yTrain, bn.newCache());
    bn.forward(x, m, y);
    for (int i = 0; i < y.length; i++) {
      assertEquals(yTrain[i], y[i], 1e-5 * Math.max(1, Math.abs(yTrain[i])), "y[" + i + "]");
    }
  }

  @Test
  void batchStatisticsAreTheTrainingForwardsAndStayAccurate() {
    int m = 50_000;
    int c = 3;
    List<Param> params = new ArrayList<>();
    BatchNorm bn = new BatchNorm("bn", c, params);
    float[] x = new float[m * c];
    for (int r = 0; r < m; r++) {
      for (int j = 0; j < c; j++) {
        // channel 2 sits at 1000 with spread about 0.1: E[x^2] - mean^2 in float would be noise
        x[r * c + j] = (float) ((j == 2 ? 1000 : j) + (j == 2 ? 0.1 : 1) * Math.sin(r * 0.37 + j));
      }
    }
    BatchNorm.Cache cache = bn.newCache();
    bn.forwardTrain(x, m, new float[m * c], cache);
    double[] mean = new double[c];
    double[] var = new double[c];
    bn.batchStatistics(x, m, mean, var);
    assertArrayEquals(cache.batchMean(), mean, 0.0, "the same statistics, bit for bit");
    assertArrayEquals(cache.batchVar(), var, 0.0);
    double[] wantMean = new double[c];
    double[] wantVar = new double[c];
    reference(x, m, c, new float[c], new float[c], wantMean, wantVar);
    for (int j = 0; j < c; j++) {
      assertEquals(wantMean[j], mean[j], 1e-6 * Math.max(1, Math.abs(wantMean[j])), "mean " + j);
      assertEquals(wantVar[j], var[j], 1e-5 * wantVar[j], "variance " + j);
    }
    assertEquals(0.005, var[2], 0.0005, "0.1^2 / 2 for a sine of amplitude 0.1");
  }
}
