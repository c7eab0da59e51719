package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.util.Threads;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Conv2d} over NHWC rows: im2col times the kernel matrix W^T (in patch order) equals a naive direct convolution loop
 * (cross-correlation with zero padding) for kernels 1 and 3, strides 1 and 2, padding 0 and 1, 1-16 channels and
 * non-square images, on the Java-loop and the OpenBLAS product paths, writing every column (NaN-filled buffers);
 * col2im is im2col's adjoint and overwrites its output; one and two threads give the same bits; the gradients of
 * {@code sum(r y) + sum(y^2) / 2} through the convolution (dx = col2im(dy W), dW = dy^T cols) match central
 * finite differences; SameDiff's conv2d, built as {@code GraphBuilder.adaptedConv2d} builds it (NCHW, kernel
 * [out, in, k, k] permuted to YXIO, VALID with explicit padding), gives the same output and the same gradients
 * with respect to the input and the kernel; and shapes with no output are refused with the layer's name.
 */
class Conv2dTest {
  /** {in, out, k, stride, pad, h, w, n}. */
  private static final int[][] SHAPES = {
      {1, 3, 3, 1, 1, 5, 7, 2},
      {2, 4, 1, 1, 0, 4, 3, 2},
      {3, 5, 3, 2, 1, 7, 6, 2},
      {5, 2, 3, 2, 0, 6, 9, 1},
      {4, 3, 1, 2, 0, 5, 4, 3},
      {3, 2, 3, 1, 0, 3, 5, 2},
      {2, 3, 3, 2, 1, 4, 4, 1},
      {16, 16, 3, 1, 1, 8, 6, 3}, // 144 x 16 x 144 multiply-adds: the OpenBLAS path
  };

  private static Conv2d conv(int[] s) {
    return new Conv2d("convs.0", s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
  }

  private static String name(int[] s) {
    return java.util.Arrays.toString(s);
  }

  /** y [n oh ow, out] = im2col(x) W^T, the engine's convolution. */
  private static float[] forward(Conv2d c, float[] x, int n, float[] kernel) {
    int rows = n * c.oh * c.ow;
    float[] cols = new float[rows * c.fan()];
    c.im2col(x, n, cols);
    float[] y = new float[rows * c.out];
    Gemm.mm(false, true, rows, c.out, c.fan(), 1f, cols, c.toPatchOrder(kernel, c.out), 0f, y);
    return y;
  }

  /** The convolution as its definition: a direct loop over the canonical kernel [out, in, k, k], in double. */
  private static double[] naive(Conv2d c, float[] x, int n, float[] kernel) {
    double[] y = new double[n * c.oh * c.ow * c.out];
    for (int i = 0; i < n; i++) {
      for (int oy = 0; oy < c.oh; oy++) {
        for (int ox = 0; ox < c.ow; ox++) {
          for (int o = 0; o < c.out; o++) {
            double s = 0;
            for (int ci = 0; ci < c.in; ci++) {
              for (int ky = 0; ky < c.k; ky++) {
                for (int kx = 0; kx < c.k; kx++) {
                  int iy = oy * c.stride - c.pad + ky;
                  int ix = ox * c.stride - c.pad + kx;
                  if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) {
                    continue;
                  }
                  s += (double) kernel[((o * c.in + ci) * c.k + ky) * c.k + kx]
                      * x[((i * c.h + iy) * c.w + ix) * c.in + ci];
                }
              }
            }
            y[((i * c.oh + oy) * c.ow + ox) * c.out + o] = s;
          }
        }
      }
    }
    return y;
  }

  @Test
  void geometryFollowsTheOutputFormula() {
    Conv2d c = new Conv2d("convs.1", 16, 32, 3, 2, 1, 28, 28);
    assertEquals(14, c.oh);
    assertEquals(14, c.ow);
    assertEquals(144, c.fan());
    Conv2d d = new Conv2d("convs.2", 2, 3, 3, 2, 0, 7, 6);
    assertEquals(3, d.oh, "(7 - 3) / 2 + 1");
    assertEquals(2, d.ow, "(6 - 3) / 2 + 1, rounded down");
    assertEquals("convs.2", d.prefix);
  }

