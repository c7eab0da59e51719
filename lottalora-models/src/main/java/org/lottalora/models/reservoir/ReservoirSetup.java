package org.lottalora.models.reservoir;

import java.util.List;
import java.util.Locale;

/**
 * Everything a reservoir training run is configured by, besides the data: family ({@code esn} or
 * {@code ring}), seed, the ESN layers or the ring settings, washout, the ridge (one value, or several to choose
 * from on a validation split), forecast horizon, whether the input also feeds the readout, how the readout is
 * fitted ({@code ridge} offline, {@code rls} online, or {@code force}: RLS with the
 * readout's own output fed back during training), snapshots per image for ESN classifiers, the training
 * fraction of a series, closed-loop steps to evaluate, threads, and the free-run settings ({@link FreeRunSetup}:
 * noise injection, how the ridge is chosen, the free-run test).
 */
public record ReservoirSetup(String family, long seed, List<ReservoirSpec> layers, RingSpec ring, int washout,
    double[] ridges, int horizon, boolean inputToReadout, String fit, int samples, double trainFraction,
    int generate, int threads, FreeRunSetup freeRun) {
  /** Settings without noise injection or free-run test (one-step selection). */
  public ReservoirSetup(String family, long seed, List<ReservoirSpec> layers, RingSpec ring, int washout,
      double[] ridges, int horizon, boolean inputToReadout, String fit, int samples, double trainFraction,
      int generate, int threads) {
    this(family, seed, layers, ring, washout, ridges, horizon, inputToReadout, fit, samples, trainFraction, generate,
        threads, FreeRunSetup.NONE);
  }

  /** Validates the settings, naming the one at fault. */
  public ReservoirSetup {
    family = family.toLowerCase(Locale.ROOT);
    if (!family.equals("esn") && !family.equals("ring")) {
      throw new IllegalArgumentException("unknown reservoir family '" + family + "'; valid: esn, ring");
    }
    if (family.equals("esn") && (layers == null || layers.isEmpty())) {
      throw new IllegalArgumentException("an esn needs at least one layer (--units)");
    }
    if (family.equals("ring") && ring == null) {
      throw new IllegalArgumentException("a ring reservoir needs its settings");
    }
    if (washout < 0) {
      throw new IllegalArgumentException("--washout must be >= 0, got " + washout);
    }
    if (ridges == null || ridges.length == 0) {
      throw new IllegalArgumentException("give at least one --ridge value");
    }
    for (double r : ridges) {
      if (!(r >= 0) || !Double.isFinite(r)) {
        throw new IllegalArgumentException("--ridge must be >= 0, got " + r);
      }
    }
    if (horizon < 1) {
      throw new IllegalArgumentException("--horizon must be >= 1, got " + horizon);
    }
    fit = fit.toLowerCase(Locale.ROOT);
    if (!fit.equals("ridge") && !fit.equals("rls") && !fit.equals("force")) {
      throw new IllegalArgumentException("unknown --fit '" + fit + "'; valid: ridge, rls, force");
    }
    if (!fit.equals("ridge") && ridges.length > 1) {
      throw new IllegalArgumentException("--fit " + fit + " takes one --ridge value (its P(0) = I / ridge)");
    }
    if (samples < 1) {
      throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
    }
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("--train-fraction must be in (0, 1), got " + trainFraction);
    }
    if (generate < 0) {
      throw new IllegalArgumentException("--generate must be >= 0, got " + generate);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    ridges = ridges.clone();
    freeRun = freeRun == null ? FreeRunSetup.NONE : freeRun;
    if (!fit.equals("ridge") && (freeRun.noises().length > 1 || freeRun.noises()[0] > 0)) {
      throw new IllegalArgumentException("--noise applies to --fit ridge (the offline readout), not --fit " + fit);
    }
    if (!fit.equals("ridge") && freeRun.closedLoopSelection()) {
      throw new IllegalArgumentException("--select closed-loop chooses among ridges: use --fit ridge");
    }
    if (freeRun.horizon() > 0 && horizon != 1) {
      throw new IllegalArgumentException("free runs feed each prediction back as the next input: they need "
          + "--horizon 1, got " + horizon);
    }
  }

  /** A copy with other free-run settings. */
  public ReservoirSetup withFreeRun(FreeRunSetup f) {
    return new ReservoirSetup(family, seed, layers, ring, washout, ridges, horizon, inputToReadout, fit, samples,
        trainFraction, generate, threads, f);
  }
}
