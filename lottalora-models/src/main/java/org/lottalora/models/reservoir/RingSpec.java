package org.lottalora.models.reservoir;

/**
 * The settings of a {@link RingReservoir}: how many rings and their size range (odd sizes, so each ring is an
 * oscillator), the small-world coupling (strength epsilon, Watts-Strogatz neighbours k and rewiring p), the
 * neuron (RC time constant tau in steps, comparator hysteresis half-width), and how an image is fed (Hilbert
 * order, a window of {@code window} pixels advancing by {@code stride}, a sparse input matrix) and read
 * ({@code samples} snapshots after {@code settle} free-running steps). Defaults: {@link #defaults}.
 */
public record RingSpec(int rings, int minRing, int maxRing, double epsilon, double rewireP, int neighbours, double tau,
    double threshold, int window, int stride, double inputScaling, double inputDensity, int samples, int settle) {
  /** Validates every setting, naming it. */
  public RingSpec {
    if (rings < 1 || rings > 100_000) {
      throw new IllegalArgumentException("--rings must be in 1..100000, got " + rings);
    }
    if (minRing < 3 || maxRing < minRing || (minRing == maxRing && minRing % 2 == 0)) {
      throw new IllegalArgumentException("--ring-size must be a range lo..hi with 3 <= lo <= hi holding an odd size, "
          + "got " + minRing + ".." + maxRing);
    }
    if (!(epsilon >= 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("--epsilon must be >= 0, got " + epsilon);
    }
    if (!(rewireP >= 0 && rewireP <= 1)) {
      throw new IllegalArgumentException("--rewire must be in [0, 1], got " + rewireP);
    }
    if (neighbours < 0 || neighbours % 2 != 0 || (rings > 1 && neighbours >= rings)) {
      throw new IllegalArgumentException("--neighbours must be even and below --rings (" + rings + "), got "
          + neighbours);
    }
    if (!(tau >= 1) || !Double.isFinite(tau)) {
      throw new IllegalArgumentException("--tau must be >= 1 step, got " + tau);
    }
    if (!(threshold > 0) || !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("--threshold must be > 0, got " + threshold);
    }
    if (window < 1 || stride < 1) {
      throw new IllegalArgumentException("--window and --stride must be >= 1, got " + window + " and " + stride);
    }
    if (!(inputScaling >= 0) || !Double.isFinite(inputScaling)) {
      throw new IllegalArgumentException("--input-scaling must be >= 0, got " + inputScaling);
    }
    if (!(inputDensity > 0 && inputDensity <= 1)) {
      throw new IllegalArgumentException("--input-density must be in (0, 1], got " + inputDensity);
    }
    if (samples < 1 || settle < 0) {
      throw new IllegalArgumentException("--samples must be >= 1 and --settle >= 0, got " + samples + " and "
          + settle);
    }
  }

  /** {@code rings} rings of 3..9 neurons, epsilon 0.1, k 4, p 0.1, tau 4, threshold 0.3, window 16 / stride 8. */
  public static RingSpec defaults(int rings) {
    return new RingSpec(rings, 3, 9, 0.1, 0.1, Math.min(4, rings - 1 - (rings - 1) % 2), 4, 0.3, 16, 8, 0.5, 0.3, 4,
        20);
  }
}
