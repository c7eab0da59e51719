package org.lottalora.models.adapt;

/**
 * One weight of a user's graph that carries an adapter: its variable name, its sizes in the canonical
 * [d_out, d_in] sense (which is what the rank, A's fan-in, the seeded init's fans and DoRA's row norms refer
 * to), and whether the graph stores it transposed, as [d_in, d_out] ({@code x.mmul(W)}, the SameDiff habit;
 * ONNX Gemm and PyTorch store [d_out, d_in]). The trained tensors are named after the variable:
 * {@code <name>.lora_A} [r, d_in], {@code <name>.lora_B} [d_out, r], {@code <name>.beta} [1] and with DoRA
 * {@code <name>.dora_m} [d_out].
 */
public record AdaptedTarget(String variable, int dOut, int dIn, boolean transposed, String consumer) {

  /** Suffixes of the trained tensors, shared with the built-in families. */
  public static final String LORA_A = ".lora_A";
  /** See {@link #LORA_A}. */
  public static final String LORA_B = ".lora_B";
  /** See {@link #LORA_A}. */
  public static final String BETA = ".beta";
  /** See {@link #LORA_A}. */
  public static final String DORA_M = ".dora_m";
  /** The adapted weight's variable in the wrapped graph. */
  public static final String ADAPTED = ".adapted";

  /** This target's adapter rank under {@code ac}: capped at min(r, d_in, d_out) like every adapted layer's. */
  public int rank(org.lottalora.core.adapter.AdapterConfig ac) {
    return ac.effectiveRank(dIn, dOut);
  }

  /** The weight's shape as the graph stores it. */
  public long[] graphShape() {
    return transposed ? new long[] {dIn, dOut} : new long[] {dOut, dIn};
  }

  /** Name of A. */
  public String a() {
    return variable + LORA_A;
  }

  /** Name of B. */
  public String b() {
    return variable + LORA_B;
  }

  /** Name of beta. */
  public String beta() {
    return variable + BETA;
  }

  /** Name of DoRA's magnitude. */
  public String doraM() {
    return variable + DORA_M;
  }
}
