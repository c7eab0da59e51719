package org.lottalora.core.engine;

/**
 * The geometry of one 2-D convolution (cross-correlation, as PyTorch and SameDiff compute it) over NHWC rows, and
 * the im2col / col2im pair that turns it into a matrix product: {@link #im2col} lays every output pixel's receptive
 * field out as one row of {@link #fan()} values in patch order {@code (ky k + kx) in + ci}, so with the kernel
 * matrix W [out, fan] in the same column order ({@link #toPatchOrder} of the canonical [out, in, k, k] flattened)
 * {@code y = cols W^T} is the convolution. The kernel holds no weights here: the caller multiplies by it as an {@link AdaptedDense} over that
 * matrix (so adapters, DoRA and full training come for free), and sends the product's input gradient back through
 * {@link #col2im}, the adjoint. Images are split over the engine's threads, one image per task, so each value is
 * computed by the same code in the same order whatever the thread count.
 */
public final class Conv2d {
  /** Backbone name prefix of the layer (for messages). */
  public final String prefix;
  /** Input channels. */
  public final int in;
  /** Output channels. */
  public final int out;
  /** Kernel side. */
  public final int k;
  /** Step in both directions. */
  public final int stride;
  /** Zero padding on each side. */
  public final int pad;
  /** Input height. */
  public final int h;
  /** Input width. */
  public final int w;
  /** Output height, {@code (h + 2 pad - k) / stride + 1}. */
  public final int oh;
  /** Output width, {@code (w + 2 pad - k) / stride + 1}. */
  public final int ow;

