package org.lottalora.core.adapter;

/**
 * How every adapted layer is trained: a layer computes {@code beta * x W_seed^T + s * (x A^T) B^T} with
 * {@code s = alpha / r} (or {@code alpha / sqrt(r)} with rsLoRA). A is Kaiming-uniform from
 * {@code initSeed} through the backbone generator, B starts at zero (so training starts from the scaffold
 * itself), beta at 1.
 *
 * @param rank r, at least 1 and at most min(d_in, d_out) of every adapted layer
 * @param alpha the LoRA alpha; the paper's runs use 1
 * @param rsLora scale by {@code alpha / sqrt(r)} instead of {@code alpha / r} (Kalajdzievski 2023)
 * @param trainBeta learn the per-layer scale beta (the LottaLoRA default); false fixes it at 1
 * @param dropout adapter dropout on the input of the A path, in [0, 1)
 * @param trainBias train the adapted layers' biases in full; the paper keeps them frozen (false)
 * @param initSeed seed of the A matrices' stream, independent of the backbone seed
 */
public record AdapterConfig(int rank, double alpha, boolean rsLora, boolean trainBeta, double dropout,
    boolean trainBias, long initSeed) {

  /** The paper's defaults at rank {@code r}: alpha 1, alpha/r scaling, learned beta, frozen bias. */
  public static AdapterConfig defaults(int r) {
    return new AdapterConfig(r, 1.0, false, true, 0.0, false, 1L);
  }

  /** Validates ranges; the rank is checked against layer sizes when the graph is built. */
  public AdapterConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be at least 1, got " + rank);
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a positive number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("adapter dropout must be in [0, 1), got " + dropout);
    }
  }

  /** The factor the low-rank update is multiplied by. */
  public double scaling() {
    return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
  }
}
