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
import org.lottalora.core.engine.Param;

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

  @Test
  void theBatchedGemmPathEqualsOneSequenceAtATime() {
    for (boolean causal : new boolean[] {true, false}) {
      int d = 32;
      int t = 64;
      int seqs = 16; // 16 sequences x 2 heads x 64 x 64 x 16 = 2^21 multiply-adds: the batched GEMM path
      assertTrue(org.lottalora.core.engine.Blas.large((long) seqs * 2 * t, d / 2, t));
      Backbone bb = Backbone.regenerate(4, SelfAttention.tensors("a", d, InitSpec.parse("normal")), 1);
      List<Param> pb = new ArrayList<>();
      SelfAttention batched = new SelfAttention("a", d, 2, causal, bb, AdapterConfig.defaults(2), false, pb)
          .withRope(10000);
      List<Param> ps = new ArrayList<>();
      SelfAttention single = new SelfAttention("a", d, 2, causal, bb, AdapterConfig.defaults(2), false, ps)
          .withRope(10000);
      for (List<Param> l : List.of(pb, ps)) {
        for (Param p : l) {
          if (p.name.endsWith("lora_B")) {
            for (int i = 0; i < p.v.length; i++) {
              p.v[i] = 0.2f * (float) Math.cos(i);
            }
          }
        }
      }
      batched.refresh();
      single.refresh();
      float[][] x = matrix(seqs * t, d, 3);
      float[][] dy = matrix(seqs * t, d, 5);
      int[] lengths = new int[seqs];
      for (int s = 0; s < seqs; s++) {
        lengths[s] = causal ? t : t - s; // padding masks on the encoder side
      }
      float[][] y = batched.forward(x, t, causal ? null : lengths);
      float[][] dx = batched.backward(dy);
      batched.finish();
      for (int s = 0; s < seqs; s++) {
        float[][] xs = java.util.Arrays.copyOfRange(x, s * t, (s + 1) * t);
        float[][] ys = single.forward(xs, t, causal ? null : new int[] {lengths[s]});
        float[][] dxs = single.backward(java.util.Arrays.copyOfRange(dy, s * t, (s + 1) * t));
        for (int i = 0; i < t; i++) {
          for (int j = 0; j < d; j++) {
            assertEquals(ys[i][j], y[s * t + i][j], 1e-4, "y");
            assertEquals(dxs[i][j], dx[s * t + i][j], 1e-4, "dx");
          }
        }
      }
      single.finish(); // the per-sequence gradients accumulated across the 16 calls
      for (int k = 0; k < pb.size(); k++) {
        for (int i = 0; i < pb.get(k).g.length; i++) {
          assertEquals(ps.get(k).g[i], pb.get(k).g[i], 1e-3 * Math.max(1, Math.abs(ps.get(k).g[i])),
              pb.get(k).name);
        }
      }
    }
  }
}
