package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/**
 * Multi-head self-attention over flat row-major blocks ({@link Attention}), ported from the row-based
 * SelfAttentionTest: the gradients of every trained array (A, B and beta of W_Q, W_K, W_V, W_O; full weights; DoRA
 * magnitudes) and of the input agree with central finite differences of a scalar loss for a causal mask, a full
 * mask, a padding mask, with RoPE, over two stacked sequences, and with the projections adapted, trained in full,
 * frozen or DoRA; backward adds into dx rather than overwriting it; the causal mask lets no later token change an
 * earlier output (bit for bit) and no sequence see another; padded keys get no attention; KV-cached steps equal the
 * rows of the whole prefix's inference forward within 1e-6; many sequences at once equal one sequence at a time; a
 * width the heads do not divide is refused with the block's name.
 */
class AttentionTest {
  private static final int D = 8;
  private static final int T = 5;
  private static final AdapterConfig AC = new AdapterConfig(2, 3.0, false, true, 0, false, 1);

  private static Backbone backbone(String prefix, int d) {
    return Backbone.regenerate(3, Attention.tensors(prefix, d, InitSpec.parse("normal")), 1);
  }

  private static void check(boolean causal, boolean rope, int[] lengths, MatrixMode mode, AdapterConfig ac,
      int expectParams) {
    check(T, D, causal, rope, lengths, mode, ac, expectParams);
  }

  private static void check(int T, int D, boolean causal, boolean rope, int[] lengths, MatrixMode mode,
      AdapterConfig ac, int expectParams) {
    List<Param> params = new ArrayList<>();
    Attention att = new Attention("att", D, 2, causal, backbone("att", D), ac, mode, params);
    assertEquals(expectParams, params.size(), mode + " " + ac.variantName());
    if (rope) {
      att.withRope(10000);
    }
    Grad.perturb(params);
    att.refresh();
    int seqs = 2;
    int n = seqs * T;
    float[] x = Grad.matrix(n, D, 1, 1);
    float[] r = Grad.matrix(n, D, 2, 1);
    att.forward(x, n, T, lengths, true);
    float[] dx = new float[n * D];
    java.util.Arrays.fill(dx, 0.5f); // backward adds into dx
    att.backward(r, dx);
    att.finish();
    for (int i = 0; i < dx.length; i++) {
      dx[i] -= 0.5f;
    }
    double eps = 1e-3;
    int checked = Grad.checkParams(params, p -> new int[] {0, p.v.length / 2, p.v.length - 1}, att::refresh,
        () -> Grad.dot(att.forward(x, n, T, lengths, false), r), eps, 5e-4, 0.02);
    assertEquals(3 * expectParams, checked);
    Grad.checkInput(x, dx, new int[] {0, 2 * D + 3, 4 * D + 5, 7 * D + 1, n * D - 1},
        () -> Grad.dot(att.forward(x, n, T, lengths, false), r), eps, 5e-4, 0.02);
    assertTrue(Math.abs(dx[0]) > 1e-4, "a gradient flows to the input");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    check(true, false, null, MatrixMode.ADAPTER, AC, 12);
    check(false, false, null, MatrixMode.ADAPTER, AC, 12);
    check(true, true, null, MatrixMode.ADAPTER, AC, 12);
    check(false, true, new int[] {3, 5}, MatrixMode.ADAPTER, AC, 12);
  }

  /**
   * Short sequences (the checks above) run through {@link AttentionLanes}; 64 tokens at head width 8 run each
   * sequence-head pair through OpenBLAS: the same checks hold there.
   */
  @Test
  void longSequencesOnThePerPairPathMatchFiniteDifferences() {
    assertTrue(AttentionLanes.suits(T, D / 2) && !AttentionLanes.suits(64, 8));
    check(64, 16, true, true, null, MatrixMode.ADAPTER, AC, 12);
    check(64, 16, false, false, new int[] {40, 64}, MatrixMode.ADAPTER, AC, 12);
  }

