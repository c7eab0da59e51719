package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;

/**
 * SwiGLU over flat row-major blocks: adapted, trained in full, or frozen (the paper's LM MLP, which trains nothing
 * and still passes the right gradient to its input), the gradients of every trained array and of the input agree
 * with central finite differences of a scalar loss; backward adds into dx; the training forward equals the
 * inference forward; the output matches an independent double-precision evaluation of
 * {@code W_down (silu(W_gate x) * W_up x)} from the backbone's seed weights.
 */
class SwiGluTest {
  private static final int D = 6;
  private static final int H = 10;
  private static final int N = 3;

  private static void check(MatrixMode mode, int expectParams) {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(2, SwiGlu.tensors("mlp", D, H, InitSpec.parse("normal")), 1);
    SwiGlu mlp = new SwiGlu("mlp", D, H, bb, new AdapterConfig(2, 3.0, false, true, 0, false, 1), mode, params);
    assertEquals(expectParams, params.size(), mode.id());
    Grad.perturb(params);
    mlp.refresh();
    float[] x = Grad.matrix(N, D, 1, 1.5);
    float[] r = Grad.matrix(N, D, 2, 1.5);
    float[] yInf = mlp.forward(x, N, false);
    float[] yTrain = mlp.forward(x, N, true);
    for (int i = 0; i < yInf.length; i++) {
      assertEquals(yInf[i], yTrain[i], 1e-5, "training forward = inference forward");
    }
    float[] dx = new float[N * D];
    java.util.Arrays.fill(dx, 0.25f);
    mlp.backward(r, dx);
    mlp.finish();
    for (int i = 0; i < dx.length; i++) {
      dx[i] -= 0.25f;
    }
    double eps = 1e-3;
    Grad.checkParams(params, p -> new int[] {0, p.v.length / 2, p.v.length - 1}, mlp::refresh,
        () -> Grad.dot(mlp.forward(x, N, false), r), eps, 5e-4, 0.02);
    Grad.checkInput(x, dx, new int[] {0, 10, 17}, () -> Grad.dot(mlp.forward(x, N, false), r), eps, 5e-4, 0.02);
    assertTrue(Math.abs(dx[0]) > 0, "a gradient flows");
  }

  @Test
  void adaptedFullAndFrozenGradientsMatchFiniteDifferences() {
    check(MatrixMode.ADAPTER, 9);
    check(MatrixMode.FULL, 3);
    check(MatrixMode.FROZEN, 0);
  }

  @Test
  void frozenOutputMatchesTheFormula() {
    Backbone bb = Backbone.regenerate(2, SwiGlu.tensors("mlp", D, H, InitSpec.parse("normal")), 1);
    SwiGlu mlp = new SwiGlu("mlp", D, H, bb, AdapterConfig.defaults(2), MatrixMode.FROZEN, new ArrayList<>());
    float[] x = Grad.matrix(N, D, 3, 1.5);
    float[] y = mlp.forward(x, N, false);
    float[] wg = bb.get("mlp.gate.weight");
    float[] bg = bb.get("mlp.gate.bias");
    float[] wu = bb.get("mlp.up.weight");
    float[] bu = bb.get("mlp.up.bias");
    float[] wd = bb.get("mlp.down.weight");
    float[] bd = bb.get("mlp.down.bias");
    for (int i = 0; i < N; i++) {
      double[] h = new double[H];
      for (int o = 0; o < H; o++) {
        double g = bg[o];
        double u = bu[o];
        for (int j = 0; j < D; j++) {
          g += (double) wg[o * D + j] * x[i * D + j];
          u += (double) wu[o * D + j] * x[i * D + j];
        }
        h[o] = g / (1 + Math.exp(-g)) * u;
      }
      for (int o = 0; o < D; o++) {
        double s = bd[o];
        for (int j = 0; j < H; j++) {
          s += wd[o * H + j] * h[j];
        }
        assertEquals(s, y[i * D + o], 1e-4 * Math.max(1, Math.abs(s)), "y[" + i + "," + o + "]");
      }
    }
  }
}
