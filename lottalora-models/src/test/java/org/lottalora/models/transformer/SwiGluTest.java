package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.MatrixMode;
import org.lottalora.core.engine.Param;

/**
 * SwiGLU: with adapters, the gradients of every adapter, beta and the input agree with finite differences; frozen
 * (the paper's LM MLP), it trains nothing and still passes the right gradient to its input.
 */
class SwiGluTest {
  private static float[][] matrix(int rows, int cols, int salt) {
    float[][] m = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = (float) Math.sin(salt * 1.1 + i * 0.6 + j * 0.47) * 1.5f;
      }
    }
    return m;
  }


  private static void check(boolean adapted) {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(2, SwiGlu.tensors("mlp", 6, 10, InitSpec.parse("normal")), 1);
    SwiGlu mlp = new SwiGlu("mlp", 6, 10, bb, new AdapterConfig(2, 2.0, false, true, 0, false, 1),
        adapted ? MatrixMode.ADAPTER : MatrixMode.FROZEN, params);
    assertEquals(adapted ? 9 : 0, params.size(), "A, B, beta of three matrices, or nothing when frozen");
    for (Param p : params) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.3f * (float) Math.cos(i + p.name.length());
        }
      }
    }
    mlp.refresh();
    float[][] x = matrix(3, 6, 1);
    float[][] r = matrix(3, 6, 2);
    mlp.forward(x);
    float[][] dx = mlp.backward(r);
    mlp.finish();
    double eps = 1e-3;
    Gradients.checkParams(params, p -> new int[] {0, p.v.length - 1}, mlp::refresh,
        () -> Gradients.dot(mlp.forward(x), r), eps, 5e-4, 0.02);
    Gradients.checkInput(x, dx, new int[][] {{0, 0}, {1, 4}, {2, 5}},
        () -> Gradients.dot(mlp.forward(x), r), eps, 5e-4, 0.02);
    assertTrue(Math.abs(dx[0][0]) > 0, "a gradient flows");
  }

  @Test
  void adaptedAndFrozenGradientsMatchFiniteDifferences() {
    check(true);
    check(false);
  }
}