  @Test
  void fullFrozenAndDoraGradientsMatchFiniteDifferences() {
    check(true, true, null, MatrixMode.FULL, AC, 4);
    check(true, true, null, MatrixMode.FROZEN, AC, 0);
    check(false, false, new int[] {4, 2}, MatrixMode.ADAPTER, AC.withVariants(true, false, false), 16);
  }

  @Test
  void kvCachedStepsEqualTheWholePrefixForward() {
    kvCache(D, 2, T, false);
    kvCache(D, 2, T, true);
  }

  /**
   * At a realistic width the whole prefix's projections (T d d >= Gemm.SMALL) run through OpenBLAS while a single
   * step's (d d) run in Java loops: the two agree to rounding.
   */
  @Test
  void kvCachedStepsEqualTheWholePrefixForwardAtAWidthOnTheOpenBlasPath() {
    assertTrue(20L * 32 * 32 >= Gemm.SMALL && 32L * 32 < Gemm.SMALL);
    kvCache(32, 4, 20, true);
  }

  @Test
  void aNonCausalBlockRefusesACache() {
    Attention full = new Attention("att", D, 2, false, backbone("att", D), AdapterConfig.defaults(2),
        MatrixMode.ADAPTER, new ArrayList<>());
    assertThrows(IllegalStateException.class, full::newCache, "no cache without the causal mask");
  }

  private static void kvCache(int d, int heads, int steps, boolean rope) {
    List<Param> params = new ArrayList<>();
    Attention att = new Attention("att", d, heads, true, backbone("att", d), AdapterConfig.defaults(2),
        MatrixMode.ADAPTER, params);
    if (rope) {
      att.withRope(10000);
    }
    Grad.perturb(params);
    att.refresh();
    float[] x = Grad.matrix(steps, d, 6, 1);
    float[] whole = att.forward(x, steps, steps, null, false);
    Attention.KvCache cache = att.newCache();
    for (int t = 0; t < steps; t++) {
      float[] y = att.step(cache, java.util.Arrays.copyOfRange(x, t * d, (t + 1) * d));
      for (int c = 0; c < d; c++) {
        assertEquals(whole[t * d + c], y[c], 1e-6f, "d " + d + " rope " + rope + " token " + t + " feature " + c);
      }
    }
    assertEquals(steps, cache.size());
  }

