package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.Param;

/**
 * The {@link EncoderBlock}s of an encoder model ({@code blocks.0} .. {@code blocks.L-1}), run in order forward and in
 * reverse backward; the ViT and the text classifier put their embeddings in front and a {@link ClassifierHead}
 * behind, the Decision Transformer its return, state and action embeddings and its action head (with a causal
 * mask).
 */
public final class EncoderStack {
  private final EncoderBlock[] blocks;

  /** The backbone tensors of {@code layers} blocks. */
  public static List<TensorSpec> tensors(int layers, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      ts.addAll(EncoderBlock.tensors("blocks." + l, d, hidden, init));
    }
    return ts;
  }

  /** Declares the blocks (their trained arrays go to {@code params}). */
  public EncoderStack(int layers, int d, int heads, int hidden, Backbone bb, AdapterConfig ac, Targets targets,
      List<Param> params) {
    this(layers, d, heads, hidden, false, bb, ac, targets, params);
  }

  /** Declares the blocks, causal when {@code causal} (their trained arrays go to {@code params}). */
  public EncoderStack(int layers, int d, int heads, int hidden, boolean causal, Backbone bb, AdapterConfig ac,
      Targets targets, List<Param> params) {
    blocks = new EncoderBlock[layers];
    for (int l = 0; l < layers; l++) {
      blocks[l] = new EncoderBlock("blocks." + l, d, heads, hidden, causal, bb, ac, targets, params);
    }
  }

  /** Recomputes every block's effective weights. */
  public void refresh() {
    for (EncoderBlock b : blocks) {
      b.refresh();
    }
  }

  /**
   * The last block's output for sequences of {@code seqLen} rows ({@code lengths}: real lengths, null for all);
   * {@code train} keeps what {@link #backward} needs.
   */
  public float[][] forward(float[][] x, int seqLen, int[] lengths, boolean train) {
    int rows = x.length;
    int d = rows == 0 ? 0 : x[0].length;
    float[] h = Blas.flat(x, d);
    for (EncoderBlock b : blocks) {
      h = b.forward(h, rows, seqLen, lengths, train);
    }
    return Blas.rows(h, rows, d);
  }

  /** Adds every block's gradients for output gradient {@code dy} (and finishes them); returns d input. */
  public float[][] backward(float[][] dy) {
    int rows = dy.length;
    int d = rows == 0 ? 0 : dy[0].length;
    float[] g = Blas.flat(dy, d);
    for (int l = blocks.length - 1; l >= 0; l--) {
      g = blocks[l].backward(g);
    }
    for (EncoderBlock b : blocks) {
      b.finish();
    }
    return Blas.rows(g, rows, d);
  }

  /** Every block's matrices, for a scaffold switch. */
  public void scaffoldLayers(java.util.List<org.lottalora.core.engine.AdaptedDense> out) {
    for (EncoderBlock b : blocks) {
      b.scaffoldLayers(out);
    }
  }
}
