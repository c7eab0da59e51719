package org.lottalora.core.engine;

import java.util.List;

/**
 * LayerNorm (Ba et al. 2016) over each row of a row-major block [n, d]: {@code y = (x - mean) / sqrt(var + eps) * g
 * + b} with population variance, trained gain {@code <prefix>.gain} (ones) and bias {@code <prefix>.bias} (zeros).
 * Forward keeps what its backward needs; the arrays are reused across steps.
 */
public final class LayerNorm {
  /** Epsilon inside the root (PyTorch's default). */
  public static final double EPS = 1e-5;
  private final Param gain;
  private final Param bias;
  private final int d;
  private final Cache own = new Cache();

  /**
   * What one forward call keeps for its backward call, for callers that run several forwards before their
   * backwards (a graph network's per-graph passes); the plain methods use the norm's own.
   */
  public static final class Cache {
    float[] normalised = new float[0];
    double[] inv = new double[0];
  }

  /** Declares the norm of width {@code d} (gain and bias go to {@code params}). */
  public LayerNorm(String prefix, int d, List<Param> params) {
    float[] ones = new float[d];
    java.util.Arrays.fill(ones, 1f);
    this.d = d;
    gain = new Param(prefix + ".gain", ones);
    bias = new Param(prefix + ".bias", new float[d]);
    params.add(gain);
    params.add(bias);
  }

  /** Normalises the n rows of x into y ([n, d], returned). */
  public float[] forward(float[] x, int n, float[] y) {
    return forward(x, n, y, own);
  }

  /** As {@link #forward(float[], int, float[])}, keeping what backward needs in {@code c}. */
  public float[] forward(float[] x, int n, float[] y, Cache c) {
    if (c.normalised.length < n * d) {
      c.normalised = new float[n * d];
      c.inv = new double[n];
    }
    float[] normalised = c.normalised;
    double[] inv = c.inv;
    float[] g = gain.v;
    float[] b = bias.v;
    Parallel.forChunks(n, Math.max(1, (1 << 14) / d), (r0, r1) -> forwardRows(x, r0, r1, y, normalised, inv, g,
        b)); // rows are independent
    return y;
  }

  private void forwardRows(float[] x, int r0, int r1, float[] y, float[] normalised, double[] inv, float[] g,
      float[] b) {
    for (int i = r0; i < r1; i++) {
      int off = i * d;
      float m0 = 0;
      float m1 = 0;
      int j = 0;
      for (; j + 1 < d; j += 2) { // two partial sums: the reduction is latency-bound with one
        m0 += x[off + j];
        m1 += x[off + j + 1];
      }
      for (; j < d; j++) {
        m0 += x[off + j];
      }
      float mean = (m0 + m1) / d;
      float v0 = 0;
      float v1 = 0;
      for (j = 0; j + 1 < d; j += 2) {
        float a0 = x[off + j] - mean;
        float a1 = x[off + j + 1] - mean;
        v0 += a0 * a0;
        v1 += a1 * a1;
      }
      for (; j < d; j++) {
        float a0 = x[off + j] - mean;
        v0 += a0 * a0;
      }
      double iv = 1 / Math.sqrt(((double) v0 + v1) / d + EPS);
      inv[i] = iv;
      float fi = (float) iv;
      for (j = 0; j < d; j++) {
        float xn = (x[off + j] - mean) * fi;
        normalised[off + j] = xn;
        y[off + j] = xn * g[j] + b[j];
      }
    }
  }

  /** Adds gain and bias gradients for output gradient dy [n, d] of the last forward; adds d input into dx. */
  public void backward(float[] dy, int n, float[] dx) {
    backward(dy, n, dx, own);
  }

