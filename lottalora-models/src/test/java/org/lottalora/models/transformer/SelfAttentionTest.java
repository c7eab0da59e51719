package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.models.engine.Param;

/**
 * Self-attention with adapters on W_Q, W_K, W_V, W_O (issue 4, first block): gradients of every adapter, beta and the
 * input agree with central finite differences for a causal and a full mask, and with RoPE; the causal mask lets no
 * later token change an earlier output; a KV-cached step equals the last row of the whole prefix's forward; a width
 * the heads do not divide is refused.
 */
class SelfAttentionTest {
  private static final int D = 8;
  private static final int T = 5;

  private static float[][] matrix(int rows, int cols, int salt) {
    float[][] m = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = (float) Math.sin(salt * 1.7 + i * 0.9 + j * 0.37);
      }
    }
    return m;
  }


  private static void check(boolean causal, boolean rope) {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(3, SelfAttention.tensors("att", D, InitSpec.parse("normal")), 1);
    SelfAttention att = new SelfAttention("att", D, 2, causal, bb,
        new AdapterConfig(2, 2.0, false, true, 0, false, 1), false, params);
    if (rope) {
      att.withRope(10000);
    }
    for (Param p : params) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = (float) Math.cos(i + p.name.length()) * 0.3f;
        }
      }
      if (p.name.endsWith("beta")) {
        p.v[0] = 0.9f;
      }
    }
    att.refresh();
    float[][] x = matrix(T, D, 1);
    float[][] r = matrix(T, D, 2);
    att.forward(x);
    float[][] dx = att.backward(r);
    att.finish();
    double eps = 1e-3;
    int checked = Gradients.checkParams(params, p -> new int[] {0, p.v.length / 2, p.v.length - 1},
        att::refresh, () -> Gradients.dot(att.forward(x), r), eps, 5e-4, 0.02);
    assertEquals(3 * 12, checked, "A, B and beta of Q, K, V and O");
    Gradients.checkInput(x, dx, new int[][] {{0, 0}, {2, 3}, {4, 5}},
        () -> Gradients.dot(att.forward(x), r), eps, 5e-4, 0.02);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    check(true, false);
    check(false, false);
    check(true, true);
  }

  @Test
  void kvCachedStepsEqualTheWholePrefixForward() {
    kvCache(false);
    kvCache(true);
  }

  private static void kvCache(boolean rope) {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(3, SelfAttention.tensors("att", D, InitSpec.parse("normal")), 1);
    SelfAttention att = new SelfAttention("att", D, 2, true, bb, AdapterConfig.defaults(2), false, params);
    if (rope) {
      att.withRope(10000);
    }
    for (Param p : params) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.2f * (float) Math.sin(i * 3 + p.name.length());
        }
      }
    }
    att.refresh();
    float[][] x = matrix(T, D, 6);
    float[][] whole = att.forward(x);
    SelfAttention.KvCache cache = att.newCache();
    for (int t = 0; t < T; t++) {
      float[] y = att.step(cache, x[t]);
      for (int c = 0; c < D; c++) {
        assertEquals(whole[t][c], y[c], 1e-6f, "token " + t + " feature " + c);
      }
    }
    assertEquals(T, cache.size());
    SelfAttention full = new SelfAttention("att", D, 2, false, bb, AdapterConfig.defaults(2), false,
        new ArrayList<>());
    assertThrows(IllegalStateException.class, full::newCache, "no cache without the causal mask");
  }

  @Test
  void theCausalMaskLetsNoFutureTokenLeak() {
    List<Param> params = new ArrayList<>();
    Backbone bb = Backbone.regenerate(3, SelfAttention.tensors("att", D, InitSpec.parse("normal")), 1);
    SelfAttention causal = new SelfAttention("att", D, 4, true, bb, AdapterConfig.defaults(2), false, params);
    float[][] x = matrix(T, D, 4);
    float[][] before = causal.forward(x);
    float[][] changed = matrix(T, D, 4);
    for (int c = 0; c < D; c++) {
      changed[3][c] += 5f; // token 3 changes
    }
    float[][] after = causal.forward(changed);
    for (int i = 0; i < 3; i++) {
      for (int c = 0; c < D; c++) {
        assertEquals(before[i][c], after[i][c], 0f, "output " + i + " must not see token 3");
      }
    }
    assertNotEquals(before[3][0], after[3][0], "token 3's own output changes");
    SelfAttention full = new SelfAttention("att", D, 4, false, bb, AdapterConfig.defaults(2), false,
        new ArrayList<>());
    assertNotEquals(full.forward(x)[0][0], full.forward(changed)[0][0], "without the mask token 0 sees token 3");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SelfAttention("att", D, 3, true, bb, AdapterConfig.defaults(2), false, new ArrayList<>()));
    assertTrue(e.getMessage().contains("not divisible by 3 heads"), e.getMessage());
  }
}
