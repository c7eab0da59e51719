package org.lottalora.models.transformer;

import java.util.List;
import org.lottalora.core.engine.Param;

/**
 * LayerNorm over the last dimension of rows x [n][d]: {@code y = (x - mean) / sqrt(var + eps) * gain + bias}, gain
 * ({@code <prefix>.gain}, from 1) and bias ({@code <prefix>.bias}, from 0) trained. The ViT's and the text
 * encoder's norm (the LM uses {@link RmsNorm}).
 */
public final class LayerNorm {
  /** Added to the variance. */
  public static final double EPS = 1e-5;
  private final Param gain;
  private final Param bias;
  private float[][] normalised;
  private double[] inv;

  /** Declares the norm's trained arrays into {@code params}. */
  public LayerNorm(String prefix, int d, List<Param> params) {
    float[] ones = new float[d];
    java.util.Arrays.fill(ones, 1f);
    gain = new Param(prefix + ".gain", ones);
    bias = new Param(prefix + ".bias", new float[d]);
    params.add(gain);
    params.add(bias);
  }

  /** The normalised rows. */
  public float[][] forward(float[][] x) {
    int n = x.length;
    normalised = new float[n][];
    inv = new double[n];
    float[][] y = new float[n][];
    for (int i = 0; i < n; i++) {
      int d = x[i].length;
      double mean = 0;
      for (float v : x[i]) {
        mean += v;
      }
      mean /= d;
      double var = 0;
      for (float v : x[i]) {
        var += (v - mean) * (v - mean);
      }
      inv[i] = 1 / Math.sqrt(var / d + EPS);
      float[] xn = new float[d];
      float[] yi = new float[d];
      for (int j = 0; j < d; j++) {
        xn[j] = (float) ((x[i][j] - mean) * inv[i]);
        yi[j] = xn[j] * gain.v[j] + bias.v[j];
      }
      normalised[i] = xn;
      y[i] = yi;
    }
    return y;
  }

  /** Adds the gain's and bias's gradients for output gradient {@code dy}; returns d x. */
  public float[][] backward(float[][] dy) {
    float[][] dx = new float[dy.length][];
    for (int i = 0; i < dy.length; i++) {
      int d = dy[i].length;
      float[] xn = normalised[i];
      double sum = 0;
      double dot = 0;
      double[] dn = new double[d];
      for (int j = 0; j < d; j++) {
        gain.g[j] += dy[i][j] * xn[j];
        bias.g[j] += dy[i][j];
        dn[j] = dy[i][j] * gain.v[j];
        sum += dn[j];
        dot += dn[j] * xn[j];
      }
      dx[i] = new float[d];
      for (int j = 0; j < d; j++) {
        dx[i][j] = (float) (inv[i] * (dn[j] - sum / d - xn[j] * dot / d));
      }
    }
    return dx;
  }
}
