package org.lottalora.models.reservoir;

import java.util.Locale;

/**
 * How a forecaster is trained and judged for free-running use: the noise levels injected into the
 * teacher-forced inputs (one value: that level; several: chosen from with the ridge), which validation error
 * chooses the ridge and the noise ({@code one-step}: teacher-forced one-step error, the default; {@code
 * closed-loop}: the error of free runs over {@code horizon} steps on the held-out end of the training part,
 * which is what a generative user needs), and the free-run test: {@code horizon} steps (0: none) from
 * {@code trials} start points, the valid time at {@code threshold}.
 */
public record FreeRunSetup(double[] noises, String select, int horizon, int trials, double threshold) {
  /** No noise, one-step selection, no free-run test: forecasting as it was before free runs. */
  public static final FreeRunSetup NONE = new FreeRunSetup(new double[] {0}, "one-step", 0, 100,
      FreeRun.VALID_THRESHOLD);

  /** Validates every setting, naming the option at fault. */
  public FreeRunSetup {
    if (noises == null || noises.length == 0) {
      throw new IllegalArgumentException("give at least one --noise value");
    }
    for (double n : noises) {
      if (!(n >= 0) || !Double.isFinite(n)) {
        throw new IllegalArgumentException("--noise must be >= 0, got " + n);
      }
    }
    noises = noises.clone();
    select = select == null ? "one-step" : select.toLowerCase(Locale.ROOT);
    if (!select.equals("one-step") && !select.equals("closed-loop")) {
      throw new IllegalArgumentException("unknown --select '" + select + "'; valid: one-step, closed-loop");
    }
    if (horizon < 0) {
      throw new IllegalArgumentException("--free-run must be >= 0 steps, got " + horizon);
    }
    if (select.equals("closed-loop") && horizon == 0) {
      throw new IllegalArgumentException("--select closed-loop needs a free-run horizon (--free-run STEPS, e.g. 84)");
    }
    if (trials < 1) {
      throw new IllegalArgumentException("--free-run-trials must be >= 1, got " + trials);
    }
    if (!(threshold > 0) || !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("--valid-threshold must be > 0, got " + threshold);
    }
  }

  /** Whether the ridge (and noise) are chosen by free-run error. */
  public boolean closedLoopSelection() {
    return select.equals("closed-loop");
  }
}
