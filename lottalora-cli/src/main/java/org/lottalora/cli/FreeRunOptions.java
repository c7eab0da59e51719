package org.lottalora.cli;

import picocli.CommandLine.Option;

/** The free-run test's options, shared by {@code reservoir train}, {@code eval} and {@code search}. */
final class FreeRunOptions {
  @Option(names = "--free-run", defaultValue = "0", description = "Free-running test: steps each run goes on its "
      + "own outputs, from --free-run-trials start points over the test part; reports NRMSE at that step "
      + "(Jaeger's NRMSE84 with 84) and the valid time; 0 = none (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Option(names = "--free-run-trials", defaultValue = "100", description = "Free runs, from start points spread "
      + "evenly (default: ${DEFAULT-VALUE}).")
  int trials;

  @Option(names = "--valid-threshold", defaultValue = "0.4", description = "Valid prediction time: steps until "
      + "the error over the standard deviation exceeds this (default: ${DEFAULT-VALUE}).")
  double threshold;
}
