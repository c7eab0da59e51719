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
 * A pre-norm Transformer encoder block (ViT, BERT-style classifiers): {@code h = x + Attn(LN(x))} over all tokens
 * of a sequence (no causal mask; a padding mask hides a sequence's padded tail), then {@code y = h + MLP(LN(h))}
 * with a GELU MLP. The attention and MLP matrices are adapted, trained in full or frozen as {@link Targets} says
 * (ViT default: adapters on all six; the paper's IMDB setting: attention only, the MLP frozen random). LayerNorms
 * trained.
 */
public final class EncoderBlock {
  private final LayerNorm attnNorm;
  private final SelfAttention attention;
  private final LayerNorm mlpNorm;
  private final GeluMlp mlp;

  /** The backbone tensors of one block. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(SelfAttention.tensors(prefix + ".attn", d, init));
    ts.addAll(GeluMlp.tensors(prefix + ".mlp", d, hidden, init));
    return ts;
  }

  /** Declares the block (its trained arrays go to {@code params}). */
  public EncoderBlock(String prefix, int d, int heads, int hidden, Backbone bb, AdapterConfig ac, Targets targets,
      List<Param> params) {
    attnNorm = new LayerNorm(prefix + ".attn_norm", d, params);
    attention = new SelfAttention(prefix + ".attn", d, heads, false, bb, ac, targets.attention(), params);
    mlpNorm = new LayerNorm(prefix + ".mlp_norm", d, params);
    mlp = new GeluMlp(prefix + ".mlp", d, hidden, bb, ac, targets.mlp(), params);
  }

  /** Recomputes the effective weights. */
  public void refresh() {
    attention.refresh();
    mlp.refresh();
  }

  /**
   * The block's output for sequences of {@code seqLen} rows stacked as x [B seqLen][d]; {@code lengths} (null: all
   * full) gives each sequence's real length, later positions being padding no token attends to.
   */
  public float[][] forward(float[][] x, int seqLen, int[] lengths) {
    float[][] h = Rows.plus(x, attention.forward(attnNorm.forward(x), seqLen, lengths));
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
}
