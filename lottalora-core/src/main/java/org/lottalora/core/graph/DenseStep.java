package org.lottalora.core.graph;

/**
 * One step of a dense (fully connected) model, as {@link GraphBuilder} records it beside the SameDiff graph:
 * the plan that {@link org.lottalora.core.train.DenseEngine} executes with hand-written forward and backward
 * passes. Names refer to SameDiff variables (parameters) and placeholders (dropout masks).
 */
public sealed interface DenseStep {

  /**
   * {@code y = beta * x W^T + s * (x_a A^T) B^T + b} with a frozen {@code W} in the canonical [dOut, dIn]
   * layout; a trained {@code W} (heads, full mode) is held as [dIn, dOut] and the layer is {@code x W + b}.
   *
   * @param weight parameter name of W: [dOut, dIn] when frozen, [dIn, dOut] when trained
   * @param weightTrained W is a variable (full mode, heads)
   * @param bias parameter name of b, [dOut]
   * @param biasTrained b is a variable
   * @param beta name of the scalar beta variable, or null
   * @param loraA name of A^T [dIn, r], or null without adapters
   * @param loraB name of B^T [r, dOut], or null
   * @param scaling s = alpha / r (or alpha / sqrt r)
   * @param adapterMask dropout mask placeholder on the adapter input, or null
   */
  record Affine(int dIn, int dOut, String weight, boolean weightTrained, String bias, boolean biasTrained,
      String beta, String loraA, String loraB, double scaling, String adapterMask) implements DenseStep {}

  /** {@code y = max(x, 0)}. */
  record Relu() implements DenseStep {}

  /**
   * {@code y = x * mask} with an inverted-dropout mask fed per batch.
   *
   * @param mask placeholder name
   */
  record Dropout(String mask) implements DenseStep {}
}
