package org.lottalora.models.mlp;

import org.lottalora.core.model.ModelSpec;

/**
 * The single-layer classifier: one adapted layer {@code layers.0} with ReLU over the random scaffold, then
 * a trained head. The smallest model the paradigm applies to, and the quickest to train.
 */
public final class LinearFamily extends MlpFamily {
  /** Default hidden width. */
  public static final int DEFAULT_WIDTH = 256;

  @Override
  public int[] defaultWidths() {
    return new int[] {DEFAULT_WIDTH};
  }

  @Override
  public String id() {
    return "linear";
  }

  @Override
  public String description() {
    return "single-layer classifier: one adapted layer over a random scaffold, trained head";
  }

  @Override
  public void validate(ModelSpec spec) {
    if (spec.widths().length != 1) {
      throw new IllegalArgumentException("family 'linear' has exactly one hidden layer, got "
          + spec.widths().length + " widths; use --family mlp for more");
    }
  }
}
