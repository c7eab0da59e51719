package org.lottalora.core.engine;

/**
 * Global average pooling of NHWC rows: each image's hw pixel rows of c channels become one row [c] of their
 * means, which is what the Plain-N head reads (SameDiff's mean over the spatial axes of NCHW). It has no
 * parameters; backward spreads each mean's gradient evenly over the pixels it averaged.
 */
public final class GlobalAvgPool {
  private GlobalAvgPool() {
  }

  /** y [n, c] = the mean of the hw rows of each image of x [n hw, c]. */
  public static void forward(float[] x, int n, int hw, int c, float[] y) {
    double[] acc = new double[c];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(acc, 0);
      int base = i * hw * c;
      for (int p = 0; p < hw; p++) {
        int off = base + p * c;
        for (int j = 0; j < c; j++) {
          acc[j] += x[off + j];
        }
      }
      for (int j = 0; j < c; j++) {
        y[i * c + j] = (float) (acc[j] / hw);
      }
    }
  }

  /** Overwrites dx [n hw, c] with dy [n, c] / hw at every pixel of its image. */
  public static void backward(float[] dy, int n, int hw, int c, float[] dx) {
    float[] share = new float[c];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        share[j] = dy[i * c + j] / hw;
      }
      int base = i * hw * c;
      for (int p = 0; p < hw; p++) {
        System.arraycopy(share, 0, dx, base + p * c, c);
      }
    }
  }
}
