package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Rows;

/**
 * A LLaMA-style pre-norm decoder block: {@code h = x + Attn(RMSNorm(x))} (causal, RoPE, adapters on Q/K/V/O), then
 * {@code y = h + SwiGLU(RMSNorm(h))} (frozen random by default). Norm gains {@code <prefix>.attn_norm.gain} and
 * {@code <prefix>.mlp_norm.gain} are trained. {@link #step} runs one token against a KV cache.
 */
public final class DecoderBlock {
  private final RmsNorm attnNorm;
  private final SelfAttention attention;
  private final RmsNorm mlpNorm;
  private final SwiGlu mlp;

  /** The backbone tensors of one block. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(SelfAttention.tensors(prefix + ".attn", d, init));
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
    attnNorm = new RmsNorm(prefix + ".attn_norm", d, params);
    attention = new SelfAttention(prefix + ".attn", d, heads, true, bb, ac, targets.attention(), params)
        .withRope(10000);
    mlpNorm = new RmsNorm(prefix + ".mlp_norm", d, params);
    mlp = new SwiGlu(prefix + ".mlp", d, hidden, bb, ac, targets.mlp(), params);
  }

  /** Recomputes the effective weights. */
  public void refresh() {
    attention.refresh();
    mlp.refresh();
  }

  /** The block's output for one sequence x [T][d]. */
  public float[][] forward(float[][] x) {
    return forward(x, x.length);
  }

  /** The block's output for sequences of {@code seqLen} tokens stacked as rows x [B seqLen][d]. */
  public float[][] forward(float[][] x, int seqLen) {
    float[][] h = Rows.plus(x, attention.forward(attnNorm.forward(x), seqLen));
    return Rows.plus(h, mlp.forward(mlpNorm.forward(h)));
  }

  /** Adds the gradients for output gradient {@code dy} of the last forward; returns d x. */
  public float[][] backward(float[][] dy) {
    float[][] dh = Rows.plus(dy, mlpNorm.backward(mlp.backward(dy)));
    return Rows.plus(dh, attnNorm.backward(attention.backward(dh)));
  }

  /** Turns accumulated gradients into the trained arrays' gradients. */
  public void finish() {
    attention.finish();
    mlp.finish();
  }

  /** An empty KV cache for {@link #step}. */
  public SelfAttention.KvCache newCache() {
    return attention.newCache();
  }

  /** The output for one new token (the same numbers as the last row of {@link #forward} on the whole prefix). */
  public float[] step(SelfAttention.KvCache cache, float[] xt) {
    float[][] x = {xt};
    float[][] h = Rows.plus(x, new float[][] {attention.step(cache, attnNorm.forward(x)[0])});
    return Rows.plus(h, mlp.forward(mlpNorm.forward(h)))[0];
  }
}
