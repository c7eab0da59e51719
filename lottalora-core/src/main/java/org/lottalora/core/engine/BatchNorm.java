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
    columnSums(x, null, m, c, mean);
    float[] mu = new float[c];
    for (int j = 0; j < c; j++) {
      mean[j] /= m;
      mu[j] = (float) mean[j];
    }
    // deviations from the finished mean, not E[x^2] - mean^2: the latter cancels catastrophically when the
    // activations' mean is large against their spread
    columnSums(x, mu, m, c, var);
    for (int j = 0; j < c; j++) {
      var[j] /= m;
    }
  }

  /** Rows summed per block in float before a double total: the inner loop over channels vectorises. */
  private static final int BLOCK = 64;

  // out[j] = sum over rows of x[r, j], or with mu of (x[r, j] - mu[j])^2
  private static void columnSums(float[] x, float[] mu, int m, int c, double[] out) {
    java.util.Arrays.fill(out, 0, c, 0);
    float[] part = new float[c];
    for (int r0 = 0; r0 < m; r0 += BLOCK) {
      java.util.Arrays.fill(part, 0f);
      int r1 = Math.min(m, r0 + BLOCK);
      for (int r = r0; r < r1; r++) {
        int off = r * c;
        if (mu == null) {
          for (int j = 0; j < c; j++) {
            part[j] += x[off + j];
          }
        } else {
          for (int j = 0; j < c; j++) {
            float d = x[off + j] - mu[j];
            part[j] += d * d;
          }
        }
      }
      for (int j = 0; j < c; j++) {
        out[j] += part[j];
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
    float[] g = gamma.v;
    float[] b = shift.v;
    for (int r = 0; r < m; r++) {
      int off = r * c;
      for (int j = 0; j < c; j++) {
        float v = (x[off + j] - mu[j]) * iv[j];
        xn[off + j] = v;
        y[off + j] = v * g[j] + b[j];
      }
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
    for (int r = 0; r < m; r++) {
      int off = r * c;
      for (int j = 0; j < c; j++) {
        y[off + j] = x[off + j] * a[j] + b[j];
      }
    }
  }

  /**
   * For output gradient dy [m, c] of the training forward that filled {@code cache}: adds gamma's and shift's
   * gradients and overwrites dx [m, c] with the input gradient, through the batch statistics too.
   */
  public void backward(float[] dy, int m, Cache cache, float[] dx) {
    int c = channels;
    float[] xn = cache.normalised;
    double[] sdy = new double[c];
    double[] sdyx = new double[c];
    float[] p1 = new float[c];
    float[] p2 = new float[c];
    for (int r0 = 0; r0 < m; r0 += BLOCK) { // float partial sums per block of rows, as columnSums
      java.util.Arrays.fill(p1, 0f);
      java.util.Arrays.fill(p2, 0f);
      int r1 = Math.min(m, r0 + BLOCK);
      for (int r = r0; r < r1; r++) {
        int off = r * c;
        for (int j = 0; j < c; j++) {
          float d = dy[off + j];
          p1[j] += d;
          p2[j] += d * xn[off + j];
        }
      }
      for (int j = 0; j < c; j++) {
        sdy[j] += p1[j];
        sdyx[j] += p2[j];
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
    for (int r = 0; r < m; r++) {
      int off = r * c;
      for (int j = 0; j < c; j++) {
        dx[off + j] = scale[j] * (dy[off + j] - md[j] - xn[off + j] * mdx[j]);
      }
    }
  }
}
