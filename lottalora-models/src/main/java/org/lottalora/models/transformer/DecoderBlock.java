package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Attention;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.RmsNorm;
import org.lottalora.core.engine.SwiGlu;

/**
 * A LLaMA-style pre-norm decoder block: {@code h = x + Attn(RMSNorm(x))} (causal, RoPE, adapters on Q/K/V/O), then
 * {@code y = h + SwiGLU(RMSNorm(h))} (frozen random by default), over row-major blocks [n, d] of stacked sequences.
 * Norm gains {@code <prefix>.attn_norm.gain} and {@code <prefix>.mlp_norm.gain} are trained. {@link #step} runs one
 * token against a KV cache.
 */
public final class DecoderBlock {
  private final int d;
  private final RmsNorm attnNorm;
  private final Attention attention;
  private final RmsNorm mlpNorm;
  private final SwiGlu mlp;
  private int n;

  /** The backbone tensors of one block. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(Attention.tensors(prefix + ".attn", d, init));
    ts.addAll(SwiGlu.tensors(prefix + ".mlp", d, hidden, init));
    return ts;
  }

  /**
   * Declares the block.
   *
   * @param targets the modes of the attention and MLP matrices (the paper's WikiText setting: {@link Targets#LM})
   */
  public DecoderBlock(String prefix, int d, int heads, int hidden, Backbone bb, AdapterConfig ac, Targets targets,
      List<Param> params) {
    this.d = d;
    attnNorm = new RmsNorm(prefix + ".attn_norm", d, params);
    attention = new Attention(prefix + ".attn", d, heads, true, bb, ac, targets.attention(), params)
        .withRope(10000);
    mlpNorm = new RmsNorm(prefix + ".mlp_norm", d, params);
    mlp = new SwiGlu(prefix + ".mlp", d, hidden, bb, ac, targets.mlp(), params);
  }

  /** Recomputes effective weights. */
  public void refresh() {
    attention.refresh();
    mlp.refresh();
  }

  /** The block's output for sequences of {@code seqLen} rows stacked in x [rows, d]. */
  public float[] forward(float[] x, int rows, int seqLen, boolean train) {
    n = rows;
    float[] h = attention.forward(attnNorm.forward(x, rows, new float[rows * d]), rows, seqLen, null, train);
    for (int i = 0; i < rows * d; i++) {
      h[i] += x[i];
    }
    float[] y = mlp.forward(mlpNorm.forward(h, rows, new float[rows * d]), rows, train);
    for (int i = 0; i < rows * d; i++) {
      y[i] += h[i];
    }
    return y;
  }

  /** Adds the gradients for output gradient dy of the last training forward; returns d input. */
  public float[] backward(float[] dy) {
    int size = n * d;
    float[] dn = new float[size];
    mlp.backward(dy, dn);
    float[] dh = dy.clone();
    mlpNorm.backward(dn, n, dh);
    java.util.Arrays.fill(dn, 0f);
    attention.backward(dh, dn);
    attnNorm.backward(dn, n, dh); // dx = dh + attnNorm'(dAttn)
    return dh;
  }

  /** Turns dense-dW gradients (DoRA, full mode) into the trained arrays' gradients. */
  public void finish() {
    attention.finish();
    mlp.finish();
  }

  /** An empty KV cache for {@link #step}. */
  public Attention.KvCache newCache() {
    return attention.newCache();
  }

  /** The output for one token {@code xt} [d] after the cached ones. */
  public float[] step(Attention.KvCache cache, float[] xt) {
    float[] a = attention.step(cache, attnNorm.forward(xt, 1, new float[d]));
    float[] h = new float[d];
    for (int c = 0; c < d; c++) {
      h[c] = xt[c] + a[c];
    }
    float[] y = mlp.forward(mlpNorm.forward(h, 1, new float[d]), 1, false);
    for (int c = 0; c < d; c++) {
      y[c] += h[c];
    }
    return y;
  }

  /** The block's attention and MLP matrices, for a scaffold switch. */
  public void scaffoldLayers(java.util.List<org.lottalora.core.engine.AdaptedDense> out) {
    attention.scaffoldLayers(out);
    mlp.scaffoldLayers(out);
  }
}