  @Test
  void im2colTimesTheKernelIsTheDirectConvolution() {
    boolean blas = false;
    for (int[] s : SHAPES) {
      Conv2d c = conv(s);
      int n = s[7];
      float[] x = Grad.matrix(n * c.h * c.w, c.in, 1, 1);
      float[] kernel = Grad.matrix(c.out, c.fan(), 2, 0.5);
      int rows = n * c.oh * c.ow;
      float[] cols = new float[rows * c.fan()];
      java.util.Arrays.fill(cols, Float.NaN);
      c.im2col(x, n, cols);
      for (float v : cols) {
        assertTrue(Float.isFinite(v), name(s) + " every column is written");
      }
      blas |= (long) rows * c.out * c.fan() >= Gemm.SMALL;
      float[] y = forward(c, x, n, kernel);
      double[] want = naive(c, x, n, kernel);
      assertEquals(want.length, y.length, name(s));
      for (int j = 0; j < want.length; j++) {
        assertEquals(want[j], y[j], 1e-5 * Math.max(1, Math.abs(want[j])), name(s) + " y[" + j + "]");
      }
    }
    assertTrue(blas, "one shape takes the OpenBLAS path");
  }

  @Test
  void col2imIsTheAdjointOfIm2colAndOverwrites() {
    for (int[] s : SHAPES) {
      Conv2d c = conv(s);
      int n = s[7];
      int rows = n * c.oh * c.ow;
      float[] x = Grad.matrix(n * c.h * c.w, c.in, 3, 1);
      float[] d = Grad.matrix(rows, c.fan(), 4, 1);
      float[] cols = new float[rows * c.fan()];
      c.im2col(x, n, cols);
      float[] dx = new float[x.length];
      java.util.Arrays.fill(dx, Float.NaN);
      c.col2im(d, n, dx);
      double left = Grad.dot(cols, d);
      double right = Grad.dot(x, dx);
      assertEquals(left, right, 1e-4 * Math.max(1, Math.abs(left)), name(s) + " <im2col(x), d> = <x, col2im(d)>");
      // and entry by entry: dx at a pixel is the sum of the dcols entries that read it
      double[] want = new double[x.length];
      for (int e = 0; e < x.length; e++) {
        float[] unit = new float[x.length];
        unit[e] = 1f;
        float[] ucols = new float[rows * c.fan()];
        c.im2col(unit, n, ucols);
        want[e] = Grad.dot(ucols, d);
      }
      for (int e = 0; e < x.length; e++) {
        assertEquals(want[e], dx[e], 1e-5 * Math.max(1, Math.abs(want[e])), name(s) + " dx[" + e + "]");
      }
    }
  }

  // a size-preserving convolution's adjoint is a convolution: im2col'(g) flippedTaps(M) = col2im(g M) for a factor
  // g [pixels, rows] and M [rows, fan] (the engine's input gradient without forming the column gradient)
  @Test
  void theAdjointConvolutionOfASizePreservingOneEqualsCol2im() {
    int[][] shapes = {{3, 4, 3, 1, 1, 5, 7, 2}, {16, 16, 3, 1, 1, 8, 6, 3}, {2, 3, 5, 1, 2, 6, 5, 2},
        {4, 2, 1, 1, 0, 3, 4, 2}};
    for (int[] s : shapes) {
      Conv2d c = conv(s);
      assertTrue(c.sizePreserving(), name(s));
      int n = s[7];
      int rows = 7; // e.g. out + r
      int pixels = n * c.oh * c.ow;
      float[] g = Grad.matrix(pixels, rows, 8, 1);
      float[] m = Grad.matrix(rows, c.fan(), 9, 1);
      float[] dcols = new float[pixels * c.fan()];
      Gemm.mm(false, false, pixels, c.fan(), rows, 1f, g, m, 0f, dcols);
      float[] want = new float[n * c.h * c.w * c.in];
      c.col2im(dcols, n, want);
      Conv2d adj = c.adjoint(rows);
      float[] gcols = new float[pixels * adj.fan()];
      adj.im2col(g, n, gcols);
      float[] got = new float[want.length];
      Gemm.mm(false, false, n * c.h * c.w, c.in, adj.fan(), 1f, gcols, c.flippedTaps(m, rows, null), 0f, got);
      for (int e = 0; e < want.length; e++) {
        assertEquals(want[e], got[e], 1e-4 * Math.max(1, Math.abs(want[e])), name(s) + " dx[" + e + "]");
      }
    }
    assertTrue(!conv(SHAPES[2]).sizePreserving() && !conv(SHAPES[5]).sizePreserving(), "stride 2, no padding");
    assertThrows(IllegalStateException.class, () -> conv(SHAPES[2]).adjoint(3));
  }

