package org.lottalora.core.engine;

/**
 * Rotary position embedding (Su et al. 2021, LLaMA's form): within each head of width d_h, the pairs
 * {@code (x_2i, x_2i+1)} of the token at position p are rotated by {@code p * base^(-2i / d_h)}. A rotation's
 * transpose is the rotation by minus the angle, which is the backward pass. Angles are computed in binary64 with
 * {@link StrictMath} so every JVM rotates identically.
 */
public final class Rope {
  private final int d;
  private final int heads;
  private final int dh;
  private final double base;
  private double[] cos = new double[0];
  private double[] sin = new double[0];

  /**
   * @param d model width
   * @param heads heads ({@code d / heads} must be even)
   * @param base LLaMA's 10,000
   */
  public Rope(int d, int heads, double base) {
    if (heads < 1 || d % heads != 0 || (d / heads) % 2 != 0) {
      throw new IllegalArgumentException("RoPE rotates pairs within a head: width " + d + " over " + heads
          + " heads must give an even head width");
    }
    this.d = d;
    this.heads = heads;
    this.dh = d / heads;
    this.base = base;
  }

  /**
   * Rotates the n rows of x [n, d] in place: row r holds position {@code first + r % seqLen} (sequences of
   * {@code seqLen} rows stacked).
   */
  public void apply(float[] x, int n, int seqLen, int first) {
    rotate(x, n, seqLen, first, 1);
  }

  /** The transpose of {@link #apply}: rotates gradients back. */
  public void backward(float[] dx, int n, int seqLen, int first) {
    rotate(dx, n, seqLen, first, -1);
  }

  // the angles of positions 0..n-1, computed once (StrictMath, so every JVM gets the same bits) and grown on demand
  private synchronized void table(int n) {
    int half = dh / 2;
    if (cos.length >= n * half) {
      return;
    }
    int size = Math.max(n, 2 * (cos.length / Math.max(1, half)));
    double[] c = new double[size * half];
    double[] s = new double[size * half];
    for (int i = 0; i < half; i++) {
      double freq = StrictMath.pow(base, -2.0 * i / dh);
      for (int pos = 0; pos < size; pos++) {
        c[pos * half + i] = StrictMath.cos(pos * freq);
        s[pos * half + i] = StrictMath.sin(pos * freq);
      }
    }
    sin = s;
    cos = c;
  }

  private void rotate(float[] x, int n, int seqLen, int first, int sign) {
    table(first + Math.min(n, seqLen));
    int half = dh / 2;
    double[] cs = cos;
    double[] sn = sin;
    for (int t = 0; t < n; t++) {
      int pos = first + t % seqLen;
      int row = t * d;
      for (int i = 0; i < half; i++) {
        double c = cs[pos * half + i];
        double s = sign * sn[pos * half + i];
        for (int h = 0; h < heads; h++) {
          int a = row + h * dh + 2 * i;
          double x0 = x[a];
          double x1 = x[a + 1];
          x[a] = (float) (x0 * c - x1 * s);
          x[a + 1] = (float) (x0 * s + x1 * c);
        }
      }
    }
  }
}
