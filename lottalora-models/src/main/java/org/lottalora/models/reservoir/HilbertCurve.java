package org.lottalora.models.reservoir;

/**
 * The order in which a Hilbert curve visits the pixels of an image: neighbouring pixels in the image stay
 * close in the sequence, which is why the ring reservoir reads images along it. An h x w image is placed in
 * the smallest 2^k square that holds it; cells outside the image are skipped.
 */
public final class HilbertCurve {
  private HilbertCurve() {
  }

  /** Row-major pixel indices of an {@code h x w} image, in Hilbert order. */
  public static int[] order(int h, int w) {
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + h + "x" + w);
    }
    int side = 1;
    while (side < Math.max(h, w)) {
      side <<= 1;
    }
    int[] out = new int[h * w];
    int k = 0;
    for (int d = 0; d < side * side; d++) {
      int[] xy = d2xy(side, d);
      if (xy[1] < h && xy[0] < w) {
        out[k++] = xy[1] * w + xy[0];
      }
    }
    return out;
  }

  /** The classic iterative distance-to-(x, y) mapping on an n x n grid (n a power of two). */
  static int[] d2xy(int n, int d) {
    int x = 0;
    int y = 0;
    int t = d;
    for (int s = 1; s < n; s <<= 1) {
      int rx = 1 & (t / 2);
      int ry = 1 & (t ^ rx);
      if (ry == 0) {
        if (rx == 1) {
          x = s - 1 - x;
          y = s - 1 - y;
        }
        int tmp = x;
        x = y;
        y = tmp;
      }
      x += s * rx;
      y += s * ry;
      t /= 4;
    }
    return new int[] {x, y};
  }
}
