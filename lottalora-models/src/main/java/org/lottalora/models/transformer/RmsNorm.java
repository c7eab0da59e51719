package org.lottalora.models.transformer;

import java.util.List;
import org.lottalora.core.engine.Param;

/**
 * RMSNorm (Zhang and Sennrich 2019, as LLaMA uses it): {@code y = x / sqrt(mean(x^2) + eps) * g} per row, with a
 * trained gain {@code <prefix>.gain} starting at 1. Forward keeps what backward needs for one sequence.
 */
public final class RmsNorm {
  /** LLaMA's epsilon. */
  public static final double EPS = 1e-6;
  private final Param gain;
  private float[][] normalised;
  private double[] inv;

  /** Declares the norm of width {@code d} (its gain goes to {@code params}). */
  public RmsNorm(String prefix, int d, List<Param> params) {
    float[] ones = new float[d];
    java.util.Arrays.fill(ones, 1f);
    gain = new Param(prefix + ".gain", ones);
    params.add(gain);
  }

  /** The normalised rows of x [T][d]. */
  public float[][] forward(float[][] x) {
    normalised = new float[x.length][];
    inv = new double[x.length];
    float[][] y = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      double ss = 0;
      for (float v : x[i]) {
        ss += (double) v * v;
      }
      inv[i] = 1 / Math.sqrt(ss / x[i].length + EPS);
      normalised[i] = new float[x[i].length];
      y[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        normalised[i][j] = (float) (x[i][j] * inv[i]);
        y[i][j] = normalised[i][j] * gain.v[j];
      }
    }
    return y;
  }

  /** Adds the gain's gradient for output gradient {@code dy}; returns d x. */
  public float[][] backward(float[][] dy) {
    float[][] dx = new float[dy.length][];
    for (int i = 0; i < dy.length; i++) {
      int d = dy[i].length;
      double dot = 0;
      double[] dn = new double[d];
      for (int j = 0; j < d; j++) {
        gain.g[j] += dy[i][j] * normalised[i][j];
        dn[j] = dy[i][j] * gain.v[j];
        dot += dn[j] * normalised[i][j];
      }
      dx[i] = new float[d];
      for (int j = 0; j < d; j++) {
        dx[i][j] = (float) (inv[i] * (dn[j] - normalised[i][j] * dot / d));
      }
    }
    return dx;
  }
}
