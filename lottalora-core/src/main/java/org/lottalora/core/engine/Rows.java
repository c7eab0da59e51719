package org.lottalora.core.engine;

/** Elementwise sums of row blocks [n][d], the residual connections and gradient sums of the hand-written engines. */
public final class Rows {
  private Rows() {
  }

  /** {@code a + b} as new rows (a and b untouched: the forward pass keeps its inputs for the backward pass). */
  public static float[][] plus(float[][] a, float[][] b) {
    float[][] y = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      y[i] = a[i].clone();
      for (int j = 0; j < y[i].length; j++) {
        y[i][j] += b[i][j];
      }
    }
    return y;
  }

  /** Adds {@code b} into {@code a} and returns {@code a}. */
  public static float[][] addInto(float[][] a, float[][] b) {
    for (int r = 0; r < a.length; r++) {
      for (int j = 0; j < a[r].length; j++) {
        a[r][j] += b[r][j];
      }
    }
    return a;
  }
}
