package org.lottalora.core.engine;

import java.util.List;

/**
 * BatchNorm (Ioffe and Szegedy 2015) over the channels of rows [m, c] (NHWC activations, m = n h w), with the
 * semantics of {@code GraphBuilder.batchNorm}: {@code y = (x - mean) / sqrt(var + eps) gamma + shift}, where
 * training uses the batch's mean and biased variance and inference the running statistics. Scale
 * {@code <prefix>.bn.gamma} (ones) and shift {@code <prefix>.bn.shift} (zeros) are trained; the running mean
 * {@code <prefix>.bn.mean} (zeros) and variance {@code <prefix>.bn.var} (ones) are not: calibration writes them
 * from {@link #batchStatistics} of the current weights (the "precise BN" estimate), so they are plain arrays. Sums
 * over the batch run in double: at 100k rows a float sum would lose the variance's last digits.
 */
public final class BatchNorm {
  /** Epsilon inside the root, as {@code GraphBuilder.NORM_EPS}. */
  public static final double EPS = 1e-5;
  /** Backbone name prefix of the layer. */
  public final String prefix;
  /** Channels. */
  public final int channels;
  private final Param gamma;
  private final Param shift;
  private final float[] runMean;
  private final float[] runVar;

  /** What one training forward keeps for its backward (and the batch statistics it used). */
  public static final class Cache {
    float[] normalised = new float[0];
    final double[] mean;
    final double[] var;
    final double[] inv;

    /** An empty cache for a norm of {@code channels} channels. */
    public Cache(int channels) {
      mean = new double[channels];
      var = new double[channels];
      inv = new double[channels];
    }

    /** The batch mean of the last training forward, per channel. */
    public double[] batchMean() {
      return mean;
    }

    /** The batch's biased variance of the last training forward, per channel. */
    public double[] batchVar() {
      return var;
    }
  }

  /** Declares the norm of {@code channels} channels (gamma and shift go to {@code params}). */
  public BatchNorm(String prefix, int channels, List<Param> params) {
    this.prefix = prefix;
    this.channels = channels;
    float[] ones = new float[channels];
    java.util.Arrays.fill(ones, 1f);
    gamma = new Param(prefix + ".bn.gamma", ones);
    shift = new Param(prefix + ".bn.shift", new float[channels]);
    params.add(gamma);
    params.add(shift);
    runMean = new float[channels];
    runVar = ones.clone();
  }

  /** A cache sized for this norm. */
  public Cache newCache() {
    return new Cache(channels);
  }

  /** The running mean {@code <prefix>.bn.mean} (the array itself: calibration and loading write into it). */
  public float[] runningMean() {
    return runMean;
  }

  /** The running variance {@code <prefix>.bn.var} (the array itself). */
  public float[] runningVar() {
    return runVar;
  }

  /** Name of the running mean, as the artifact stores it. */
  public String meanName() {
    return prefix + ".bn.mean";
  }

  /** Name of the running variance, as the artifact stores it. */
  public String varName() {
    return prefix + ".bn.var";
  }

  /**
   * Per-channel mean and biased variance (mean of squared deviations, two passes) of x [m, c] into {@code mean}
   * and {@code var}; the statistics a training forward normalises with.
   */
  public void batchStatistics(float[] x, int m, double[] mean, double[] var) {
    int c = channels;
    columnSums(x, null, m, mean);
    float[] mu = new float[c];
    for (int j = 0; j < c; j++) {
      mean[j] /= m;
      mu[j] = (float) mean[j];
    }
    // deviations from the finished mean, not E[x^2] - mean^2: the latter cancels catastrophically when the
    // activations' mean is large against their spread
    columnSums(x, mu, m, var);
    for (int j = 0; j < c; j++) {
      var[j] /= m;
    }
  }

  /** Rows summed per block in float before a double total: the inner loop over channels vectorises. */
  private static final int BLOCK = 64;

  /** Values a thread's share of a pass should hold at least; a smaller pass runs on the calling thread. */
  private static final int LEAST = 1 << 14;

  // each block's float partial sums, [blocks, c] (and a second set for backward's two sums)
  private float[] parts = new float[0];
  private float[] parts2 = new float[0];

  // rows per tile: a power of two that makes a tile (tileRows c values) about 256 long. The passes run tile by tile
  // against per-channel values repeated tileRows times, so their inner loops are a tile long (a loop over c = 16
  // channels is too short for the JIT's vectorised main loop), and each tile is first copied to scratch at index 0:
  // C2 does not vectorise a loop that stores at one offset and loads at another unless it knows the arrays differ.
  // Both together made the norms 3x faster (they were a sixth of a Plain-20 step)
  private int tileRows() {
    return Math.min(BLOCK, Integer.highestOneBit(Math.max(1, 256 / channels)));
  }

