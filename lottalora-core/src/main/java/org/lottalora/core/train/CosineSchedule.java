package org.lottalora.core.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate by step: linear warmup from {@code peak / warmup} to {@code peak} over {@code warmup}
 * steps, then a half cosine from {@code peak} down to 0 at {@code total} steps (or constant when
 * {@code cosine} is false). M2.1 ships no cosine schedule.
 */
public final class CosineSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;
  private final double peak;
  private final long warmup;
  private final long total;
  private final boolean cosine;

  /** A schedule over {@code total} steps. */
  public CosineSchedule(double peak, long warmup, long total, boolean cosine) {
    this.peak = peak;
    this.warmup = warmup;
    this.total = Math.max(1, total);
    this.cosine = cosine;
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
    return peak * 0.5 * (1 + Math.cos(Math.PI * t));
  }

  @Override
  public ISchedule clone() {
    return new CosineSchedule(peak, warmup, total, cosine);
  }
}
