package org.lottalora.core.engine;

import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.graph.GraphBuilder;

/**
 * The adapter config's residual and LayerNorm switches for the hand-written engines, as {@link GraphBuilder#closeBlock}
 * applies them on SameDiff: a block's output gets its input added when the widths agree ({@code residual}), then a
 * LayerNorm over each row's features (population variance, epsilon {@link GraphBuilder#NORM_EPS}) with a trained
 * gain and bias {@code prefix.ln.gain|bias} ({@code layerNorm}). Without either switch it passes the output through.
 */
public final class BlockClose {
  private final boolean residual;
  private final Param gain;
  private final Param bias;

  /** What one forward call keeps for its backward call. */
  public static final class Cache {
    float[][] normalised;
    double[] invStd;
  }

  /** Declares the block closing of {@code prefix} (adding its LayerNorm parameters to {@code params}). */
  public BlockClose(String prefix, int inWidth, int outWidth, AdapterConfig ac, List<Param> params) {
    residual = ac.residual() && inWidth == outWidth;
    if (ac.layerNorm()) {
      float[] ones = new float[outWidth];
      java.util.Arrays.fill(ones, 1f);
      gain = new Param(prefix + GraphBuilder.LN_GAIN, ones);
      bias = new Param(prefix + GraphBuilder.LN_BIAS, new float[outWidth]);
      params.add(gain);
      params.add(bias);
    } else {
      gain = null;
      bias = null;
    }
  }

  /** True if the block is changed at all. */
  public boolean active() {
    return residual || gain != null;
  }

  /** The closed block: {@code out (+ in)}, then LayerNorm; {@code cache} receives what backward needs. */
  public float[][] forward(float[][] in, float[][] out, Cache cache) {
    if (!active()) {
      return out;
    }
    float[][] y = new float[out.length][];
    for (int n = 0; n < out.length; n++) {
      y[n] = out[n].clone();
      if (residual) {
        for (int j = 0; j < y[n].length; j++) {
          y[n][j] += in[n][j];
        }
      }
    }
    if (gain == null) {
      return y;
    }
    cache.normalised = new float[y.length][];
    cache.invStd = new double[y.length];
    for (int n = 0; n < y.length; n++) {
      int d = y[n].length;
      double mean = 0;
      for (float v : y[n]) {
        mean += v;
      }
      mean /= d;
      double var = 0;
      for (float v : y[n]) {
        var += (v - mean) * (v - mean);
      }
      var /= d;
      double inv = 1 / Math.sqrt(var + GraphBuilder.NORM_EPS);
      cache.invStd[n] = inv;
      float[] xhat = new float[d];
      for (int j = 0; j < d; j++) {
        xhat[j] = (float) ((y[n][j] - mean) * inv);
        y[n][j] = xhat[j] * gain.v[j] + bias.v[j];
      }
      cache.normalised[n] = xhat;
    }
    return y;
  }

  /**
   * Gradients from the closed block's gradient {@code dy}: returns {@code {d out, d in}}, d in null without a
   * residual; adds the LayerNorm's gain and bias gradients.
   */
  public float[][][] backward(float[][] dy, Cache cache) {
    if (!active()) {
      return new float[][][] {dy, null};
    }
    float[][] ds = dy;
    if (gain != null) {
      ds = new float[dy.length][];
      for (int n = 0; n < dy.length; n++) {
        int d = dy[n].length;
        float[] xhat = cache.normalised[n];
        double[] dx = new double[d];
        double meanDx = 0;
        double meanDxX = 0;
        for (int j = 0; j < d; j++) {
          gain.g[j] += dy[n][j] * xhat[j];
          bias.g[j] += dy[n][j];
          dx[j] = dy[n][j] * gain.v[j];
          meanDx += dx[j] / d;
          meanDxX += dx[j] * xhat[j] / d;
        }
        ds[n] = new float[d];
        for (int j = 0; j < d; j++) {
          ds[n][j] = (float) (cache.invStd[n] * (dx[j] - meanDx - xhat[j] * meanDxX));
        }
      }
    }
    float[][] dIn = null;
    if (residual) {
      dIn = new float[ds.length][];
      for (int n = 0; n < ds.length; n++) {
        dIn[n] = ds[n].clone(); // callers mask d out in place
      }
    }
    return new float[][][] {ds, dIn};
  }
}
