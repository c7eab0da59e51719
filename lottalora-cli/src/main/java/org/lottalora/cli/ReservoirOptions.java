package org.lottalora.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lottalora.models.reservoir.ReservoirSetup;
import org.lottalora.models.reservoir.ReservoirSpec;
import org.lottalora.models.reservoir.RingSpec;
import picocli.CommandLine.Option;

/** The reservoir settings shared by {@code reservoir train} and {@code reservoir search}. */
final class ReservoirOptions {
  @Option(names = "--family", defaultValue = "esn", description = "esn or ring (default: ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--seed", defaultValue = "0", description = "Backbone seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--units", defaultValue = "100", description = "ESN units; a comma list stacks layers (deep "
      + "ESN), e.g. 300,300 (default: ${DEFAULT-VALUE}).")
  String units;

  @Option(names = "--spectral-radius", defaultValue = "1.25", description = "Spectral radius (default: ${DEFAULT-VALUE}).")
  double spectralRadius;

  @Option(names = "--density", defaultValue = "0.1", description = "Recurrent density in (0, 1] (default: ${DEFAULT-VALUE}).")
  double density;

  @Option(names = "--leak-rate", defaultValue = "0.3", description = "Leak rate in (0, 1] (default: ${DEFAULT-VALUE}).")
  double leakRate;

  @Option(names = "--input-scaling", defaultValue = "1.0", description = "Input scaling (default: ${DEFAULT-VALUE}).")
  double inputScaling;

  @Option(names = "--init-preset", defaultValue = "gaussian", description = "How input, bias and feedback weights "
      + "are drawn: gaussian (dense Gaussian input weights, no bias: this toolkit's first scheme) or reservoirpy "
      + "(ReservoirPy's defaults: +-1 input weights and +-1 bias, each kept with probability 0.1, bias scaling 1); "
      + "--input-density and --bias-scaling override the preset's values (default: ${DEFAULT-VALUE}).")
  String initPreset;

  @Option(names = "--input-density", description = "Input density in (0, 1] (default: the preset's, 1.0 for "
      + "gaussian, 0.1 for reservoirpy).")
  Double inputDensity;

  @Option(names = "--bias-scaling", description = "Bias scaling (default: the preset's, 0 for gaussian, 1 for "
      + "reservoirpy).")
  Double biasScaling;

  @Option(names = "--noise", defaultValue = "0", description = "Noise injected into the teacher-forced inputs "
      + "(standard deviation, in units of the standardised series); a comma list is chosen from with --ridge "
      + "(default: ${DEFAULT-VALUE}).")
  String noise;

  @Option(names = "--select", defaultValue = "one-step", description = "How --ridge and --noise lists are chosen "
      + "on the held-out end of the training part: one-step (teacher-forced error) or closed-loop (free runs of "
      + "--free-run steps) (default: ${DEFAULT-VALUE}).")
  String select;

  @picocli.CommandLine.Mixin
  FreeRunOptions freeRun;

  @Option(names = "--activation", defaultValue = "tanh", description = "tanh, identity, sigmoid, relu (default: "
      + "${DEFAULT-VALUE}).")
  String activation;

  @Option(names = "--feedback-scaling", defaultValue = "0", description = "Output feedback scaling, 0 = none "
      + "(default: ${DEFAULT-VALUE}).")
  double feedbackScaling;

  @Option(names = "--washout", defaultValue = "100", description = "Warm-up steps dropped before the readout "
      + "(default: ${DEFAULT-VALUE}).")
  int washout;

  @Option(names = "--ridge", defaultValue = "1e-6", description = "Ridge; a comma list is chosen from on a "
      + "validation split (default: ${DEFAULT-VALUE}).")
  String ridge;