  // v [c] repeated tileRows times
  private float[] repeat(float[] v) {
    int c = channels;
    int t = tileRows();
    float[] out = new float[t * c];
    for (int r = 0; r < t; r++) {
      System.arraycopy(v, 0, out, r * c, c);
    }
    return out;
  }

  private int rowsPerShare() {
    return Math.max(1, LEAST / channels);
  }

  // out[j] = sum over rows of x[r, j], or with mu of (x[r, j] - mu[j])^2: the blocks' partial sums on the engine's
  // threads, then their double total in block order, so the same bits whatever the thread count
  private void columnSums(float[] x, float[] mu, int m, double[] out) {
    int c = channels;
    int blocks = (m + BLOCK - 1) / BLOCK;
    parts = Buffers.fit(parts, blocks * c);
    float[] p = parts;
    float[] muRep = mu == null ? null : repeat(mu);
    int tile = tileRows() * c;
    Parallel.forChunks(blocks, Math.max(1, rowsPerShare() / BLOCK), (b0, b1) -> {
      float[] acc = new float[tile];
      float[] t = new float[tile];
      float[] part = new float[c];
      for (int b = b0; b < b1; b++) {
        java.util.Arrays.fill(acc, 0f);
        int end = Math.min(m, (b + 1) * BLOCK) * c;
        for (int off = b * BLOCK * c; off < end; off += tile) {
          int len = Math.min(tile, end - off);
          System.arraycopy(x, off, t, 0, len);
          if (muRep == null) {
            addRun(t, len, acc);
          } else {
            squaredDeviationRun(t, len, muRep, acc);
          }
        }
        fold(acc, c, part);
        System.arraycopy(part, 0, p, b * c, c);
      }
    });
    java.util.Arrays.fill(out, 0, c, 0);
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < c; j++) {
        out[j] += p[b * c + j];
      }
    }
  }

  private static void addRun(float[] t, int len, float[] acc) {
    for (int q = 0; q < len; q++) {
      acc[q] += t[q];
    }
  }

  private static void squaredDeviationRun(float[] t, int len, float[] muRep, float[] acc) {
    for (int q = 0; q < len; q++) {
      float d = t[q] - muRep[q];
      acc[q] += d * d;
    }
  }

  // part[j] = the sum of a tile's per-row sums for channel j, rows in order
  private static void fold(float[] acc, int c, float[] part) {
    java.util.Arrays.fill(part, 0f);
    for (int r = 0; r < acc.length; r += c) {
      for (int j = 0; j < c; j++) {
        part[j] += acc[r + j];
      }
    }
  }

  /** Normalises x [m, c] into y with the batch's statistics, keeping what backward needs in {@code cache}. */
  public void forwardTrain(float[] x, int m, float[] y, Cache cache) {
    int c = channels;
    batchStatistics(x, m, cache.mean, cache.var);
    cache.normalised = Buffers.fit(cache.normalised, m * c);
    float[] xn = cache.normalised;
    float[] mu = new float[c];
    float[] iv = new float[c];
    for (int j = 0; j < c; j++) {
      cache.inv[j] = 1 / Math.sqrt(cache.var[j] + EPS);
      mu[j] = (float) cache.mean[j];
      iv[j] = (float) cache.inv[j];
    }
    float[] g = repeat(gamma.v);
    float[] b = repeat(shift.v);
    float[] muR = repeat(mu);
    float[] ivR = repeat(iv);
    int tile = tileRows() * c;
    Parallel.forChunks(m, rowsPerShare(), (r0, r1) -> {
      float[] t1 = new float[tile];
      float[] t2 = new float[tile];
      for (int off = r0 * c, end = r1 * c; off < end; off += tile) {
        int len = Math.min(tile, end - off);
        System.arraycopy(x, off, t1, 0, len);
        normalise(t1, len, muR, ivR, g, b, t2);
        System.arraycopy(t1, 0, xn, off, len);
        System.arraycopy(t2, 0, y, off, len);
      }
    });
  }

  // t1 = (t1 - mu) iv, the normalised values; t2 = t1 g + b
  private static void normalise(float[] t1, int len, float[] mu, float[] iv, float[] g, float[] b, float[] t2) {
    for (int q = 0; q < len; q++) {
      float v = (t1[q] - mu[q]) * iv[q];
      t1[q] = v;
      t2[q] = v * g[q] + b[q];
    }
  }

  /** Normalises x [m, c] into y with the running statistics (inference). */
  public void forward(float[] x, int m, float[] y) {
    int c = channels;
    // folded into one scale and offset per channel: y = x a + b'
    float[] a = new float[c];
    float[] b = new float[c];
    for (int j = 0; j < c; j++) {
      double s = gamma.v[j] / Math.sqrt(runVar[j] + EPS);
      a[j] = (float) s;
      b[j] = (float) (shift.v[j] - runMean[j] * s);
    }
    float[] aR = repeat(a);
    float[] bR = repeat(b);
    int tile = tileRows() * c;
    Parallel.forChunks(m, rowsPerShare(), (r0, r1) -> {
      float[] t = new float[tile];
      for (int off = r0 * c, end = r1 * c; off < end; off += tile) {
        int len = Math.min(tile, end - off);
        System.arraycopy(x, off, t, 0, len);
        scaleShift(t, len, aR, bR);
        System.arraycopy(t, 0, y, off, len);
      }
    });
  }

  private static void scaleShift(float[] t, int len, float[] a, float[] b) {
    for (int q = 0; q < len; q++) {
      t[q] = t[q] * a[q] + b[q];
    }
  }

  /**
   * For output gradient dy [m, c] of the training forward that filled {@code cache}: adds gamma's and shift's
   * gradients and overwrites dx [m, c] with the input gradient, through the batch statistics too.
   */
  public void backward(float[] dy, int m, Cache cache, float[] dx) {
    int c = channels;
    float[] xn = cache.normalised;
    int blocks = (m + BLOCK - 1) / BLOCK;
    parts = Buffers.fit(parts, blocks * c);
    parts2 = Buffers.fit(parts2, blocks * c);
    float[] q1 = parts;
    float[] q2 = parts2;
    // float partial sums per block of rows on the engine's threads, totalled in block order, as columnSums
    int tile = tileRows() * c;
    Parallel.forChunks(blocks, Math.max(1, rowsPerShare() / BLOCK), (b0, b1) -> {
      float[] acc1 = new float[tile];
      float[] acc2 = new float[tile];
      float[] t1 = new float[tile];
      float[] t2 = new float[tile];
      float[] p1 = new float[c];
      float[] p2 = new float[c];
      for (int bl = b0; bl < b1; bl++) {
        java.util.Arrays.fill(acc1, 0f);
        java.util.Arrays.fill(acc2, 0f);
        int end = Math.min(m, (bl + 1) * BLOCK) * c;
        for (int off = bl * BLOCK * c; off < end; off += tile) {
          int len = Math.min(tile, end - off);
          System.arraycopy(dy, off, t1, 0, len);
          System.arraycopy(xn, off, t2, 0, len);
          gradientSums(t1, t2, len, acc1, acc2);
        }
        fold(acc1, c, p1);
        fold(acc2, c, p2);
        System.arraycopy(p1, 0, q1, bl * c, c);
        System.arraycopy(p2, 0, q2, bl * c, c);
      }
    });
    double[] sdy = new double[c];
    double[] sdyx = new double[c];
    for (int bl = 0; bl < blocks; bl++) {
      for (int j = 0; j < c; j++) {
        sdy[j] += q1[bl * c + j];
        sdyx[j] += q2[bl * c + j];
      }
    }
    // dx = gamma inv (dy - mean(dy) - xn mean(dy xn)): the two means are the gradient through the batch's mean
    // and variance
    float[] scale = new float[c];
    float[] md = new float[c];
    float[] mdx = new float[c];
    for (int j = 0; j < c; j++) {
      gamma.g[j] += (float) sdyx[j];
      shift.g[j] += (float) sdy[j];
      scale[j] = (float) (gamma.v[j] * cache.inv[j]);
      md[j] = (float) (sdy[j] / m);
      mdx[j] = (float) (sdyx[j] / m);
    }
    float[] sR = repeat(scale);
    float[] mdR = repeat(md);
    float[] mdxR = repeat(mdx);
    Parallel.forChunks(m, rowsPerShare(), (r0, r1) -> {
      float[] t1 = new float[tile];
      float[] t2 = new float[tile];
      for (int off = r0 * c, end = r1 * c; off < end; off += tile) {
        int len = Math.min(tile, end - off);
        System.arraycopy(dy, off, t1, 0, len);
        System.arraycopy(xn, off, t2, 0, len);
        inputGradient(t1, t2, len, sR, mdR, mdxR);
        System.arraycopy(t1, 0, dx, off, len);
      }
    });
  }

  // over one tile (dy in t1, xn in t2): acc1 += dy, acc2 += dy xn
  private static void gradientSums(float[] t1, float[] t2, int len, float[] acc1, float[] acc2) {
    for (int q = 0; q < len; q++) {
      float d = t1[q];
      acc1[q] += d;
      acc2[q] += d * t2[q];
    }
  }

  // over one tile (dy in t1, xn in t2): t1 = scale (dy - md - xn mdx), the input's gradient
  private static void inputGradient(float[] t1, float[] t2, int len, float[] scale, float[] md, float[] mdx) {
    for (int q = 0; q < len; q++) {
      t1[q] = scale[q] * (t1[q] - md[q] - t2[q] * mdx[q]);
    }
  }
}
