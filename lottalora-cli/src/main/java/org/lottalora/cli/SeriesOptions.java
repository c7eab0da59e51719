package org.lottalora.cli;

import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.models.reservoir.SeriesTasks;
import picocli.CommandLine.Option;

/** The series a reservoir command reads: a generated one (name and seed) or a CSV file. */
final class SeriesOptions {
  @Option(names = "--series", defaultValue = "mackey-glass", description = "mackey-glass, lorenz or a .csv file "
      + "(default: ${DEFAULT-VALUE}).")
  String series;

  @Option(names = "--series-seed", defaultValue = "42", description = "Seed of a generated series (default: "
      + "${DEFAULT-VALUE}).")
  long seriesSeed;

  /** The series, {@code steps} long when generated. */
  TimeSeries load(int steps) {
    return SeriesTasks.load(series, steps, seriesSeed);
  }

  /** How the series was made, for reports and provenance. */
  String describe(int steps) {
    return SeriesTasks.describe(series, steps, seriesSeed);
  }
}
