package org.lottalora.core.engine;

/**
 * The matrix products of the row-based engine code (graph and recurrent networks keep activations as rows
 * {@code float[n][d]}): each flattens its rows into one block and calls {@link Gemm}, which decides between
 * OpenBLAS and plain loops on the operand shapes, so a row's result never depends on which rows came with it.
 */
public final class Blas {
  /** Multiply-adds from which {@link #large} calls a product large (attention's choice of batched blocks). */
  public static final long CUTOFF = 1L << 16;

  private Blas() {
  }

  /** Whether an [m, n] by [n, k] product (or a batch of them, m counting all their rows) is large. */
  public static boolean large(long m, long n, long k) {
    return m * n * k >= CUTOFF;
  }

  /** Rows [m][cols] as one row-major block. */
  public static float[] flat(float[][] rows, int cols) {
    float[] f = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, f, i * cols, cols);
    }
    return f;
  }

  /** A row-major block [r, c] as rows. */
  public static float[][] rows(float[] flat, int r, int c) {
    float[][] out = new float[r][];
    for (int i = 0; i < r; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * c, (i + 1) * c);
    }
    return out;
  }

  /** {@code x w^T} for rows x [m][k] and w [n, k] row-major: [m][n]. */
  public static float[][] timesTransposed(float[][] x, float[] w, int n) {
    int m = x.length;
    int k = m == 0 ? 0 : x[0].length;
    float[] z = new float[m * n];
    Gemm.mm(false, true, m, n, k, 1f, flat(x, k), w, 0f, z);
    return rows(z, m, n);
  }

  /** {@code g w} for rows g [m][n] and w [n, k] row-major: [m][k]. */
  public static float[][] times(float[][] g, float[] w, int k) {
    int m = g.length;
    int n = m == 0 ? 0 : g[0].length;
    float[] z = new float[m * k];
    Gemm.mm(false, false, m, k, n, 1f, flat(g, n), w, 0f, z);
    return rows(z, m, k);
  }

  /** Adds {@code g^T x} to {@code acc} [n, k] row-major, for rows g [m][n] and x [m][k]. */
  public static void addTransposedTimes(float[][] g, float[][] x, float[] acc, int n, int k) {
    int m = g.length;
    if (m == 0) {
      return;
    }
    Gemm.mm(true, false, n, k, m, 1f, flat(g, n), flat(x, k), 1f, acc);
  }

  /**
   * {@code op(a) op(b)}, row-major [m, k]: op(a) is [m, n] (a stored [m, n], or [n, m] and transposed), op(b) is
   * [n, k] (b stored [n, k], or [k, n] and transposed).
   */
  public static float[] times(float[] a, int m, int n, float[] b, int k, boolean transA, boolean transB) {
    float[] out = new float[m * k];
    Gemm.mm(transA, transB, m, k, n, 1f, a, b, 0f, out);
    return out;
  }

  /**
   * {@code count} independent products {@code op(a_i) op(b_i)} (attention's per-head products): a holds
   * {@code count} row-major blocks of [m, n] (or [n, m] with {@code transA}), b of [n, k] (or [k, n] with
   * {@code transB}); the result holds {@code count} row-major [m, k] blocks.
   */
  public static float[] batched(float[] a, float[] b, int count, int m, int n, int k, boolean transA,
      boolean transB) {
    float[] out = new float[count * m * k];
    for (int i = 0; i < count; i++) {
      Gemm.mm(transA, transB, m, k, n, 1f, a, i * m * n, b, i * n * k, 0f, out, i * m * k);
    }
    return out;
  }
}
