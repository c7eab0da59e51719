package org.lottalora.core.graph;

/**
 * A tensor the optimizer changes, as the artifact stores it: its stable name, its canonical shape, and
 * whether the SameDiff variable holds it transposed (weights live as [d_in, d_out] inside the graph so that
 * a layer is one {@code x.mmul(w)}; artifacts always hold [d_out, d_in]).
 *
 * @param name stable name, e.g. {@code layers.0.lora_A}
 * @param shape canonical shape
 * @param transposed true if the graph variable is the transpose of the canonical 2-D layout
 * @param kind what the tensor is, for reports
 */
public record TrainedTensor(String name, long[] shape, boolean transposed, Kind kind) {
  /** The roles a trained tensor plays. */
  public enum Kind {
    LORA_A, LORA_B, BETA, WEIGHT, BIAS,
    /** Running statistics (BatchNorm mean and variance): set by calibration, not by gradients. */
    STATISTIC
  }

  /** Number of values. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
