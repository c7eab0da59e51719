package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both paths of {@link Blas} (GEMM for large products, loops for small) against double sums, in every layout. */
class BlasTest {
  private static float[][] rand(Random r, int m, int n) {
    float[][] a = new float[m][n];
    for (float[] row : a) {
      for (int j = 0; j < n; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    return a;
  }

  private static float[] flat(float[][] a) {
    int n = a[0].length;
    float[] f = new float[a.length * n];
    for (int i = 0; i < a.length; i++) {
      System.arraycopy(a[i], 0, f, i * n, n);
    }
    return f;
  }

  private static void close(double want, float got) {
    assertEquals(want, got, 1e-3 * Math.max(1, Math.abs(want)));
  }

  @Test
  void largeAndSmallProductsMatchLoopsInEveryLayout() {
    // non-square so a transposed layout cannot pass by accident
    check(150, 130, 110, true); // the GEMM path
    check(7, 9, 5, false); // plain loops
  }

  private static void check(int m, int k, int n, boolean large) {
    Random r = new Random(7);
    assertEquals(large, (long) m * n * k >= Blas.CUTOFF);
    float[][] x = rand(r, m, k);
    float[][] w = rand(r, n, k);
    float[][] z = Blas.timesTransposed(x, flat(w), n);
    float[][] g = rand(r, m, n);
    float[][] dx = Blas.times(g, flat(w), k);
    float[] acc = new float[n * k];
    acc[3] = 1.5f;
    Blas.addTransposedTimes(g, x, acc, n, k);
    for (int i = 0; i < m; i++) {
      for (int o = 0; o < n; o++) {
        double s = 0;
        for (int j = 0; j < k; j++) {
          s += (double) x[i][j] * w[o][j];
        }
        close(s, z[i][o]);
      }
      for (int j = 0; j < k; j++) {
        double s = 0;
        for (int o = 0; o < n; o++) {
          s += (double) g[i][o] * w[o][j];
        }
        close(s, dx[i][j]);
      }
    }
    for (int o = 0; o < n; o++) {
      for (int j = 0; j < k; j++) {
        double s = o * k + j == 3 ? 1.5 : 0;
        for (int i = 0; i < m; i++) {
          s += (double) g[i][o] * x[i][j];
        }
        close(s, acc[o * k + j]);
      }
    }
    float[] gt = flat(g); // [m, n]
    float[] xt = flat(x); // [m, k]
    float[] p = Blas.times(gt, n, m, xt, k, true, false); // g^T x: [n, k]
    float[] q = Blas.times(flat(w), n, k, xt, m, false, true); // w x^T: [n, m]
    for (int o = 0; o < n; o++) {
      for (int j = 0; j < k; j++) {
        close(acc[o * k + j] - (o * k + j == 3 ? 1.5 : 0), p[o * k + j]);
      }
      for (int i = 0; i < m; i++) {
        close(z[i][o], q[o * m + i]);
      }
    }
  }
}
