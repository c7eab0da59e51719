package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.util.Threads;

/**
 * {@link Gemm}, the engine's one matrix product, against a double-precision reference computed here from the
 * definition {@code C = alpha op(A) op(B) + beta C}: all four transpose combinations, on the Java-loop path
 * ({@code m n k < SMALL} through {@code mm}) and the OpenBLAS path (large shapes through {@code mm}, and
 * {@link Gemm#blas} at any shape), with blocks at offsets inside larger arrays whose other entries must stay
 * untouched; {@code beta = 0} ignores NaN in C and {@code beta = 1} accumulates. A row's result is bit-identical
 * whether computed alone (m = 1) or inside a larger m on the loop path, and equal to rounding on OpenBLAS. {@link Parallel}-using ops (attention forward
 * and backward, whose sequence-head pairs are split over threads) give bit-identical results with
 * {@code Threads.apply(1)} and {@code Threads.apply(2)}.
 */
class GemmTest {
  private static final float SENTINEL = -12345f;

  private interface Product {
    void run(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b, int bOff,
        float beta, float[] c, int cOff);
  }

  private static float[] rand(Random r, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static double ref(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff,
      float[] b, int bOff, float beta, float c0, int i, int j) {
    double s = 0;
    for (int p = 0; p < k; p++) {
      double av = ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
      double bv = tb ? b[bOff + j * k + p] : b[bOff + p * n + j];
      s += av * bv;
    }
    return alpha * s + (beta == 0 ? 0 : beta * (double) c0);
  }

  private static void check(Product prod, String path, int m, int n, int k, float alpha, float beta, long seed) {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Random r = new Random(seed);
        int aOff = 3;
        int bOff = 5;
        int cOff = 7;
        float[] a = rand(r, aOff + m * k + 4);
        float[] b = rand(r, bOff + k * n + 2);
        float[] c = new float[cOff + m * n + 6];
        java.util.Arrays.fill(c, SENTINEL);
        float[] c0 = rand(r, m * n);
        for (int i = 0; i < m * n; i++) {
          c[cOff + i] = beta == 0 ? Float.NaN : c0[i];
        }
        float[] aCopy = a.clone();
        float[] bCopy = b.clone();
        prod.run(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        String what = path + " ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + " beta=" + beta;
        assertArrayEquals(aCopy, a, "A untouched " + what);
        assertArrayEquals(bCopy, b, "B untouched " + what);
        for (int i = 0; i < cOff; i++) {
          assertEquals(SENTINEL, c[i], 0f, "before the C block " + what);
        }
        for (int i = cOff + m * n; i < c.length; i++) {
          assertEquals(SENTINEL, c[i], 0f, "after the C block " + what);
        }
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double want = ref(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c0[i * n + j], i, j);
            float got = c[cOff + i * n + j];
            assertTrue(!Float.isNaN(got), "NaN at " + i + "," + j + " " + what);
            assertEquals(want, got, 1e-5 * k * Math.max(1, Math.abs(want)), "C[" + i + "," + j + "] " + what);
          }
        }
      }
    }
  }

  @Test
  void javaLoopPathMatchesTheReference() {
    assertTrue(4L * 5 * 7 < Gemm.SMALL);
    for (float beta : new float[] {0f, 1f}) {
      check(Gemm::mm, "mm-loops", 4, 5, 7, 0.75f, beta, 1);
      check(Gemm::mm, "mm-loops", 1, 3, 2, -2f, beta, 2);
    }
  }

  @Test
  void openBlasPathMatchesTheReference() {
    assertTrue(30L * 40 * 37 >= Gemm.SMALL && 70L * 33 * 65 >= Gemm.SMALL);
    for (float beta : new float[] {0f, 1f}) {
      check(Gemm::mm, "mm-blas", 30, 40, 37, 0.75f, beta, 3);
      check(Gemm::mm, "mm-blas", 70, 33, 65, 1f, beta, 4);
      check(Gemm::blas, "blas-small", 4, 5, 7, 0.75f, beta, 5);
      check(Gemm::blas, "blas", 9, 40, 37, -1.5f, beta, 6);
    }
  }

  // large products run in chunks of Gemm.ROWS rows: 1100 rows are chunks of 512, 512 and 76, either of the output
  // rows (A not transposed) or of the inner size (A^T B, each chunk's product added in chunk order)
  @Test
  void productsSplitIntoChunksOfRowsMatchTheReferenceAndKeepTheirBitsOnTwoThreads() {
    assertTrue(1100L * 64 * 64 >= Gemm.SPLIT_WORK && 1100 >= 2 * Gemm.ROWS);
    int before = Threads.applied();
    try {
      for (float beta : new float[] {0f, 1f}) {
        check(Gemm::mm, "mm-row-chunks", 1100, 64, 64, 0.75f, beta, 7);
        check(Gemm::mm, "mm-inner-chunks", 64, 64, 1100, -1.25f, beta, 8);
      }
      float[][] got = new float[4][];
      for (int t = 1; t <= 2; t++) {
        Threads.apply(t);
        Random r = new Random(9);
        float[] a = rand(r, 1100 * 64);
        float[] b = rand(r, 1100 * 64);
        float[] c1 = rand(r, 1100 * 64);
        float[] c2 = rand(r, 64 * 64);
        Gemm.mm(false, true, 1100, 64, 64, 1f, a, 0, b, 0, 1f, c1, 0);
        Gemm.mm(true, false, 64, 64, 1100, 1f, a, 0, b, 0, 1f, c2, 0);
        got[2 * (t - 1)] = c1;
        got[2 * (t - 1) + 1] = c2;
      }
      assertArrayEquals(got[0], got[2], "row chunks, 1 and 2 threads");
      assertArrayEquals(got[1], got[3], "inner chunks, 1 and 2 threads");
    } finally {
      Threads.apply(before > 0 ? before : 1);
    }
  }

  @Test
  void emptyInnerDimensionScalesC() {
    float[] c = {Float.NaN, Float.NaN};
    Gemm.mm(false, false, 1, 2, 0, 1f, new float[0], new float[0], 0f, c);
    assertArrayEquals(new float[] {0f, 0f}, c, "beta 0 clears C, NaN included");
    float[] d = {2f, 3f};
    Gemm.blas(false, false, 1, 2, 0, 1f, new float[0], 0, new float[0], 0, 1f, d, 0);
    assertArrayEquals(new float[] {2f, 3f}, d, "beta 1 keeps C");
  }

  /**
   * Row i of a product computed alone (m = 1) has the same bits as inside the whole m-row product; returns a
   * description of every transpose combination where some row differs (empty when all agree).
   */
  private static List<String> rowAloneVersusInBlock(Product prod, String path, int m, int n, int k, double tolerance) {
    List<String> bad = new ArrayList<>();
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Random r = new Random(11);
        float[] a = rand(r, m * k);
        float[] b = rand(r, k * n);
        float[] c = new float[m * n];
        prod.run(ta, tb, m, n, k, 1f, a, 0, b, 0, 0f, c, 0);
        int rows = 0;
        int values = 0;
        double worst = 0;
        double maxAbs = 0;
        for (int i = 0; i < m; i++) {
          float[] row = new float[k]; // row i of op(A): [1, k] stored untransposed, or [k, 1] when ta
          for (int p = 0; p < k; p++) {
            row[p] = ta ? a[p * m + i] : a[i * k + p];
          }
          float[] one = new float[n];
          prod.run(ta, tb, 1, n, k, 1f, row, 0, b, 0, 0f, one, 0);
          boolean differs = false;
          for (int j = 0; j < n; j++) {
            float in = c[i * n + j];
            if (Math.abs(in - one[j]) > tolerance * k || tolerance == 0
                && Float.floatToIntBits(in) != Float.floatToIntBits(one[j])) {
              differs = true;
              values++;
              worst = Math.max(worst, Math.abs(in - one[j]) / Math.ulp(in));
              maxAbs = Math.max(maxAbs, Math.abs(in - one[j]));
            }
          }
          rows += differs ? 1 : 0;
        }
        if (rows > 0) {
          bad.add(path + " ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + ": " + rows + " of " + m
              + " rows, " + values + " values differ, up to " + worst + " ulp, max |diff| " + maxAbs);
        }
      }
    }
    return bad;
  }

  @Test
  void aRowGetsTheSameBitsAloneOrInABatchOnTheLoopPath() {
    List<String> bad = new ArrayList<>(rowAloneVersusInBlock(Gemm::mm, "mm-loops", 6, 5, 7, 0));
    assertTrue(12L * 10 * 16 < Gemm.SMALL);
    bad.addAll(rowAloneVersusInBlock(Gemm::mm, "mm-loops", 12, 10, 16, 0));
    assertTrue(bad.isEmpty(), String.join("; ", bad));
  }

  /**
   * On the OpenBLAS path a row alone and the same row inside a block agree to rounding only: OpenBLAS 0.3.19 blocks
   * a product by its row count, so the last bits of a row depend on m (measured: up to 7.6e-6 at k = 64), which is
   * why Gemm promises bit-identity for the loop path only and KV-cached decoding matches the whole-prefix forward
   * to rounding.
   */
  @Test
  void aRowAgreesToRoundingAloneOrInABatchOnTheOpenBlasPath() {
    List<String> bad = new ArrayList<>(rowAloneVersusInBlock(Gemm::mm, "mm-blas", 48, 40, 37, 1e-6));
    bad.addAll(rowAloneVersusInBlock(Gemm::blas, "blas", 32, 16, 16, 1e-6));
    bad.addAll(rowAloneVersusInBlock(Gemm::blas, "blas", 64, 64, 64, 1e-6));
    assertTrue(bad.isEmpty(), String.join("; ", bad));
  }

  private record Run(float[] y, float[] dx, List<float[]> grads) {
  }

  // t = 24 at head width 8 goes through AttentionLanes (40 sequences x 4 heads = 160 lanes, split over threads),
  // t = 64 through OpenBLAS per sequence-head pair
  private static Run attention(int threads, int t, int seqs) {
    int before = Threads.applied();
    Threads.apply(threads);
    try {
      assertEquals(threads, Parallel.threads());
      int d = 32;
      Backbone bb = Backbone.regenerate(9, Attention.tensors("a", d, InitSpec.parse("normal")), 1);
      List<Param> params = new ArrayList<>();
      Attention att = new Attention("a", d, 4, false, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER, params)
          .withRope(10000);
      Grad.perturb(params);
      att.refresh();
      float[] x = Grad.matrix(seqs * t, d, 2, 1);
      float[] dy = Grad.matrix(seqs * t, d, 3, 1);
      int[] lengths = new int[seqs];
      for (int i = 0; i < seqs; i++) {
        lengths[i] = 1 + (i * 7 + t) % t; // every length from 1 to t, in some order
      }
      float[] y = att.forward(x, seqs * t, t, lengths, true);
      float[] dx = new float[x.length];
      att.backward(dy, dx);
      att.finish();
      List<float[]> g = new ArrayList<>();
      for (Param p : params) {
        g.add(p.g.clone());
      }
      return new Run(y, dx, g);
    } finally {
      Threads.apply(before > 0 ? before : 1);
    }
  }

  @Test
  void parallelOpsGiveTheSameBitsOnOneOrTwoThreads() {
    assertTrue(AttentionLanes.suits(24, 8) && !AttentionLanes.suits(64, 8), "one case on each attention path");
    for (int[] shape : new int[][] {{24, 40}, {64, 5}}) {
      Run one = attention(1, shape[0], shape[1]);
      Run two = attention(2, shape[0], shape[1]);
      String at = "t = " + shape[0] + ": ";
      assertArrayEquals(one.y(), two.y(), at + "attention output");
      assertArrayEquals(one.dx(), two.dx(), at + "attention input gradient");
      assertEquals(one.grads().size(), two.grads().size());
      for (int i = 0; i < one.grads().size(); i++) {
        assertArrayEquals(one.grads().get(i), two.grads().get(i), at + "gradient " + i);
      }
    }
    float[] ones = new float[8];
    java.util.Arrays.fill(ones, 1f);
    int before = Threads.applied();
    try {
      for (int threads : new int[] {1, 2, 3}) { // every index runs exactly once, whatever the split
        Threads.apply(threads);
        int[] hits = new int[101];
        Parallel.forEach(hits.length, i -> hits[i]++);
        for (int h : hits) {
          assertEquals(1, h, threads + " threads");
        }
      }
    } finally {
      Threads.apply(before > 0 ? before : 1);
    }
  }
}
