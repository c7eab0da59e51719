package org.lottalora.core.graph;

/**
 * One step of a model as {@link GraphBuilder} records it beside the SameDiff graph: the plan that {@link PlanEngine}
 * executes on the compute engine ({@code org.lottalora.core.engine}) for training and inference. Names refer to
 * SameDiff variables (parameters) and placeholders (dropout masks); every trained array keeps its graph name, so the
 * engine's values and the graph's are the same tensors of the artifact.
 *
 * <p>Activations between steps are NHWC rows: a batch of n samples of h x w positions and c channels is a row-major
 * [n h w, c] block (a dense layer's [n, features] is the case h = w = 1).
 */
public sealed interface LayerStep {

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
   * @param dora the adapted weight is DoRA's {@code m V / ||V||} (then the layer is not a plain dense step)
   */
  record Affine(int dIn, int dOut, String weight, boolean weightTrained, String bias, boolean biasTrained,
      String beta, String loraA, String loraB, double scaling, String adapterMask, boolean dora)
      implements LayerStep {
    /** The layer's name prefix ({@code layers.0} of {@code layers.0.weight}). */
    public String prefix() {
      return weight.substring(0, weight.length() - ".weight".length());
    }
  }

  /** {@code y = max(x, 0)}. */
  record Relu() implements LayerStep {}

  /**
   * {@code y = x * mask} with an inverted-dropout mask fed per batch.
   *
   * @param mask placeholder name
   */
  record Dropout(String mask) implements LayerStep {}

  /**
   * A 2-D convolution without bias over the kernel {@code prefix.weight} [out, in, k, k], adapted (or DoRA, or fully
   * trained in full mode) as the [out, in k k] matrix, on an h x w input with zero padding {@code pad}.
   */
  record Conv(String prefix, int in, int out, int k, int stride, int pad, int h, int w, boolean dora)
      implements LayerStep {}

  /** BatchNorm over the channels ({@code prefix.bn.gamma|shift} trained, {@code prefix.bn.mean|var} calibrated). */
  record BatchNorm(String prefix, int channels) implements LayerStep {}

  /** Global average pooling: [n h w, c] to [n, c]. */
  record Pool() implements LayerStep {}

  /**
   * Closes a block: adds the block's input (the input of the last Affine or Conv step) when {@code residual}, then a
   * LayerNorm over each row's features ({@code prefix.ln.gain|bias}) when {@code layerNorm}.
   */
  record Close(String prefix, boolean residual, boolean layerNorm) implements LayerStep {}
}
