package org.lottalora.models;

import java.util.Arrays;

/**
 * Small, allocation-honest helpers shared by every predictor: checking and flattening a batch, splitting
 * probabilities into rows, arg-max and top-k.
 */
public final class Predictions {
  private Predictions() {}

  /**
   * One class and its probability.
   *
   * @param label class index
   * @param probability its probability
   */
  public record Ranked(int label, float probability) {}

  /** Rows of {@code cols} features as one row-major array; rejects a row of the wrong width. */
  static float[] flatten(float[][] batch, int cols) {
    float[] x = new float[Math.multiplyExact(batch.length, cols)];
    for (int i = 0; i < batch.length; i++) {
      if (batch[i] == null || batch[i].length != cols) {
        throw new IllegalArgumentException("sample " + i + " has " + (batch[i] == null ? 0 : batch[i].length)
            + " features, the model expects " + cols);
      }
      System.arraycopy(batch[i], 0, x, i * cols, cols);
    }
    return x;
  }

  static float[][] rows(float[] p, int n, int classes) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
    }
    return out;
  }

  /** Index of the largest value (the first on ties). */
  public static int argMax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The {@code k} most probable classes, most probable first (lower index first on ties). */
  public static Ranked[] topK(float[] p, int k) {
    Integer[] idx = new Integer[p.length];
    for (int i = 0; i < p.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
    Ranked[] out = new Ranked[Math.min(k, p.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Ranked(idx[i], p[idx[i]]);
    }
    return out;
  }
}