  @Test
  void oneAndTwoThreadsGiveTheSameBits() {
    Conv2d c = new Conv2d("convs.0", 6, 4, 3, 1, 1, 9, 7);
    int n = 5;
    int rows = n * c.oh * c.ow;
    float[] x = Grad.matrix(n * c.h * c.w, c.in, 5, 1);
    float[] d = Grad.matrix(rows, c.fan(), 6, 1);
    float[][] cols = new float[2][rows * c.fan()];
    float[][] dx = new float[2][x.length];
    int before = Threads.applied();
    try {
      for (int t = 0; t < 2; t++) {
        Threads.apply(t + 1);
        assertEquals(t + 1, Parallel.threads());
        c.im2col(x, n, cols[t]);
        c.col2im(d, n, dx[t]);
      }
    } finally {
      Threads.apply(before > 0 ? before : 1);
    }
    assertArrayEquals(cols[0], cols[1]);
    assertArrayEquals(dx[0], dx[1]);
  }

  private static double loss(float[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += (double) r[i] * y[i] + 0.5 * (double) y[i] * y[i];
    }
    return s;
  }

  /** Backward of {@code y = cols W^T}: adds dW = dy^T cols into {@code w.g}; returns dx = col2im(dy W). */
  private static float[] backward(Conv2d c, float[] x, int n, Param w, float[] dy) {
    int rows = n * c.oh * c.ow;
    float[] cols = new float[rows * c.fan()];
    c.im2col(x, n, cols);
    float[] dw = new float[c.out * c.fan()];
    Gemm.mm(true, false, c.out, c.fan(), rows, 1f, dy, cols, 0f, dw); // in patch order
    float[] canonical = c.fromPatchOrder(dw, c.out);
    for (int j = 0; j < dw.length; j++) {
      w.g[j] += canonical[j];
    }
    float[] dcols = new float[rows * c.fan()];
    Gemm.mm(false, false, rows, c.fan(), c.out, 1f, dy, c.toPatchOrder(w.v, c.out), 0f, dcols);
    float[] dx = new float[x.length];
    c.col2im(dcols, n, dx);
    return dx;
  }

  @Test
  void gradientsThroughTheConvolutionMatchFiniteDifferences() {
    int[][] shapes = {{2, 3, 3, 1, 1, 5, 4, 2}, {3, 2, 3, 2, 1, 5, 6, 2}, {2, 2, 1, 2, 0, 3, 5, 1}};
    for (int[] s : shapes) {
      Conv2d c = conv(s);
      int n = s[7];
      float[] x = Grad.matrix(n * c.h * c.w, c.in, 7, 1);
      Param w = new Param("convs.0.weight", Grad.matrix(c.out, c.fan(), 8, 0.5));
      float[] r = Grad.matrix(n * c.oh * c.ow, c.out, 9, 1);
      float[] y = forward(c, x, n, w.v);
      float[] dy = new float[y.length];
      for (int i = 0; i < y.length; i++) {
        dy[i] = r[i] + y[i];
      }
      float[] dx = backward(c, x, n, w, dy);
      java.util.function.DoubleSupplier lossNow = () -> loss(forward(c, x, n, w.v), r);
      int checked = Grad.checkParams(List.of(w), Grad::all, () -> { }, lossNow, 1e-2, 2e-3, 2e-3);
      assertEquals(c.out * c.fan(), checked, name(s));
      int[] every = new int[x.length];
      for (int i = 0; i < every.length; i++) {
        every[i] = i;
      }
      Grad.checkInput(x, dx, every, lossNow, 1e-2, 2e-3, 2e-3);
    }
  }

