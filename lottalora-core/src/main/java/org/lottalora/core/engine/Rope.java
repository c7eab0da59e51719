package org.lottalora.core.engine;

/**
 * Rotary position embedding (Su et al. 2021, LLaMA's form): within each head of width d_h, the pairs
 * {@code (x_2i, x_2i+1)} of the token at position p are rotated by {@code p * base^(-2i / d_h)}. A rotation's
 * transpose is the rotation by minus the angle, which is the backward pass. Angles are computed in binary64 with
 * {@link StrictMath} (so every JVM rotates identically) and kept as floats; the rotation runs in float.
 */
public final class Rope {
  private final int d;
  private final int heads;
  private final int dh;
  private final double base;
  private float[] cos = new float[0];
  private float[] sin = new float[0];

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
    float[] c = new float[size * half];
    float[] s = new float[size * half];
    for (int i = 0; i < half; i++) {
      double freq = StrictMath.pow(base, -2.0 * i / dh);
      for (int pos = 0; pos < size; pos++) {
        c[pos * half + i] = (float) StrictMath.cos(pos * freq);
        s[pos * half + i] = (float) StrictMath.sin(pos * freq);
      }
    }
    sin = s;
    cos = c;
  }

  private void rotate(float[] x, int n, int seqLen, int first, int sign) {
    table(first + Math.min(n, seqLen));
    int half = dh / 2;
    float[] cs = cos;
    float[] sn = sin;
    for (int t = 0; t < n; t++) {
      int tab = (first + t % seqLen) * half;
      int row = t * d;
      for (int h = 0; h < heads; h++) {
        int base = row + h * dh;
        for (int i = 0; i < half; i++) {
          float c = cs[tab + i];
          float s = sign * sn[tab + i];
          int a = base + 2 * i;
          float x0 = x[a];
          float x1 = x[a + 1];
          x[a] = x0 * c - x1 * s;
          x[a + 1] = x0 * s + x1 * c;
        }
      }
    }
  }
}
