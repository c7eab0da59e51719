package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link GlobalAvgPool} over NHWC rows: the forward is each image's per-channel mean of its pixels (a naive loop,
 * every output written), the backward spreads dy / hw over the image's pixels and overwrites dx, and the backward
 * is the forward's adjoint ({@code <pool(x), d> = <x, pool^T(d)>}), for one-pixel, one-channel and wider shapes.
 */
class GlobalAvgPoolTest {
  private static final int[][] SHAPES = {{3, 12, 5}, {2, 1, 4}, {4, 49, 1}, {2, 784, 16}};

  @Test
  void forwardIsThePerChannelMeanOfEachImage() {
    for (int[] s : SHAPES) {
      int n = s[0];
      int hw = s[1];
      int c = s[2];
      float[] x = Grad.matrix(n * hw, c, 1, 2);
      float[] y = new float[n * c];
      java.util.Arrays.fill(y, Float.NaN);
      GlobalAvgPool.forward(x, n, hw, c, y);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < c; j++) {
          double sum = 0;
          for (int p = 0; p < hw; p++) {
            sum += x[(i * hw + p) * c + j];
          }
          assertEquals(sum / hw, y[i * c + j], 1e-6, java.util.Arrays.toString(s) + " y[" + i + ", " + j + "]");
        }
      }
    }
  }

  @Test
  void backwardSpreadsTheGradientAndIsTheAdjoint() {
    for (int[] s : SHAPES) {
      int n = s[0];
      int hw = s[1];
      int c = s[2];
      float[] x = Grad.matrix(n * hw, c, 2, 1);
      float[] d = Grad.matrix(n, c, 3, 1);
      float[] dx = new float[n * hw * c];
      java.util.Arrays.fill(dx, Float.NaN);
      GlobalAvgPool.backward(d, n, hw, c, dx);
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < hw; p++) {
          for (int j = 0; j < c; j++) {
            assertEquals(d[i * c + j] / (double) hw, dx[(i * hw + p) * c + j], 1e-7,
                java.util.Arrays.toString(s) + " dx");
          }
        }
      }
      float[] y = new float[n * c];
      GlobalAvgPool.forward(x, n, hw, c, y);
      double left = Grad.dot(y, d);
      double right = Grad.dot(x, dx);
      assertEquals(left, right, 1e-5 * Math.max(1, Math.abs(left)), java.util.Arrays.toString(s) + " adjoint");
    }
  }
}
