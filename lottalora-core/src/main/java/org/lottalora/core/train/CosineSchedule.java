package org.lottalora.core.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * The toolkit's one learning-rate schedule, used by every trainer: linear warmup from {@code peak / warmup} to
 * {@code peak} over {@code warmup} steps, then a half cosine from {@code peak} down to {@code floor * peak} at
 * {@code total} steps (or constant when {@code cosine} is false). Families differ only in their warmup and floor
 * (the dense path: no floor; the Transformer encoders: 5%, no warmup; the language model: 5% warmup, 10% floor).
 * M2.1 ships no cosine schedule.
 */
public final class CosineSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;
  private final double peak;
  private final long warmup;
  private final long total;
  private final boolean cosine;
  private final double floor;

  /** A schedule over {@code total} steps that decays to 0. */
  public CosineSchedule(double peak, long warmup, long total, boolean cosine) {
    this(peak, warmup, total, cosine, 0);
  }

  /**
   * A schedule over {@code total} steps whose cosine ends at {@code floor * peak}.
   *
   * @throws IllegalArgumentException when the floor is outside [0, 1]
   */
  public CosineSchedule(double peak, long warmup, long total, boolean cosine, double floor) {
    if (!(floor >= 0 && floor <= 1)) {
      throw new IllegalArgumentException("a schedule's floor is a fraction of the peak rate in [0, 1], got " + floor);
    }
    this.peak = peak;
    this.warmup = warmup;
    this.total = Math.max(1, total);
    this.cosine = cosine;
    this.floor = floor;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    return at(iteration);
  }

  /** The rate at step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    if (!cosine) {
      return peak;
    }
    double t = Math.min(1.0, (step - warmup) / (double) Math.max(1, total - warmup));
    return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  @Override
  public ISchedule clone() {
    return new CosineSchedule(peak, warmup, total, cosine, floor);
  }
}
