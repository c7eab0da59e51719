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
  private final LayerNorm norm;

  /** What one forward call keeps for its backward call. */
  public static final class Cache {
    final LayerNorm.Cache norm = new LayerNorm.Cache();
  }

  /** Declares the block closing of {@code prefix} (adding its LayerNorm parameters to {@code params}). */
  public BlockClose(String prefix, int inWidth, int outWidth, AdapterConfig ac, List<Param> params) {
    residual = ac.residual() && inWidth == outWidth;
    // the engine's LayerNorm (epsilon 1e-5, as GraphBuilder.NORM_EPS) named prefix.ln.gain|bias
    norm = ac.layerNorm() ? new LayerNorm(prefix + GraphBuilder.LN_GAIN.replace(".gain", ""), outWidth, params)
        : null;
  }

  /** True if the block is changed at all. */
  public boolean active() {
    return residual || norm != null;
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
    if (norm == null || y.length == 0) {
      return y;
    }
    int d = y[0].length;
    float[] flat = Blas.flat(y, d);
    return Blas.rows(norm.forward(flat, y.length, new float[flat.length], cache.norm), y.length, d);
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
    if (norm != null && dy.length > 0) {
      int d = dy[0].length;
      float[] flat = new float[dy.length * d];
      norm.backward(Blas.flat(dy, d), dy.length, flat, cache.norm);
      ds = Blas.rows(flat, dy.length, d);
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