  /**
   * Declares the convolution of {@code in} to {@code out} channels with a {@code k x k} kernel over {@code h x w}
   * images; refuses shapes that have no output, naming the layer.
   */
  public Conv2d(String prefix, int in, int out, int k, int stride, int pad, int h, int w) {
    String at = "convolution '" + prefix + "': ";
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException(at + "needs at least one input and one output channel, got " + in + " -> "
          + out + "; give every convolution a width of at least 1");
    }
    if (k < 1 || stride < 1) {
      throw new IllegalArgumentException(at + "kernel " + k + " and stride " + stride
          + " must both be at least 1");
    }
    if (pad < 0) {
      throw new IllegalArgumentException(at + "padding " + pad + " is negative; use 0 or more");
    }
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(at + "a " + h + "x" + w + " image has no pixels; use larger images or "
          + "fewer stride-2 convolutions");
    }
    if (k > h + 2 * pad || k > w + 2 * pad) {
      throw new IllegalArgumentException(at + "kernel " + k + "x" + k + " is larger than the " + h + "x" + w
          + " image padded by " + pad + "; use larger images, more padding or fewer stride-2 convolutions");
    }
    this.prefix = prefix;
    this.in = in;
    this.out = out;
    this.k = k;
    this.stride = stride;
    this.pad = pad;
    this.h = h;
    this.w = w;
    this.oh = (h + 2 * pad - k) / stride + 1;
    this.ow = (w + 2 * pad - k) / stride + 1;
  }

  /** Values per receptive field, {@code in k k}: the kernel matrix's column count. */
  public int fan() {
    return in * k * k;
  }

  /**
   * Lays out x [n h w, in] (NHWC rows) as cols [n oh ow, fan]: row {@code (i oh + oy) ow + ox} holds the field of
   * output pixel (oy, ox) of image i in patch order, column {@code (ky k + kx) in + ci}; positions in the padding
   * read 0. In NHWC the k pixels of one kernel row are one contiguous run of {@code k in} values, so a field is k
   * bulk copies (the canonical order {@code ci k k + ky k + kx} needs a strided store per value, which measured
   * about 45% of a Plain-20 step); {@link #toPatchOrder} puts a kernel matrix in the same column order.
   */
  public void im2col(float[] x, int n, float[] cols) {
    int len = n * oh * ow * fan();
    NativeBlock block = new NativeBlock().fit(len);
    im2col(x, n, block);
    block.buffer().get(0, cols, 0, len);
  }

  /** {@link #im2col(float[], int, float[])} straight into native memory, where the product reads it. */
  public void im2col(float[] x, int n, NativeBlock cols) {
    cols.fit((long) n * oh * ow * fan());
    java.nio.FloatBuffer out = cols.buffer();
    Parallel.forEach(n, i -> im2colImage(x, i, i, out));
  }

  /**
   * The columns of images [from, to) of x only, from row 0 of cols: a caller that runs a batch in chunks of images
   * keeps the columns (9 times the input for a 3x3 kernel) small enough to stay in cache between the copy and the
   * product. It runs on the calling thread: the caller splits its chunks over threads.
   */
  public void im2col(float[] x, int from, int to, NativeBlock cols) {
    cols.fit((long) (to - from) * oh * ow * fan());
    java.nio.FloatBuffer out = cols.buffer();
    for (int j = 0; j < to - from; j++) {
      im2colImage(x, from + j, j, out);
    }
  }

  // image i of x into the column rows of slot (from row slot oh ow on)
  private void im2colImage(float[] x, int i, int slot, java.nio.FloatBuffer cols) {
    int fan = in * k * k;
    int run = k * in;
    float[] zeros = new float[run];
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int row = ((slot * oh + oy) * ow + ox) * fan;
        int ix0 = ox * stride - pad;
        int lo = Math.max(0, -ix0); // kernel columns [lo, hi) fall inside the image
        int hi = Math.min(k, w - ix0);
        for (int ky = 0; ky < k; ky++) {
          int iy = oy * stride - pad + ky;
          int dst = row + ky * run;
          if (iy < 0 || iy >= h || hi <= lo) {
            cols.put(dst, zeros, 0, run);
            continue;
          }
          if (lo > 0) {
            cols.put(dst, zeros, 0, lo * in);
          }
          cols.put(dst + lo * in, x, ((i * h + iy) * w + ix0 + lo) * in, (hi - lo) * in);
          if (hi < k) {
            cols.put(dst + hi * in, zeros, 0, (k - hi) * in);
          }
        }
      }
    }
  }

  /**
   * The adjoint of {@link #im2col}: overwrites dx [n h w, in] with the sum, over every field that read a pixel, of
   * that field's gradient dcols [n oh ow, fan] (padding positions are dropped).
   */
  public void col2im(float[] dcols, int n, float[] dx) {
    NativeBlock block = new NativeBlock().fit((long) n * oh * ow * fan());
    block.buffer().put(0, dcols, 0, n * oh * ow * fan());
    col2im(block, n, dx);
  }

  /** {@link #col2im(float[], int, float[])} from native memory, where the product wrote the column gradient. */
  public void col2im(NativeBlock dcols, int n, float[] dx) {
    java.nio.FloatBuffer in = dcols.buffer();
    Parallel.forEach(n, i -> col2imImage(in, i, i, dx));
  }

  /**
   * The adjoint of {@link #im2col(float[], int, int, NativeBlock)}: overwrites images [from, to) of dx [n h w, in]
   * from the column gradient of those images, whose rows start at row 0 of dcols; dx's other images are untouched.
   * It runs on the calling thread, as the range {@link #im2col(float[], int, int, NativeBlock)}.
   */
  public void col2im(NativeBlock dcols, int from, int to, float[] dx) {
    java.nio.FloatBuffer in = dcols.buffer();
    for (int j = 0; j < to - from; j++) {
      col2imImage(in, from + j, j, dx);
    }
  }

  // each image's pixels receive gradient only from that image's fields, so images are independent tasks; within an
  // image the fields are added in output order, a fixed order whatever the thread count. Each kernel row's
  // contribution is one contiguous run of k in values, read in bulk and added in one vectorisable loop
  private void col2imImage(java.nio.FloatBuffer dcols, int i, int slot, float[] dx) {
    int fan = in * k * k;
    int run = k * in;
    float[] part = new float[run];
    int base = i * h * w * in;
    java.util.Arrays.fill(dx, base, base + h * w * in, 0f);
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int row = ((slot * oh + oy) * ow + ox) * fan;
        int ix0 = ox * stride - pad;
        int lo = Math.max(0, -ix0);
        int hi = Math.min(k, w - ix0);
        if (hi <= lo) {
          continue;
        }
        int len = (hi - lo) * in;
        for (int ky = 0; ky < k; ky++) {
          int iy = oy * stride - pad + ky;
          if (iy < 0 || iy >= h) {
            continue;
          }
          dcols.get(row + ky * run + lo * in, part, 0, len);
          int dst = ((i * h + iy) * w + ix0 + lo) * in;
          for (int j = 0; j < len; j++) {
            dx[dst + j] += part[j];
          }
        }
      }
    }
  }

  /**
   * True for a stride-1 convolution that keeps the image size (odd k, pad (k - 1) / 2): its adjoint is itself a
   * convolution of the same geometry with the kernel's taps flipped ({@link #adjoint}, {@link #flippedTaps}), so the
   * input gradient can be computed as im2col of the output-side gradient times a small matrix, which is what the
   * engine does instead of {@link #col2im}.
   */
  public boolean sizePreserving() {
    return stride == 1 && oh == h && ow == w && 2 * pad == k - 1;
  }

  /**
   * The geometry of this {@link #sizePreserving} convolution's adjoint over a gradient of {@code channels} channels
   * on the output grid: {@code dx = im2col'(g) flippedTaps(M, channels)} where {@code dx = g M} per pixel would be
   * the column gradient before {@link #col2im}.
   */
  public Conv2d adjoint(int channels) {
    if (!sizePreserving()) {
      throw new IllegalStateException(prefix + ": only a stride-1 size-preserving convolution has a convolution "
          + "as its adjoint");
    }
    return new Conv2d(prefix, channels, in, k, 1, pad, oh, ow);
  }

  /**
   * For a matrix M [rows, fan] in patch order (the matrix whose product with a per-pixel gradient g [pixels, rows]
   * gives the column gradient), the [k k rows, in] matrix F with {@code F[(q rows + o), ci] = M[o, (k k - 1 - q) in
   * + ci]}: a field of g's im2col at tap q reads the pixel that tap {@code k k - 1 - q} of the forward convolution
   * wrote, so {@code im2col(g) F} is col2im of {@code g M}, summed in tap order.
   */
  public float[] flippedTaps(float[] m, int rows, float[] into) {
    int kk = k * k;
    float[] f = into != null && into.length >= kk * rows * in ? into : new float[kk * rows * in];
    int fan = kk * in;
    for (int q = 0; q < kk; q++) {
      for (int o = 0; o < rows; o++) {
        System.arraycopy(m, o * fan + (kk - 1 - q) * in, f, (q * rows + o) * in, in);
      }
    }
    return f;
  }

  /**
   * A matrix of {@code rows} rows over the canonical kernel columns {@code ci k k + ky k + kx} (a kernel
   * [out, in, k, k] flattened, or an adapter factor A [r, in k k]) with its columns in {@link #im2col}'s patch order
   * {@code (ky k + kx) in + ci}. Products, norms and element-wise rules are unchanged by a column permutation, so
   * the engine trains the permuted arrays and converts back ({@link #fromPatchOrder}) where the model's tensors are
   * read or written.
   */
  public float[] toPatchOrder(float[] m, int rows) {
    return permute(m, rows, true);
  }

  /** The inverse of {@link #toPatchOrder}: canonical column order {@code ci k k + ky k + kx}. */
  public float[] fromPatchOrder(float[] m, int rows) {
    return permute(m, rows, false);
  }

  private float[] permute(float[] m, int rows, boolean toPatch) {
    float[] out = new float[m.length];
    int kk = k * k;
    int fan = in * kk;
    for (int r = 0; r < rows; r++) {
      for (int ci = 0; ci < in; ci++) {
        for (int q = 0; q < kk; q++) {
          int canonical = r * fan + ci * kk + q;
          int patch = r * fan + q * in + ci;
          if (toPatch) {
            out[patch] = m[canonical];
          } else {
            out[canonical] = m[patch];
          }
        }
      }
    }
    return out;
  }
}
