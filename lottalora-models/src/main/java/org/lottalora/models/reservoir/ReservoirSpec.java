package org.lottalora.models.reservoir;

import java.util.List;
import java.util.Locale;

/**
 * The settings of one echo-state reservoir layer, ReservoirPy's names in brackets: {@code units}, spectral
 * radius of the recurrent matrix ({@code sr}, set exactly from the largest eigenvalue magnitude), density of
 * the recurrent matrix ({@code rc_connectivity}), leak rate ({@code lr}: x = (1 - lr) x + lr f(...)), input
 * scaling and density ({@code input_scaling}, {@code input_connectivity}), bias scaling, activation, and the
 * scaling of output feedback (0: no feedback), and how the input, bias and feedback weights are drawn
 * ({@code inputInit}): {@code gaussian}, Gaussian values kept with probability {@code inputDensity} and a
 * uniform bias (this toolkit's first scheme), or {@code bernoulli}, the sign of those draws, so +-1 values
 * kept with probability {@code inputDensity} for the input, the bias and the feedback alike (ReservoirPy's
 * default {@code bernoulli} initialisers). Validation names the setting and its allowed range.
 */
public record ReservoirSpec(int units, double spectralRadius, double density, double leakRate, double inputScaling,
    double inputDensity, double biasScaling, String activation, double feedbackScaling, String inputInit) {
  /** Activations a reservoir may use. */
  public static final List<String> ACTIVATIONS = List.of("tanh", "identity", "sigmoid", "relu");

  /** Ways to draw the input, bias and feedback weights. */
  public static final List<String> INPUT_INITS = List.of("gaussian", "bernoulli");

  /** A spec with Gaussian input weights (the scheme every artifact before {@code inputInit} used). */
  public ReservoirSpec(int units, double spectralRadius, double density, double leakRate, double inputScaling,
      double inputDensity, double biasScaling, String activation, double feedbackScaling) {
    this(units, spectralRadius, density, leakRate, inputScaling, inputDensity, biasScaling, activation,
        feedbackScaling, "gaussian");
  }

  /** Validates every setting. */
  public ReservoirSpec {
    if (units < 1 || units > 100_000) {
      throw new IllegalArgumentException("--units must be in 1..100000, got " + units);
    }
    if (!(spectralRadius > 0) || !Double.isFinite(spectralRadius)) {
      throw new IllegalArgumentException("--spectral-radius must be > 0, got " + spectralRadius);
    }
    if (!(density > 0 && density <= 1)) {
      throw new IllegalArgumentException("--density must be in (0, 1], got " + density);
    }
    if (!(leakRate > 0 && leakRate <= 1)) {
      throw new IllegalArgumentException("--leak-rate must be in (0, 1], got " + leakRate);
    }
    if (!(inputScaling >= 0) || !Double.isFinite(inputScaling)) {
      throw new IllegalArgumentException("--input-scaling must be >= 0, got " + inputScaling);
    }
    if (!(inputDensity > 0 && inputDensity <= 1)) {
      throw new IllegalArgumentException("--input-density must be in (0, 1], got " + inputDensity);
    }
    if (!(biasScaling >= 0) || !Double.isFinite(biasScaling)) {
      throw new IllegalArgumentException("--bias-scaling must be >= 0, got " + biasScaling);
    }
    if (!(feedbackScaling >= 0) || !Double.isFinite(feedbackScaling)) {
      throw new IllegalArgumentException("--feedback-scaling must be >= 0, got " + feedbackScaling);
    }
    activation = activation == null ? "tanh" : activation.toLowerCase(Locale.ROOT);
    if (!ACTIVATIONS.contains(activation)) {
      throw new IllegalArgumentException("unknown activation '" + activation + "'; valid: " + ACTIVATIONS);
    }
    inputInit = inputInit == null || inputInit.isEmpty() ? "gaussian" : inputInit.toLowerCase(Locale.ROOT);
    if (!INPUT_INITS.contains(inputInit)) {
      throw new IllegalArgumentException("unknown input init '" + inputInit + "'; valid: " + INPUT_INITS);
    }
  }

  /** Whether input, bias and feedback weights are +-1 (the sign of their draws). */
  public boolean bernoulliInputs() {
    return inputInit.equals("bernoulli");
  }

  /** A reservoir with ReservoirPy's common settings for chaotic series: sr 1.25, lr 0.3, density 0.1. */
  public static ReservoirSpec of(int units) {
    return new ReservoirSpec(units, 1.25, 0.1, 0.3, 1.0, 1.0, 0.0, "tanh", 0.0);
  }

  /** A copy with another spectral radius. */
  public ReservoirSpec withSpectralRadius(double v) {
    return new ReservoirSpec(units, v, density, leakRate, inputScaling, inputDensity, biasScaling, activation,
        feedbackScaling, inputInit);
  }

  /** A copy with another leak rate. */
  public ReservoirSpec withLeakRate(double v) {
    return new ReservoirSpec(units, spectralRadius, density, v, inputScaling, inputDensity, biasScaling, activation,
        feedbackScaling, inputInit);
  }

  /** A copy with another input scaling. */
  public ReservoirSpec withInputScaling(double v) {
    return new ReservoirSpec(units, spectralRadius, density, leakRate, v, inputDensity, biasScaling, activation,
        feedbackScaling, inputInit);
  }

  /** The activation applied elementwise. */
  double activate(double v) {
    switch (activation) {
      case "identity":
        return v;
      case "sigmoid":
        return 1.0 / (1.0 + Math.exp(-v));
      case "relu":
        return v > 0 ? v : 0;
      default:
        return Math.tanh(v);
    }
  }
}
