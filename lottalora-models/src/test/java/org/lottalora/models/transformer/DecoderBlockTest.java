package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Attention;
import org.lottalora.core.engine.Param;

/**
 * The pre-norm decoder block (attention with RoPE and adapters, frozen SwiGLU): gradients of every trained array
 * (adapters, betas, norm gains) and of the input against finite differences; KV-cached steps equal the whole
 * prefix's forward. Activations are flat row-major blocks [rows, d] of stacked sequences.
 */
class DecoderBlockTest {
  private static final int D = 8;

  private static float[] matrix(int rows, int cols, int salt) {
    float[] m = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i * cols + j] = (float) Math.sin(salt * 0.9 + i * 0.8 + j * 0.33);
      }
    }
    return m;
  }


  private static DecoderBlock block(List<Param> params) {
    Backbone bb = Backbone.regenerate(7, DecoderBlock.tensors("b0", D, 12, InitSpec.parse("normal")), 1);
    DecoderBlock b = new DecoderBlock("b0", D, 2, 12, bb, new AdapterConfig(2, 2.0, false, true, 0, false, 1),
        Targets.LM, params);
    for (Param p : params) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.25f * (float) Math.sin(i * 2 + p.name.length());
        }
      }
      if (p.name.endsWith("gain")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.8f + 0.05f * i;
        }
      }
    }
    b.refresh();
    return b;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    List<Param> params = new ArrayList<>();
    DecoderBlock b = block(params);
    assertEquals(4 * 3 + 2, params.size(), "adapters on Q, K, V, O and two norm gains; the MLP is frozen");
    int rows = 2 * 4; // two sequences of 4 tokens stacked
    float[] x = matrix(rows, D, 1);
    float[] r = matrix(rows, D, 2);
    b.forward(x, rows, 4, true);
    float[] dx = b.backward(r);
    b.finish();
    double eps = 1e-3;
    Gradients.checkParams(params, p -> new int[] {0, p.v.length - 1}, b::refresh,
        () -> Gradients.dot(b.forward(x, rows, 4, false), r), eps, 1e-3, 0.02);
    Gradients.checkInput(x, dx, new int[] {0, 2 * D + 5, 3 * D + 7, 6 * D + 2},
        () -> Gradients.dot(b.forward(x, rows, 4, false), r), eps, 1e-3, 0.02);
  }

  @Test
  void kvCachedStepsEqualTheWholePrefixForward() {
    DecoderBlock b = block(new ArrayList<>());
    int steps = 6;
    float[] x = matrix(steps, D, 3);
    float[] whole = b.forward(x, steps, steps, false);
    Attention.KvCache cache = b.newCache();
    for (int t = 0; t < steps; t++) {
      float[] y = b.step(cache, java.util.Arrays.copyOfRange(x, t * D, (t + 1) * D));
      for (int c = 0; c < D; c++) {
        assertEquals(whole[t * D + c], y[c], 1e-5f, "token " + t + " feature " + c);
      }
    }
  }
}
