package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Attention;
import org.lottalora.core.engine.GeluMlp;
import org.lottalora.core.engine.LayerNorm;
import org.lottalora.core.engine.Param;

/**
 * A pre-norm Transformer encoder block (ViT, BERT-style classifiers): {@code h = x + Attn(LN(x))} over all tokens
 * of a sequence (no causal mask unless asked for, as GPT-2 and the Decision Transformer do; a padding mask hides a sequence's padded tail), then {@code y = h + MLP(LN(h))}
 * with a GELU MLP, over row-major blocks [n, d] of stacked sequences. The attention and MLP matrices are adapted,
 * trained in full or frozen as {@link Targets} says (ViT default: adapters on all six; the paper's IMDB setting:
 * attention only, the MLP frozen random). LayerNorms trained.
 */
public final class EncoderBlock {
  private final int d;
  private final LayerNorm attnNorm;
  private final Attention attention;
  private final LayerNorm mlpNorm;
  private final GeluMlp mlp;
  private int n;

  /** The backbone tensors of one block. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(Attention.tensors(prefix + ".attn", d, init));
    ts.addAll(GeluMlp.tensors(prefix + ".mlp", d, hidden, init));
    return ts;
  }

  /** Declares the block (its trained arrays go to {@code params}). */
  public EncoderBlock(String prefix, int d, int heads, int hidden, Backbone bb, AdapterConfig ac, Targets targets,
      List<Param> params) {
    this(prefix, d, heads, hidden, false, bb, ac, targets, params);
  }

  /**
   * Declares the block, with a causal mask when {@code causal} (GPT-2's block, as the Decision Transformer uses it:
   * a token sees itself and the tokens before it only).
   */
  public EncoderBlock(String prefix, int d, int heads, int hidden, boolean causal, Backbone bb, AdapterConfig ac,
      Targets targets, List<Param> params) {
    this.d = d;
    attnNorm = new LayerNorm(prefix + ".attn_norm", d, params);
    attention = new Attention(prefix + ".attn", d, heads, causal, bb, ac, targets.attention(), params);
    mlpNorm = new LayerNorm(prefix + ".mlp_norm", d, params);
    mlp = new GeluMlp(prefix + ".mlp", d, hidden, bb, ac, targets.mlp(), params);
  }

  /** Recomputes effective weights. */
  public void refresh() {
    attention.refresh();
    mlp.refresh();
  }

  /** The output for sequences of {@code seqLen} rows in x [rows, d] ({@code lengths}: real lengths, or null). */
  public float[] forward(float[] x, int rows, int seqLen, int[] lengths, boolean train) {
    n = rows;
    float[] h = attention.forward(attnNorm.forward(x, rows, new float[rows * d]), rows, seqLen, lengths, train);
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
    float[] dn = new float[n * d];
    mlp.backward(dy, dn);
    float[] dh = dy.clone();
    mlpNorm.backward(dn, n, dh);
    java.util.Arrays.fill(dn, 0f);
    attention.backward(dh, dn);
    attnNorm.backward(dn, n, dh);
    return dh;
  }

  /** Turns dense-dW gradients (DoRA, full mode) into the trained arrays' gradients. */
  public void finish() {
    attention.finish();
    mlp.finish();
  }

  /** The block's attention and MLP matrices, for a scaffold switch. */
  public void scaffoldLayers(java.util.List<org.lottalora.core.engine.AdaptedDense> out) {
    attention.scaffoldLayers(out);
    mlp.scaffoldLayers(out);
  }
}