  private static float[] nhwcToNchw(float[] v, int n, int h, int w, int c) {
    float[] o = new float[v.length];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            o[((i * c + ch) * h + y) * w + x] = v[((i * h + y) * w + x) * c + ch];
          }
        }
      }
    }
    return o;
  }

  private static float[] nchwToNhwc(float[] v, int n, int h, int w, int c) {
    float[] o = new float[v.length];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            o[((i * h + y) * w + x) * c + ch] = v[((i * c + ch) * h + y) * w + x];
          }
        }
      }
    }
    return o;
  }

  private static INDArray nd(float[] v, long... shape) {
    return Nd4j.create(v.clone(), shape).castTo(DataType.FLOAT);
  }

  private static float[] flat(INDArray a) {
    return a.dup().reshape(a.length()).toFloatVector();
  }

  private static void compare(String what, float[] want, float[] got) {
    assertEquals(want.length, got.length, what + " length");
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
    }
  }

  @Test
  void sameDiffConv2dAgreesOnOutputAndGradients() {
    int[][] shapes = {{3, 4, 3, 1, 1, 6, 5, 2}, {2, 3, 3, 2, 1, 7, 6, 2}, {4, 2, 1, 2, 0, 5, 4, 2},
        {1, 3, 3, 2, 0, 7, 5, 1}};
    for (int[] s : shapes) {
      Conv2d c = conv(s);
      int n = s[7];
      String what = name(s);
      float[] x = Grad.matrix(n * c.h * c.w, c.in, 10, 1);
      Param w = new Param("convs.0.weight", Grad.matrix(c.out, c.fan(), 11, 0.5));
      float[] r = Grad.matrix(n * c.oh * c.ow, c.out, 12, 1);
      float[] y = forward(c, x, n, w.v);
      float[] dx = backward(c, x, n, w, r); // loss sum(y r): dy = r

      // GraphBuilder.adaptedConv2d's graph, on NCHW data
      SameDiff sd = SameDiff.create();
      SDVariable xv = sd.var("x", nd(nhwcToNchw(x, n, c.h, c.w, c.in), n, c.in, c.h, c.w));
      SDVariable kernel = sd.var("W", nd(w.v, c.out, c.in, c.k, c.k));
      Conv2DConfig cfg = Conv2DConfig.builder().kH(c.k).kW(c.k).sH(c.stride).sW(c.stride).pH(c.pad).pW(c.pad)
          .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
      SDVariable yv = sd.cnn().conv2d(xv, kernel.permute(2, 3, 1, 0), cfg);
      SDVariable rv = sd.constant("r", nd(nhwcToNchw(r, n, c.oh, c.ow, c.out), n, c.out, c.oh, c.ow));
      SDVariable lossv = yv.mul(rv).sum();
      lossv.markAsLoss();
      INDArray ySd = sd.output(java.util.Collections.emptyMap(), yv.name()).get(yv.name());
      assertArrayEquals(new long[] {n, c.out, c.oh, c.ow}, ySd.shape(), what + " SameDiff's output shape");
      compare(what + " y", nchwToNhwc(flat(ySd), n, c.oh, c.ow, c.out), y);
      Map<String, INDArray> g = sd.calculateGradients(java.util.Collections.emptyMap(), "x", "W");
      compare(what + " dx", nchwToNhwc(flat(g.get("x")), n, c.h, c.w, c.in), dx);
      compare(what + " dW", flat(g.get("W")), w.g);
    }
  }

  @Test
  void shapesWithNoOutputAreRefusedNamingTheLayer() {
    Object[][] bad = {
        {6, 1, 1, 3, 3, "larger than"}, // 6x6 kernel on a 3x3 image padded by 1 (5x5)
        {3, 1, 0, 2, 5, "larger than"}, // 3x3 kernel on a 2-high image, no padding
        {0, 1, 1, 8, 8, "kernel"},
        {3, 0, 1, 8, 8, "stride"},
        {3, 1, -1, 8, 8, "padding"},
    };
    for (Object[] b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Conv2d("convs.3", 2, 4, (int) b[0], (int) b[1], (int) b[2], (int) b[3], (int) b[4]));
      assertTrue(e.getMessage().contains("convs.3"), e.getMessage());
      assertTrue(e.getMessage().contains((String) b[5]), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line");
    }
    for (int[] ch : new int[][] {{0, 4}, {2, 0}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Conv2d("convs.3", ch[0], ch[1], 3, 1, 1, 8, 8));
      assertTrue(e.getMessage().contains("convs.3") && e.getMessage().contains("channel"), e.getMessage());
    }
    assertEquals(1, new Conv2d("convs.3", 2, 4, 5, 1, 1, 3, 3).oh, "a kernel the padded image's size fits once");
  }
}
