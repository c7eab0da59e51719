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
 * The ViT/BERT GELU MLP over flat row-major blocks: adapted, trained in full, frozen or with DoRA, the gradients of
 * every trained array and of the input agree with central finite differences of a scalar loss (inputs scaled so
 * the pre-activations cover GELU's curved region); backward adds into dx; the training forward equals the inference
 * forward; the output matches an independent double-precision evaluation of
 * {@code W_2 GELU_tanh(W_1 x + b_1) + b_2} from the backbone's seed weights.
 */
class GeluMlpTest {
  private static final int D = 5;
  private static final int H = 9;
  private static final int N = 4;

  private static void check(MatrixMode mode, AdapterConfig ac, int expectParams) {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(4, GeluMlp.tensors("mlp", D, H, InitSpec.parse("normal")), 1);
    GeluMlp mlp = new GeluMlp("mlp", D, H, bb, ac, mode, params);
    assertEquals(expectParams, params.size(), mode.id() + " " + ac.variantName());
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
    java.util.Arrays.fill(dx, -0.75f);
    mlp.backward(r, dx);
    mlp.finish();
    for (int i = 0; i < dx.length; i++) {
      dx[i] += 0.75f;
    }
    double eps = 1e-3;
    Grad.checkParams(params, p -> new int[] {0, p.v.length / 2, p.v.length - 1}, mlp::refresh,
        () -> Grad.dot(mlp.forward(x, N, false), r), eps, 5e-4, 0.02);
    Grad.checkInput(x, dx, new int[] {0, 7, 13, N * D - 1}, () -> Grad.dot(mlp.forward(x, N, false), r), eps,
        5e-4, 0.02);
    assertTrue(Math.abs(dx[0]) > 0, "a gradient flows");
  }

  @Test
  void gradientsMatchFiniteDifferencesInEveryMode() {
    AdapterConfig ac = new AdapterConfig(2, 3.0, false, true, 0, false, 1);
    check(MatrixMode.ADAPTER, ac, 6);
    check(MatrixMode.ADAPTER, new AdapterConfig(2, 3.0, false, false, 0, false, 1), 4);
    check(MatrixMode.ADAPTER, ac.withVariants(true, false, false), 8);
    check(MatrixMode.FULL, ac, 2);
    check(MatrixMode.FROZEN, ac, 0);
  }

  @Test
  void frozenOutputMatchesTheFormula() {
    Backbone bb = Backbone.regenerate(4, GeluMlp.tensors("mlp", D, H, InitSpec.parse("normal")), 1);
    GeluMlp mlp = new GeluMlp("mlp", D, H, bb, AdapterConfig.defaults(2), MatrixMode.FROZEN, new ArrayList<>());
    float[] x = Grad.matrix(N, D, 3, 1.5);
    float[] y = mlp.forward(x, N, false);
    float[] w1 = bb.get("mlp.fc1.weight");
    float[] b1 = bb.get("mlp.fc1.bias");
    float[] w2 = bb.get("mlp.fc2.weight");
    float[] b2 = bb.get("mlp.fc2.bias");
    double c = Math.sqrt(2 / Math.PI);
    for (int i = 0; i < N; i++) {
      double[] a = new double[H];
      for (int o = 0; o < H; o++) {
        double v = b1[o];
        for (int j = 0; j < D; j++) {
          v += (double) w1[o * D + j] * x[i * D + j];
        }
        a[o] = 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
      }
      for (int o = 0; o < D; o++) {
        double s = b2[o];
        for (int j = 0; j < H; j++) {
          s += w2[o * H + j] * a[j];
        }
        assertEquals(s, y[i * D + o], 1e-4 * Math.max(1, Math.abs(s)), "y[" + i + "," + o + "]");
      }
    }
  }
}
