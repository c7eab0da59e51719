package org.lottalora.core.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The three matrix products the hand-written engines need, on plain row arrays: large ones go to ND4J's GEMM
 * (OpenBLAS, its own threads), small ones stay in plain loops because one ND4J call costs 30-45 microseconds and
 * two copies. The cut-off is on the multiply-add count; above it the copies in and out are a small fraction of the
 * product. Each output element is one sum over the inner dimension in a fixed order for a given size, so a result
 * does not depend on which rows came with it.
 */
public final class Blas {
  /** Multiply-adds from which a product goes to GEMM. */
  public static final long CUTOFF = 1L << 21;

  private Blas() {
  }

  /** Whether an [m, n] by [n, k] product (or a batch of them, m counting all their rows) goes to GEMM. */
  public static boolean large(long m, long n, long k) {
    return m * n * k >= CUTOFF;
  }

  private static INDArray nd(float[][] rows, int cols) {
    float[] flat = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * cols, cols);
    }
    return nd(flat, rows.length, cols);
  }

  // one bulk copy through the buffer's pointer: Nd4j.create(float[]...) copies value by value, which cost more than
  // the product itself for the LM's shapes
  private static INDArray nd(float[] flat, int r, int c) {
    INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {r, c}, 'c');
    ((FloatPointer) a.data().addressPointer()).put(flat, 0, r * c);
    return a;
  }

  private static float[] flat(INDArray a) {
    INDArray c = a.ordering() == 'c' && a.offset() == 0 ? a : a.dup('c');
    float[] out = new float[(int) c.length()];
    ((FloatPointer) c.data().addressPointer()).get(out);
    if (c != a && c.closeable()) {
      c.close();
    }
    return out;
  }

  private static float[][] rows(INDArray a, int r, int c) {
    float[] flat = flat(a);
    float[][] out = new float[r][];
    for (int i = 0; i < r; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * c, (i + 1) * c);
    }
    return out;
  }

  // rows x [m][cols] times w (stored [wr, wc], transposed with transB) by GEMM: rows [m][outCols]
  private static float[][] gemmRows(float[][] x, int cols, float[] w, int wr, int wc, boolean transB, int outCols) {
    INDArray a = nd(x, cols);
    INDArray b = nd(w, wr, wc);
    INDArray c = Nd4j.gemm(a, b, false, transB);
    float[][] out = rows(c, x.length, outCols);
    close(a, b, c);
    return out;
  }

  /** {@code x w^T} for rows x [m][k] and w [n, k] row-major: [m][n]. */
  public static float[][] timesTransposed(float[][] x, float[] w, int n) {
    int m = x.length;
    int k = m == 0 ? 0 : x[0].length;
    if (large(m, n, k)) {
      return gemmRows(x, k, w, n, k, true, n);
    }
    float[] wt = new float[k * n]; // w^T, so the inner loop runs along contiguous memory (and vectorises)
    for (int o = 0; o < n; o++) {
      for (int i = 0; i < k; i++) {
        wt[i * n + o] = w[o * k + i];
      }
    }
    float[][] z = new float[m][n];
    for (int r = 0; r < m; r++) {
      float[] xr = x[r];
      float[] zr = z[r];
      for (int i = 0; i < k; i++) {
        float v = xr[i];
        int off = i * n;
        for (int o = 0; o < n; o++) {
          zr[o] += v * wt[off + o];
        }
      }
    }
    return z;
  }

  /** {@code g w} for rows g [m][n] and w [n, k] row-major: [m][k]. */
  public static float[][] times(float[][] g, float[] w, int k) {
    int m = g.length;
    int n = m == 0 ? 0 : g[0].length;
    if (large(m, n, k)) {
      return gemmRows(g, n, w, n, k, false, k);
    }
    float[][] z = new float[m][k];
    for (int r = 0; r < m; r++) {
      float[] gr = g[r];
      float[] zr = z[r];
      for (int o = 0; o < n; o++) {
        float v = gr[o];
        if (v == 0) {
          continue;
        }
        int off = o * k;
        for (int i = 0; i < k; i++) {
          zr[i] += v * w[off + i];
        }
      }
    }
    return z;
  }

  /** Adds {@code g^T x} to {@code acc} [n, k] row-major, for rows g [m][n] and x [m][k]. */
  public static void addTransposedTimes(float[][] g, float[][] x, float[] acc, int n, int k) {
    int m = g.length;
    if (large(m, n, k)) {
      INDArray a = nd(g, n);
      INDArray b = nd(x, k);
      INDArray c = Nd4j.gemm(a, b, true, false);
      float[] flat = flat(c);
      close(a, b, c);
      for (int i = 0; i < flat.length; i++) {
        acc[i] += flat[i];
      }
      return;
    }
    for (int r = 0; r < m; r++) {
      float[] gr = g[r];
      float[] xr = x[r];
      for (int o = 0; o < n; o++) {
        float v = gr[o];
        if (v == 0) {
          continue;
        }
        int off = o * k;
        for (int i = 0; i < k; i++) {
          acc[off + i] += v * xr[i];
        }
      }
    }
  }

  /**
   * {@code op(a) op(b)}, row-major [m, k], always by GEMM (the adapter products B A and friends): op(a) is [m, n]
   * (a stored [m, n], or [n, m] and transposed), op(b) is [n, k] (b stored [n, k], or [k, n] and transposed).
   */
  public static float[] times(float[] a, int m, int n, float[] b, int k, boolean transA, boolean transB) {
    INDArray x = transA ? nd(a, n, m) : nd(a, m, n);
    INDArray y = transB ? nd(b, k, n) : nd(b, n, k);
    INDArray c = Nd4j.gemm(x, y, transA, transB);
    float[] out = flat(c);
    close(x, y, c);
    return out;
  }

  /**
   * {@code count} independent products {@code op(a_i) op(b_i)} in one batched GEMM call (attention's per-head
   * products): a holds {@code count} row-major blocks of [m, n] (or [n, m] with {@code transA}), b of [n, k] (or
   * [k, n] with {@code transB}); the result holds {@code count} row-major [m, k] blocks. Below the cut-off (counting
   * all products) it loops in plain Java instead.
   */
  public static float[] batched(float[] a, float[] b, int count, int m, int n, int k, boolean transA,
      boolean transB) {
    if (large((long) count * m, n, k)) {
      INDArray x = Nd4j.createUninitialized(DataType.FLOAT, transA ? new long[] {count, n, m}
          : new long[] {count, m, n}, 'c');
      ((FloatPointer) x.data().addressPointer()).put(a, 0, count * m * n);
      INDArray y = Nd4j.createUninitialized(DataType.FLOAT, transB ? new long[] {count, k, n}
          : new long[] {count, n, k}, 'c');
      ((FloatPointer) y.data().addressPointer()).put(b, 0, count * n * k);
      INDArray c = Nd4j.matmul(x, y, transA, transB, false);
      float[] out = flat(c);
      close(x, y, c);
      return out;
    }
    float[] out = new float[count * m * k];
    for (int i = 0; i < count; i++) {
      int ao = i * m * n;
      int bo = i * n * k;
      int co = i * m * k;
      for (int r = 0; r < m; r++) {
        for (int j = 0; j < n; j++) {
          float v = transA ? a[ao + j * m + r] : a[ao + r * n + j];
          if (v == 0) {
            continue;
          }
          for (int q = 0; q < k; q++) {
            out[co + r * k + q] += v * (transB ? b[bo + q * n + j] : b[bo + j * k + q]);
          }
        }
      }
    }
    return out;
  }

  private static void close(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a.closeable()) {
        a.close();
      }
    }
  }
}