  @Option(names = "--horizon", defaultValue = "1", description = "Forecast horizon in steps (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Option(names = "--input-to-readout", description = "Feed the input to the readout too.")
  boolean inputToReadout;

  @Option(names = "--fit", defaultValue = "ridge", description = "ridge (offline), rls (online) or force (RLS "
      + "with the readout's own output fed back; needs --feedback-scaling) (default: ${DEFAULT-VALUE}).")
  String fit;

  @Option(names = "--samples", defaultValue = "4", description = "Classifiers: state snapshots per image (default: "
      + "${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--train-fraction", defaultValue = "0.5", description = "Series: fraction used for training "
      + "(default: ${DEFAULT-VALUE}).")
  double trainFraction;

  @Option(names = "--generate", defaultValue = "100", description = "Series: closed-loop steps to evaluate "
      + "(default: ${DEFAULT-VALUE}).")
  int generate;

  @Option(names = "--rings", defaultValue = "100", description = "Ring reservoir: number of rings (default: "
      + "${DEFAULT-VALUE}).")
  int rings;

  @Option(names = "--ring-size", defaultValue = "3..9", description = "Ring sizes lo..hi, odd sizes drawn (default: "
      + "${DEFAULT-VALUE}).")
  String ringSize;

  @Option(names = "--epsilon", defaultValue = "0.1", description = "Ring coupling strength (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--rewire", defaultValue = "0.1", description = "Watts-Strogatz rewiring p (default: ${DEFAULT-VALUE}).")
  double rewire;

  @Option(names = "--neighbours", defaultValue = "4", description = "Watts-Strogatz k (default: ${DEFAULT-VALUE}).")
  int neighbours;

  @Option(names = "--tau", defaultValue = "4", description = "RC time constant in steps (default: ${DEFAULT-VALUE}).")
  double tau;

  @Option(names = "--threshold", defaultValue = "0.3", description = "Comparator hysteresis (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--window", defaultValue = "16", description = "Pixels seen at once (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--stride", defaultValue = "8", description = "Pixels per step (default: ${DEFAULT-VALUE}).")
  int stride;

  @Option(names = "--ring-input-scaling", defaultValue = "0.5", description = "Ring input scaling (default: "
      + "${DEFAULT-VALUE}).")
  double ringInputScaling;

  @Option(names = "--ring-input-density", defaultValue = "0.3", description = "Ring input density (default: "
      + "${DEFAULT-VALUE}).")
  double ringInputDensity;

  @Option(names = "--settle", defaultValue = "20", description = "Ring free-running steps before the image "
      + "(default: ${DEFAULT-VALUE}).")
  int settle;

  /** The per-layer specs of {@code --units}. */
  List<ReservoirSpec> layers() {
    List<ReservoirSpec> out = new ArrayList<>();
    String[] parts = units.split(",");
    for (int i = 0; i < parts.length; i++) {
      int n;
      try {
        n = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--units takes whole numbers separated by commas, got '" + units + "'");
      }
      out.add(new ReservoirSpec(n, spectralRadius, density, leakRate, inputScaling, inputDensityOrPreset(),
          biasScalingOrPreset(), activation, i == 0 ? feedbackScaling : 0, reservoirPy() ? "bernoulli" : "gaussian"));
    }
    return out;
  }

  private boolean reservoirPy() {
    String p = initPreset.toLowerCase(java.util.Locale.ROOT);
    if (!p.equals("gaussian") && !p.equals("reservoirpy")) {
      throw new IllegalArgumentException("unknown --init-preset '" + initPreset + "'; valid: gaussian, reservoirpy");
    }
    return p.equals("reservoirpy");
  }

  private double inputDensityOrPreset() {
    return inputDensity != null ? inputDensity : reservoirPy() ? 0.1 : 1.0;
  }

  private double biasScalingOrPreset() {
    return biasScaling != null ? biasScaling : reservoirPy() ? 1.0 : 0.0;
  }

  /** The noise levels, the selection and the free-run test. */
  org.lottalora.models.reservoir.FreeRunSetup freeRunSetup() {
    double[] levels;
    try {
      levels = Arrays.stream(noise.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--noise takes numbers separated by commas, got '" + noise + "'");
    }
    return new org.lottalora.models.reservoir.FreeRunSetup(levels, select, freeRun.horizon, freeRun.trials,
        freeRun.threshold);
  }

  /** {@code --ridge} as numbers. */
  double[] ridges() {
    try {
      return Arrays.stream(ridge.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ridge takes numbers separated by commas, got '" + ridge + "'");
    }
  }

  RingSpec ring() {
    String[] lohi = ringSize.split("\\.\\.");
    if (lohi.length != 2) {
      throw new IllegalArgumentException("--ring-size must look like 3..9, got '" + ringSize + "'");
    }
    int lo;
    int hi;
    try {
      lo = Integer.parseInt(lohi[0].trim());
      hi = Integer.parseInt(lohi[1].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ring-size must look like 3..9, got '" + ringSize + "'");
    }
    return new RingSpec(rings, lo, hi, epsilon, rewire, neighbours, tau, threshold, window, stride, ringInputScaling,
        ringInputDensity, samples, settle);
  }

  ReservoirSetup setup(int threads) {
    boolean ring = "ring".equalsIgnoreCase(family);
    return new ReservoirSetup(family, seed, ring ? List.of() : layers(), ring ? ring() : null, washout, ridges(),
        horizon, inputToReadout, fit, samples, trainFraction, generate, threads, ring ? null : freeRunSetup());
  }
}
