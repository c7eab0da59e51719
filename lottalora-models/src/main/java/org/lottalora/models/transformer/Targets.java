package org.lottalora.models.transformer;

import org.lottalora.core.engine.MatrixMode;

/**
 * Which Transformer matrices carry adapters, which are trained in full and which stay frozen: one mode for the
 * attention projections (W_Q, W_K, W_V, W_O) and one for the MLP matrices of every block. Embeddings, norms and
 * heads are always trained. Each family has the paper's choice as its default.
 *
 * @param attention mode of W_Q, W_K, W_V, W_O
 * @param mlp mode of the MLP matrices
 */
public record Targets(MatrixMode attention, MatrixMode mlp) {
  /** The LM's default (the paper's WikiText setting): adapters on attention, the SwiGLU frozen random. */
  public static final Targets LM = new Targets(MatrixMode.ADAPTER, MatrixMode.FROZEN);
  /** The ViT's default: adapters on all six matrices of a block. */
  public static final Targets VIT = new Targets(MatrixMode.ADAPTER, MatrixMode.ADAPTER);
  /** The text classifier's default (the paper's IMDB setting): adapters on attention only. */
  public static final Targets TEXT = LM;
  /** The fully trained baseline. */
  public static final Targets FULL = new Targets(MatrixMode.FULL, MatrixMode.FULL);

  /** Validates. */
  public Targets {
    if (attention == null || mlp == null) {
      throw new IllegalArgumentException("both the attention and the MLP mode are needed");
    }
  }

  /** {@code full} gives {@link #FULL}; otherwise adapters on attention and the MLP adapted or frozen. */
  public static Targets of(boolean full, boolean adaptMlp) {
    return full ? FULL : new Targets(MatrixMode.ADAPTER, adaptMlp ? MatrixMode.ADAPTER : MatrixMode.FROZEN);
  }

  /** Every matrix trained in full (the baseline). */
  public boolean isFull() {
    return attention == MatrixMode.FULL && mlp == MatrixMode.FULL;
  }

  /** "attention adapter, MLP frozen". */
  public String describe() {
    return "attention " + attention.id() + ", MLP " + mlp.id();
  }
}
