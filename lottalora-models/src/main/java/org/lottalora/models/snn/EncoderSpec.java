package org.lottalora.models.snn;

import java.util.List;

/**
 * How images (or any non-negative intensities) become input spike trains. Intensities are the raw values divided
 * by {@code scale} (the data's largest value, so they lie in [0, 1]). Kinds: {@code poisson} (a Poisson process
 * at {@code rate} Hz times the intensity: exponential gaps rounded up to whole steps), {@code bernoulli} (each step
 * spikes with probability {@code rate} times the intensity; rate is then a probability) and {@code rank-order}
 * (time to first spike: one spike at step {@code floor((1 - x) (steps - 1))}, none for x = 0; rate unused).
 *
 * @param kind the encoder id
 * @param rate peak rate in Hz (poisson) or peak probability per step (bernoulli)
 * @param scale the raw value that maps to intensity 1
 */
public record EncoderSpec(String kind, double rate, double scale) {
  /** The encoder ids. */
  public static final List<String> KINDS = List.of("poisson", "bernoulli", "rank-order");

  /** Validates. */
  public EncoderSpec {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown encoder '" + kind + "' (known: " + String.join(", ", KINDS) + ")");
    }
    if (!(rate >= 0) || !Double.isFinite(rate)) {
      throw new IllegalArgumentException("encoder rate must be >= 0, got " + rate);
    }
    if (kind.equals("bernoulli") && rate > 1) {
      throw new IllegalArgumentException("a bernoulli encoder's rate is a probability per step, <= 1; got " + rate);
    }
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("encoder scale must be > 0, got " + scale);
    }
  }

  /** The encoder this spec describes. */
  public Encoder encoder() {
    switch (kind) {
      case "poisson":
        return new PoissonEncoder(rate, scale);
      case "bernoulli":
        return new BernoulliEncoder(rate, scale);
      default:
        return new RankOrderEncoder(scale);
    }
  }
}
