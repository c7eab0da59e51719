package org.lottalora.core.train;

/**
 * Asks the {@link EpochLoop} running on this thread to resample the scaffold under a {@link ScaffoldSchedule}: a
 * scope a sweep opens around a family's run (its {@code --schedules}), so that every family on the loop gets
 * resampling without a setting in its own records. The loop trains epoch e on scaffold e - 1 (by steps: interval k
 * of {@code evalEvery} steps, or of a tenth of the run, on scaffold k - 1) through the task's {@link ScaffoldSwitch};
 * under {@code cycle:K} every step averages the gradients of the batch through scaffolds 0..K-1, under
 * {@code subbatch:K} part j of the batch goes through scaffold j (the parts' gradients weighed by their shares); it
 * validates, tests and saves on scaffold 0.
 *
 * @param schedule the schedule
 */
public record Resampling(ScaffoldSchedule schedule) implements AutoCloseable {
  private static final ThreadLocal<Resampling> CURRENT = new ThreadLocal<>();

  /** Opens the scope on this thread; null (nothing to open) for the fixed schedule. */
  public static Resampling open(ScaffoldSchedule schedule) {
    if (schedule.kind() == ScaffoldSchedule.Kind.FIXED) {
      return null;
    }
    Resampling r = new Resampling(schedule);
    CURRENT.set(r);
    return r;
  }

  /** The schedule open on this thread ({@link ScaffoldSchedule#FIXED} when none). */
  public static ScaffoldSchedule current() {
    Resampling r = CURRENT.get();
    return r == null ? ScaffoldSchedule.FIXED : r.schedule;
  }

  @Override
  public void close() {
    CURRENT.remove();
  }
}
