package org.lottalora.core.engine;

import java.util.List;

/**
 * RMSNorm (Zhang and Sennrich 2019, as LLaMA uses it): {@code y = x / sqrt(mean(x^2) + eps) * g} per row of a
 * row-major block [n, d], with a trained gain {@code <prefix>.gain} starting at 1. Forward keeps the normalised rows
 * and inverse norms its backward needs (one forward per backward; the arrays are reused across steps).
 */
public final class RmsNorm {
  /** Epsilon inside the root (LLaMA's). */
  public static final double EPS = 1e-6;
  private final Param gain;
  private final int d;
  private float[] normalised = new float[0];
  private double[] inv = new double[0];

  /** Declares the norm of width {@code d} (its gain goes to {@code params}). */
  public RmsNorm(String prefix, int d, List<Param> params) {
    float[] ones = new float[d];
    java.util.Arrays.fill(ones, 1f);
    this.d = d;
    gain = new Param(prefix + ".gain", ones);
    params.add(gain);
  }

  /** Normalises the n rows of x into y (a new or reused [n, d] block, returned). */
  public float[] forward(float[] x, int n, float[] y) {
    if (normalised.length < n * d) {
      normalised = new float[n * d];
      inv = new double[n];
    }
    float[] g = gain.v;
    float[] xs = normalised;
    double[] ivs = inv;
    Parallel.forChunks(n, Math.max(1, (1 << 14) / d), (r0, r1) -> { // rows are independent
      for (int i = r0; i < r1; i++) {
        int off = i * d;
        double iv = 1 / Math.sqrt(sumOfSquares(x, off, d) / d + EPS);
        ivs[i] = iv;
        float fi = (float) iv;
        for (int j = 0; j < d; j++) {
          float xn = x[off + j] * fi;
          xs[off + j] = xn;
          y[off + j] = xn * g[j];
        }
      }
    });
    return y;
  }

  // four float partial sums: the reduction is latency-bound with one double accumulator
  static double sumOfSquares(float[] x, int off, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < len; j += 4) {
      float a = x[off + j];
      float b = x[off + j + 1];
      float c = x[off + j + 2];
      float e = x[off + j + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += e * e;
    }
    double ss = (double) s0 + s1 + s2 + s3;
    for (; j < len; j++) {
      ss += x[off + j] * x[off + j];
    }
    return ss;
  }

  /** Rows per block of the gain gradient's partial sums (added in block order, whatever the thread count). */
  private static final int BLOCK = 64;
  private float[] parts = new float[0];

  /** Adds the gain's gradient for output gradient dy [n, d] of the last forward; adds d input into {@code dx}. */
  public void backward(float[] dy, int n, float[] dx) {
    float[] g = gain.v;
    int blocks = (n + BLOCK - 1) / BLOCK;
    parts = Buffers.fit(parts, blocks * d);
    float[] p = parts;
    float[] xs = normalised;
    double[] ivs = inv;
    Parallel.forChunks(blocks, Math.max(1, (1 << 14) / (BLOCK * d)), (b0, b1) -> {
      for (int b = b0; b < b1; b++) {
        java.util.Arrays.fill(p, b * d, (b + 1) * d, 0f);
        for (int i = b * BLOCK, end = Math.min(n, (b + 1) * BLOCK); i < end; i++) {
          int off = i * d;
          double dot = 0;
          for (int j = 0; j < d; j++) {
            float dn = dy[off + j] * g[j];
            p[b * d + j] += dy[off + j] * xs[off + j];
            dot += dn * xs[off + j];
          }
          float iv = (float) ivs[i];
          float k = (float) (dot / d);
          for (int j = 0; j < d; j++) {
            dx[off + j] += iv * (dy[off + j] * g[j] - xs[off + j] * k);
          }
        }
      }
    });
    float[] gg = gain.g;
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < d; j++) {
        gg[j] += p[b * d + j];
      }
    }
  }
}