  @Test
  void theCausalMaskLetsNoFutureTokenLeak() {
    Backbone bb = backbone("att", D);
    Attention causal = new Attention("att", D, 4, true, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER,
        new ArrayList<>());
    int n = 2 * T; // two sequences: token 3 of the first changes
    float[] x = Grad.matrix(n, D, 4, 1);
    float[] before = causal.forward(x, n, T, null, false);
    float[] changed = x.clone();
    for (int c = 0; c < D; c++) {
      changed[3 * D + c] += 5f;
    }
    float[] after = causal.forward(changed, n, T, null, false);
    for (int i = 0; i < n; i++) {
      if (i == 3 || i == 4) {
        continue;
      }
      for (int c = 0; c < D; c++) {
        assertEquals(before[i * D + c], after[i * D + c], 0f, "output " + i + " must not see token 3");
      }
    }
    assertNotEquals(before[3 * D], after[3 * D], "token 3's own output changes");
    assertNotEquals(before[4 * D], after[4 * D], "token 4 sees token 3");
    Attention full = new Attention("att", D, 4, false, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER,
        new ArrayList<>());
    assertNotEquals(full.forward(x, n, T, null, false)[0], full.forward(changed, n, T, null, false)[0],
        "without the mask token 0 sees token 3");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Attention("blk7.attn", D, 3, true, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER,
            new ArrayList<>()));
    assertTrue(e.getMessage().contains("not divisible by 3 heads"), e.getMessage());
    assertTrue(e.getMessage().contains("blk7.attn"), "names the block: " + e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> causal.forward(x, n - 1, T, null, false),
        "rows that are not whole sequences");
  }

  @Test
  void paddedKeysGetNoAttention() {
    Attention att = new Attention("a", D, 2, false, backbone("a", D), AdapterConfig.defaults(2),
        MatrixMode.ADAPTER, new ArrayList<>());
    float[] x = Grad.matrix(2 * T, D, 8, 1.3);
    int[] lengths = {3, T};
    float[] padded = att.forward(x, 2 * T, T, lengths, false);
    float[] changed = x.clone();
    for (int c = 0; c < D; c++) {
      changed[3 * D + c] = 0f;
      changed[4 * D + c] = 9f;
    }
    float[] again = att.forward(changed, 2 * T, T, lengths, false);
    float[] alone = att.forward(java.util.Arrays.copyOf(x, 3 * D), 3, 3, null, false);
    float[] second = att.forward(java.util.Arrays.copyOfRange(x, T * D, 2 * T * D), T, T, null, false);
    for (int i = 0; i < 3 * D; i++) {
      assertEquals(padded[i], again[i], 0f, "the padded positions' values do not reach a real token");
      assertEquals(alone[i], padded[i], 1e-5, "a padded sequence equals its real prefix alone");
    }
    for (int i = 0; i < T * D; i++) {
      assertEquals(second[i], padded[T * D + i], 1e-5, "the unpadded sequence is untouched");
    }
    float[] unmasked = att.forward(x, 2 * T, T, null, false);
    assertNotEquals(unmasked[0], padded[0], "without the padding mask token 0 sees the padding");
  }

  @Test
  void manySequencesAtOnceEqualOneSequenceAtATime() {
    for (boolean causal : new boolean[] {true, false}) {
      int d = 32;
      int t = 64;
      int seqs = 6;
      Backbone bb = backbone("a", d);
      List<Param> pb = new ArrayList<>();
      Attention batched = new Attention("a", d, 2, causal, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER, pb)
          .withRope(10000);
      List<Param> ps = new ArrayList<>();
      Attention single = new Attention("a", d, 2, causal, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER, ps)
          .withRope(10000);
      Grad.perturb(pb);
      Grad.perturb(ps);
      batched.refresh();
      single.refresh();
      float[] x = Grad.matrix(seqs * t, d, 3, 1);
      float[] dy = Grad.matrix(seqs * t, d, 5, 1);
      int[] lengths = new int[seqs];
      for (int s = 0; s < seqs; s++) {
        lengths[s] = causal ? t : t - 7 * s;
      }
      float[] y = batched.forward(x, seqs * t, t, causal ? null : lengths, true);
      float[] dx = new float[seqs * t * d];
      batched.backward(dy, dx);
      batched.finish();
      for (int s = 0; s < seqs; s++) {
        float[] xs = java.util.Arrays.copyOfRange(x, s * t * d, (s + 1) * t * d);
        float[] ys = single.forward(xs, t, t, causal ? null : new int[] {lengths[s]}, true);
        float[] dxs = new float[t * d];
        single.backward(java.util.Arrays.copyOfRange(dy, s * t * d, (s + 1) * t * d), dxs);
        for (int i = 0; i < t * d; i++) {
          assertEquals(ys[i], y[s * t * d + i], 1e-4, "y");
          assertEquals(dxs[i], dx[s * t * d + i], 1e-4, "dx");
        }
      }
      single.finish(); // the per-sequence gradients accumulated across the calls
      for (int k = 0; k < pb.size(); k++) {
        for (int i = 0; i < pb.get(k).g.length; i++) {
          assertEquals(ps.get(k).g[i], pb.get(k).g[i], 1e-3 * Math.max(1, Math.abs(ps.get(k).g[i])),
              pb.get(k).name);
        }
      }
    }
  }

  @Test
  void forwardKeepsNoStateAcrossCalls() {
    Attention att = new Attention("a", D, 2, true, backbone("a", D), AdapterConfig.defaults(2), MatrixMode.ADAPTER,
        new ArrayList<>());
    float[] x = Grad.matrix(T, D, 9, 1);
    float[] y1 = att.forward(x, T, T, null, false);
    att.forward(Grad.matrix(3 * T, D, 10, 1), 3 * T, T, null, true); // a larger block in between
    assertArrayEquals(y1, att.forward(x, T, T, null, false));
  }
}
