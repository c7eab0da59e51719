package org.lottalora.core.adapter;

/**
 * How every adapted layer is trained: a layer computes {@code beta * x W_seed^T + s * (x A^T) B^T} with
 * {@code s = alpha / r} (or {@code alpha / sqrt(r)} with rsLoRA). A is Kaiming-uniform from
 * {@code initSeed} through the backbone generator, B starts at zero (so training starts from the scaffold
 * itself), beta at 1.
 *
 * @param rank r, at least 1; a layer narrower than r takes {@link #effectiveRank} = min(r, d_in, d_out)
 * @param alpha the LoRA alpha; the paper's runs use 1
 * @param rsLora scale by {@code alpha / sqrt(r)} instead of {@code alpha / r} (Kalajdzievski 2023)
 * @param trainBeta learn the per-layer scale beta (the LottaLoRA default); false fixes it at 1
 * @param dropout adapter dropout on the input of the A path, in [0, 1)
 * @param trainBias train the adapted layers' biases in full; the paper keeps them frozen (false)
 * @param initSeed seed of the A matrices' stream, independent of the backbone seed
 * @param dora DoRA (Liu et al. 2024) on top: the adapted weight {@code V = beta W_seed + s B A} becomes
 *     {@code m * V / ||V||} (row norms) with a trained magnitude m that starts at the row norms of W_seed
 * @param residual add the block's input to its output wherever the shapes agree (an adapted block is the
 *     adapted layer with its normalisation and activation); families say which blocks qualify
 * @param layerNorm a trained LayerNorm on each adapted block's combined output (after the residual sum)
 */
public record AdapterConfig(int rank, double alpha, boolean rsLora, boolean trainBeta, double dropout,
    boolean trainBias, long initSeed, boolean dora, boolean residual, boolean layerNorm) {

  /** The plain LottaLoRA adapter (no DoRA, residual or LayerNorm). */
  public AdapterConfig(int rank, double alpha, boolean rsLora, boolean trainBeta, double dropout,
      boolean trainBias, long initSeed) {
    this(rank, alpha, rsLora, trainBeta, dropout, trainBias, initSeed, false, false, false);
  }

  /** This config with the three variant switches set. */
  public AdapterConfig withVariants(boolean dora, boolean residual, boolean layerNorm) {
    return new AdapterConfig(rank, alpha, rsLora, trainBeta, dropout, trainBias, initSeed, dora, residual,
        layerNorm);
  }

  /** True if any of DoRA, residual or LayerNorm is on (the dense engine implements none of them). */
  public boolean hasVariants() {
    return dora || residual || layerNorm;
  }

  /** The switches that are on, e.g. {@code dora+residual}, or {@code lora} for none. */
  public String variantName() {
    StringBuilder sb = new StringBuilder();
    if (dora) {
      sb.append("dora");
    }
    if (residual) {
      sb.append(sb.length() > 0 ? "+" : "").append("residual");
    }
    if (layerNorm) {
      sb.append(sb.length() > 0 ? "+" : "").append("layernorm");
    }
    return sb.length() == 0 ? "lora" : sb.toString();
  }

  /** The paper's defaults at rank {@code r}: alpha 1, alpha/r scaling, learned beta, frozen bias. */
  public static AdapterConfig defaults(int r) {
    return new AdapterConfig(r, 1.0, false, true, 0.0, false, 1L);
  }

  /** Validates ranges; the rank is capped per layer by {@link #effectiveRank}, never refused for a narrow one. */
  public AdapterConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be at least 1, got " + rank + "; use --rank 1 or more, or --full "
          + "to train every weight");
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a positive number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("adapter dropout must be in [0, 1), got " + dropout);
    }
  }

  /**
   * The rank a layer of shape [dOut, dIn] gets: {@code min(rank, dIn, dOut)}. This is the one rule every family and
   * path (the SameDiff graph's linear and conv layers, the hand engine's layer, adapters on a user's graph) follows,
   * so that one {@code --rank} fits a whole network whose first layer reads 3 features or whose stem kernel has
   * in k k = 9. Capping loses nothing: a product B A of shapes [dOut, r'] [r', dIn] with r' = min(dIn, dOut)
   * already spans every [dOut, dIn] matrix, so a larger rank could express no other update. The scaling stays
   * {@link #scaling()} (computed from the configured rank), so a capped layer's update is scaled like its
   * neighbours'; artifacts record the effective rank per layer (with {@link #recordedAlpha}) so no record claims a
   * rank a layer does not have.
   *
   * @throws IllegalArgumentException if a dimension is below 1 (a layer without inputs or outputs)
   */
  public int effectiveRank(int dIn, int dOut) {
    if (dIn < 1 || dOut < 1) {
      throw new IllegalArgumentException("a layer of shape [" + dOut + ", " + dIn + "] has no weights to adapt; "
          + "every width must be at least 1");
    }
    return Math.min(rank, Math.min(dIn, dOut));
  }

  /**
   * The alpha a per-layer adapter record of rank {@code effectiveRank} states so that its own scaling rule
   * ({@code alpha / r} or {@code alpha / sqrt(r)} with that record's r) gives this config's {@link #scaling()}:
   * equal to {@link #alpha()} unless the layer's rank was capped. A reader that rebuilds the forward pass from the
   * per-layer records alone then computes the same update as the engine.
   */
  public double recordedAlpha(int effectiveRank) {
    return effectiveRank == rank ? alpha : rsLora ? scaling() * Math.sqrt(effectiveRank) : scaling() * effectiveRank;
  }

  /** The factor the low-rank update is multiplied by (from the configured rank, also on a capped layer). */
  public double scaling() {
    return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
  }
}
