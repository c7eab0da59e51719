package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link AdaptedDense} on flat blocks: the training forward ({@code forwardTrain}, factored for a plain adapter)
 * equals the inference forward; {@code backward}'s gradients (A, B and beta; the full-mode W; DoRA's magnitude, A,
 * B and beta) and its input gradient match central finite differences of the scalar loss
 * {@code sum(r z) + sum(z^2) / 2} in modes ADAPTER, ADAPTER with beta fixed, FULL, FROZEN (no trained arrays, dx
 * still right) and DoRA, at a small width (Java-loop products, every index checked) and a wide one (OpenBLAS
 * products); {@code addDx} adds while its absence overwrites (NaN ignored); the row API (forward, accumulate,
 * finish) and the flat API give the same gradients on the same data; and SameDiff's autodiff of the same formula
 * (plain adapter and DoRA, built from sd ops) gives the same gradients, as an independent oracle.
 */
class AdaptedDenseTest {
  @Test
  void mergeRowsIsItsDocumentedFormulaBitForBitInLanesAndScalarAtAnyChunking() {
    java.util.Random g = new java.util.Random(5);
    boolean was = AdaptedDense.simdMerge;
    try {
      for (int[] shape : new int[][] {{37, 53, 8}, {16, 64, 4}, {9, 300, 3}, {5, 17, 1}, {40, 129, 13}}) {
        int out = shape[0];
        int in = shape[1];
        int r = shape[2];
        float[] w = new float[out * in];
        float[] b = new float[out * r];
        float[] a = new float[r * in];
        for (float[] v : new float[][] {w, b, a}) {
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) g.nextGaussian();
          }
        }
        float beta = 0.75f;
        float s = 1.5f;
        float[] expected = new float[out * in];
        for (int i = 0; i < out; i++) {
          for (int j = 0; j < in; j++) {
            float sum = 0f;
            for (int k = 0; k < r; k++) {
              sum += b[i * r + k] * a[k * in + j];
            }
            expected[i * in + j] = beta * w[i * in + j] + s * sum;
          }
        }
        for (boolean simd : new boolean[] {true, false}) {
          AdaptedDense.simdMerge = simd;
          float[] whole = new float[out * in];
          AdaptedDense.mergeRows(w, 0, beta, s, b, a, in, r, 0, out, whole, 0);
          float[] chunked = w.clone(); // in place, three rows at a time
          for (int row = 0; row < out; row += 3) {
            int to = Math.min(out, row + 3);
            AdaptedDense.mergeRows(chunked, row * in, beta, s, b, a, in, r, row, to, chunked, row * in);
          }
          for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(whole[i]),
                (simd ? "SIMD" : "scalar") + " " + java.util.Arrays.toString(shape) + " value " + i);
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(chunked[i]),
                (simd ? "SIMD" : "scalar") + " chunked " + java.util.Arrays.toString(shape) + " value " + i);
          }
        }
      }
    } finally {
      AdaptedDense.simdMerge = was;
    }
  }

  private static final int N = 4;

  private enum Kind {
    ADAPTER, BETA_FIXED, FULL, FROZEN, DORA
  }

  private record Layer(AdaptedDense dense, List<Param> params, Backbone bb) {
  }

  private static Layer layer(Kind kind, int in, int out) {
    Backbone bb = Backbone.regenerate(5, AdaptedDense.tensors("l", in, out, InitSpec.parse("normal")), 1);
    AdapterConfig ac = new AdapterConfig(3, 2.0, false, kind != Kind.BETA_FIXED, 0, false, 1);
    if (kind == Kind.DORA) {
      ac = ac.withVariants(true, false, false);
    }
    MatrixMode mode = switch (kind) {
      case FULL -> MatrixMode.FULL;
      case FROZEN -> MatrixMode.FROZEN;
      default -> MatrixMode.ADAPTER;
    };
    List<Param> params = new ArrayList<>();
    AdaptedDense d = mode.layer("l", in, out, bb, ac, params);
    Grad.perturb(params);
    for (Param p : params) {
      if (p.name.endsWith("dora_m")) {
        for (int o = 0; o < p.v.length; o++) {
          p.v[o] *= 1.1f + 0.05f * o; // away from the seed norms
        }
      }
      if (p.name.endsWith(".weight")) {
        p.v[0] += 0.5f;
      }
    }
    d.refresh();
    return new Layer(d, params, bb);
  }

  private static int expectedParams(Kind kind) {
    return switch (kind) {
      case ADAPTER -> 3;
      case BETA_FIXED -> 2;
      case FULL -> 1;
      case FROZEN -> 0;
      case DORA -> 4;
    };
  }

  private static double loss(float[] z, float[] r) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += (double) r[i] * z[i] + 0.5 * (double) z[i] * z[i];
    }
    return s;
  }

  private static float[] dLoss(float[] z, float[] r) {
    float[] dz = new float[r.length];
    for (int i = 0; i < r.length; i++) {
      dz[i] = r[i] + z[i];
    }
    return dz;
  }

  /** Flat training pass: returns dx; the parameters' g hold the gradients (zeroed first). */
  private static float[] flatBackward(Layer l, float[] x, float[] r, boolean addDx) {
    Grad.zero(l.params());
    AdaptedDense d = l.dense();
    float[] z = new float[N * d.out];
    AdaptedDense.Cache c = d.newCache();
    d.forwardTrain(x, N, z, c);
    float[] dx = new float[N * d.in];
    java.util.Arrays.fill(dx, addDx ? 0.5f : Float.NaN);
    d.backward(dLoss(z, r), x, N, c, dx, addDx);
    d.finish();
    if (addDx) {
      for (int i = 0; i < dx.length; i++) {
        dx[i] -= 0.5f;
      }
    }
    return dx;
  }

  private static void check(Kind kind, int in, int out, boolean everyIndex) {
    Layer l = layer(kind, in, out);
    AdaptedDense d = l.dense();
    assertEquals(expectedParams(kind), l.params().size(), kind.name());
    float[] x = Grad.matrix(N, in, 1, 1);
    float[] r = Grad.matrix(N, out, 2, 1);
    float[] zInf = new float[N * out];
    d.forward(x, N, zInf);
    float[] zTrain = new float[N * out];
    java.util.Arrays.fill(zTrain, Float.NaN);
    d.forwardTrain(x, N, zTrain, d.newCache());
    for (int i = 0; i < zInf.length; i++) {
      assertEquals(zInf[i], zTrain[i], 1e-5 * Math.max(1, Math.abs(zInf[i])), kind + " forwardTrain = forward " + i);
    }
    for (boolean addDx : new boolean[] {true, false}) {
      float[] dx = flatBackward(l, x, r, addDx);
      double eps = 1e-2;
      java.util.function.DoubleSupplier lossNow = () -> {
        float[] z = new float[N * out];
        d.forward(x, N, z);
        return loss(z, r);
      };
      int checked = Grad.checkParams(l.params(),
          p -> everyIndex ? Grad.all(p)
              : java.util.stream.IntStream.of(0, 1, p.v.length / 2, p.v.length - 1).filter(i -> i < p.v.length)
                  .distinct().toArray(), d::refresh, lossNow,
          eps, 2e-3, 2e-3);
      assertTrue(kind == Kind.FROZEN || checked > 0);
      int[] at = new int[everyIndex ? N * in : 6];
      for (int i = 0; i < at.length; i++) {
        at[i] = everyIndex ? i : (int) ((long) i * (N * in - 1) / (at.length - 1));
      }
      Grad.checkInput(x, dx, at, lossNow, eps, 2e-3, 2e-3);
    }
  }

  @Test
  void smallLayerGradientsMatchFiniteDifferencesInEveryMode() {
    for (Kind k : Kind.values()) {
      check(k, 7, 5, true);
    }
  }

  @Test
  void wideLayerGradientsMatchFiniteDifferencesInEveryMode() {
    assertTrue((long) N * 160 * 72 >= Gemm.SMALL, "the forward product takes the OpenBLAS path");
    for (Kind k : Kind.values()) {
      check(k, 160, 72, false);
    }
  }

  @Test
  void aRankAboveTheWidthIsClippedAndStillRight() {
    Layer l = layer(Kind.ADAPTER, 2, 5); // rank 3 > in = 2
    Param a = l.params().stream().filter(p -> p.name.endsWith("lora_A")).findFirst().orElseThrow();
    assertEquals(2 * 2, a.v.length, "rank min(3, 2, 5) = 2");
    check(Kind.ADAPTER, 2, 5, true);
  }

  @Test
  void rowAndFlatApisGiveTheSameGradients() {
    for (Kind kind : Kind.values()) {
      for (int[] shape : new int[][] {{7, 5}, {40, 36}}) {
        int in = shape[0];
        int out = shape[1];
        Layer l = layer(kind, in, out);
        AdaptedDense d = l.dense();
        float[] x = Grad.matrix(N, in, 3, 1);
        float[] r = Grad.matrix(N, out, 4, 1);
        float[] dxFlat = flatBackward(l, x, r, false);
        List<float[]> gFlat = new ArrayList<>();
        for (Param p : l.params()) {
          gFlat.add(p.g.clone());
        }
        Grad.zero(l.params());
        float[][] xr = new float[N][];
        for (int i = 0; i < N; i++) {
          xr[i] = java.util.Arrays.copyOfRange(x, i * in, (i + 1) * in);
        }
        float[][] z = d.forward(xr);
        float[][] dz = new float[N][out];
        for (int i = 0; i < N; i++) {
          for (int o = 0; o < out; o++) {
            dz[i][o] = r[i * out + o] + z[i][o];
          }
        }
        float[][] dxRow = d.accumulate(dz, xr);
        d.finish();
        String what = kind + " " + in + "x" + out;
        for (int i = 0; i < N; i++) {
          for (int j = 0; j < in; j++) {
            assertEquals(dxRow[i][j], dxFlat[i * in + j], 1e-4 * Math.max(1, Math.abs(dxRow[i][j])), what + " dx");
          }
        }
        for (int k = 0; k < l.params().size(); k++) {
          Param p = l.params().get(k);
          for (int i = 0; i < p.g.length; i++) {
            assertEquals(p.g[i], gFlat.get(k)[i], 1e-4 * Math.max(1, Math.abs(p.g[i])), what + " " + p.name + i);
          }
        }
      }
    }
  }

  private static INDArray nd(float[] v, long... shape) {
    return Nd4j.create(v.clone(), shape).castTo(DataType.FLOAT);
  }

  private static Param named(List<Param> ps, String suffix) {
    return ps.stream().filter(p -> p.name.endsWith(suffix)).findFirst().orElseThrow();
  }

  /** SameDiff autodiff of {@code z = x (beta W + s B A)'^T + b}, with DoRA's {@code m V / ||V||} when asked. */
  private static void sameDiffOracle(boolean dora) {
    int in = 9;
    int out = 6;
    Layer l = layer(dora ? Kind.DORA : Kind.ADAPTER, in, out);
    float[] x = Grad.matrix(N, in, 5, 1);
    float[] r = Grad.matrix(N, out, 6, 1);
    float[] dx = flatBackward(l, x, r, false);
    List<Param> ps = l.params();
    Param a = named(ps, "lora_A");
    Param b = named(ps, "lora_B");
    Param beta = named(ps, "beta");
    int rank = a.v.length / in;
    double s = 2.0 / 3; // alpha / r
    SameDiff sd = SameDiff.create();
    SDVariable xv = sd.var("x", nd(x, N, in));
    SDVariable av = sd.var("A", nd(a.v, rank, in));
    SDVariable bv = sd.var("B", nd(b.v, out, rank));
    SDVariable betav = sd.var("beta", nd(beta.v, 1));
    SDVariable w = sd.constant("W", nd(l.bb().get("l.weight"), out, in));
    SDVariable bias = sd.constant("bias", nd(l.bb().get("l.bias"), out));
    SDVariable weff = w.mul(betav).add(bv.mmul(av).mul(s));
    List<String> names = new ArrayList<>(List.of("x", "A", "B", "beta"));
    if (dora) {
      Param m = named(ps, "dora_m");
      SDVariable mv = sd.var("m", nd(m.v, out, 1));
      SDVariable norm = sd.math.sqrt(weff.mul(weff).sum(true, 1)); // [out, 1]
      weff = weff.mul(mv).div(norm);
      names.add("m");
    }
    SDVariable z = sd.mmul(xv, weff, false, true, false).add(bias);
    SDVariable rv = sd.constant("r", nd(r, N, out));
    SDVariable lossv = z.mul(rv).sum().add(z.mul(z).sum().mul(0.5));
    lossv.markAsLoss();
    Map<String, INDArray> g = sd.calculateGradients(java.util.Collections.emptyMap(), names.toArray(new String[0]));
    compare("dx", g.get("x"), dx);
    compare("dA", g.get("A"), a.g);
    compare("dB", g.get("B"), b.g);
    compare("dbeta", g.get("beta"), beta.g);
    if (dora) {
      compare("dm", g.get("m"), named(ps, "dora_m").g);
    }
  }

  private static void compare(String what, INDArray want, float[] got) {
    float[] w = want.dup().reshape(want.length()).toFloatVector();
    assertEquals(w.length, got.length, what + " length");
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], got[i], 1e-4 * Math.max(1, Math.abs(w[i])), what + "[" + i + "]");
    }
  }

  @Test
  void sameDiffAutodiffAgreesOnThePlainAdapter() {
    sameDiffOracle(false);
  }

  @Test
  void sameDiffAutodiffAgreesOnDora() {
    sameDiffOracle(true);
  }
}