  /** As {@link #backward(float[], int, float[])} for the forward that filled {@code c}. */
  public void backward(float[] dy, int n, float[] dx, Cache c) {
    float[] normalised = c.normalised;
    double[] inv = c.inv;
    float[] g = gain.v;
    int blocks = (n + BLOCK - 1) / BLOCK;
    gainParts = Buffers.fit(gainParts, blocks * d);
    biasParts = Buffers.fit(biasParts, blocks * d);
    float[] pg = gainParts;
    float[] pb = biasParts;
    Parallel.forChunks(blocks, Math.max(1, (1 << 14) / (BLOCK * d)), (b0, b1) -> {
      for (int bl = b0; bl < b1; bl++) {
        int po = bl * d;
        java.util.Arrays.fill(pg, po, po + d, 0f);
        java.util.Arrays.fill(pb, po, po + d, 0f);
        for (int i = bl * BLOCK, end = Math.min(n, (bl + 1) * BLOCK); i < end; i++) {
          int off = i * d;
          double sum = 0;
          double dot = 0;
          for (int j = 0; j < d; j++) {
            float xn = normalised[off + j];
            pg[po + j] += dy[off + j] * xn;
            pb[po + j] += dy[off + j];
            double dn = dy[off + j] * g[j];
            sum += dn;
            dot += dn * xn;
          }
          float iv = (float) inv[i];
          float ms = (float) (sum / d);
          float md = (float) (dot / d);
          for (int j = 0; j < d; j++) {
            dx[off + j] += iv * (dy[off + j] * g[j] - ms - normalised[off + j] * md);
          }
        }
      }
    });
    for (int bl = 0; bl < blocks; bl++) { // the blocks' partial sums in block order, whatever the thread count
      for (int j = 0; j < d; j++) {
        gain.g[j] += pg[bl * d + j];
        bias.g[j] += pb[bl * d + j];
      }
    }
  }

  /** Rows per block of the gain and bias gradients' partial sums. */
  private static final int BLOCK = 64;
  private float[] gainParts = new float[0];
  private float[] biasParts = new float[0];

  /**
   * LayerNorm over each of {@code n} samples of {@code positions} rows of d channels (an image block in NHWC rows):
   * one mean and variance per sample over all its {@code positions d} values, gain and bias per channel, as
   * {@code GraphBuilder.closeBlock} normalises a convolution block. Keeps what {@link #backwardSamples} needs in c.
   */
  public void forwardSamples(float[] x, int n, int positions, float[] y, Cache c) {
    int len = positions * d;
    if (c.normalised.length < n * len || c.inv.length < n) {
      c.normalised = new float[n * len];
      c.inv = new double[n];
    }
    float[] g = gain.v;
    float[] b = bias.v;
    for (int i = 0; i < n; i++) {
      int off = i * len;
      double sum = 0;
      for (int j = 0; j < len; j++) {
        sum += x[off + j];
      }
      float mean = (float) (sum / len);
      double sq = 0;
      for (int j = 0; j < len; j++) {
        double a = x[off + j] - mean;
        sq += a * a;
      }
      double iv = 1 / Math.sqrt(sq / len + EPS);
      c.inv[i] = iv;
      float fi = (float) iv;
      for (int p = 0; p < positions; p++) {
        int row = off + p * d;
        for (int j = 0; j < d; j++) {
          float xn = (x[row + j] - mean) * fi;
          c.normalised[row + j] = xn;
          y[row + j] = xn * g[j] + b[j];
        }
      }
    }
  }

  /** Backward of {@link #forwardSamples}: adds gain and bias gradients, and the input's gradient into dx. */
  public void backwardSamples(float[] dy, int n, int positions, float[] dx, Cache c) {
    int len = positions * d;
    float[] g = gain.v;
    for (int i = 0; i < n; i++) {
      int off = i * len;
      double sum = 0;
      double dot = 0;
      for (int p = 0; p < positions; p++) {
        int row = off + p * d;
        for (int j = 0; j < d; j++) {
          float xn = c.normalised[row + j];
          gain.g[j] += dy[row + j] * xn;
          bias.g[j] += dy[row + j];
          double dn = dy[row + j] * g[j];
          sum += dn;
          dot += dn * xn;
        }
      }
      float iv = (float) c.inv[i];
      float ms = (float) (sum / len);
      float md = (float) (dot / len);
      for (int p = 0; p < positions; p++) {
        int row = off + p * d;
        for (int j = 0; j < d; j++) {
          dx[row + j] += iv * (dy[row + j] * g[j] - ms - c.normalised[row + j] * md);
        }
      }
    }
  }
}
