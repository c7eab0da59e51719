package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.models.reservoir.ForecastCsv;
import org.lottalora.models.reservoir.ForecastMetrics;
import org.lottalora.models.reservoir.ReservoirModel;
import org.lottalora.models.reservoir.ReservoirPlots;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora reservoir forecast}: closed-loop forecast from a series' history. */
@Command(name = "forecast", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Warm a saved forecasting reservoir up on the first --history steps of a series, then run it "
        + "closed loop for --steps; writes the forecast as CSV and a plot against the truth (when the series "
        + "goes on).")
final class ReservoirForecastCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta reservoir artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  SeriesOptions source;

  @Option(names = "--history", defaultValue = "2000", description = "Steps of the series to warm up on (default: "
      + "${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--steps", defaultValue = "100", description = "Steps to forecast (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = {"-o", "--out"}, defaultValue = "forecast.csv", description = "CSV to write (default: "
      + "${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--plot", description = "Write BASE.png and BASE.svg of the forecast against the truth.")
  Path plot;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (history < 2) {
      throw new IllegalArgumentException("--history must be >= 2, got " + history);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    }
    ReservoirModel m = ReservoirModel.load(model, trust.policy());
    TimeSeries ts = source.load(history + steps);
    if (ts.length() < history) {
      throw new IllegalArgumentException("the series has " + ts.length() + " steps, fewer than --history " + history);
    }
    double[][] raw = ts.values();
    long t0 = System.nanoTime();
    double[][] pred = m.forecast(Arrays.copyOf(raw, history), steps);
    double secs = (System.nanoTime() - t0) / 1e9;
    double[][] truth = Arrays.copyOfRange(raw, history, Math.min(raw.length, history + steps));
    ForecastCsv.write(out, history, ts.channels(), pred, truth);
    ForecastMetrics met = truth.length == steps ? ForecastMetrics.of(truth, pred) : null;
    if (plot != null) {
      ReservoirPlots.forecast(plot, source.describe(history + steps) + ": closed loop",
          truth.length == steps ? truth : null, pred, history);
    }
    PrintWriter o = spec.commandLine().getOut();
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("model", model.toString());
    j.put("history", history);
    j.put("steps", steps);
    j.put("nrmse", met == null ? null : met.nrmse());
    j.put("r2", met == null ? null : met.r2());
    j.put("seconds", secs);
    j.put("csv", out.toString());
    if (json) {
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "forecast %d steps after %d of history in %.3f s%s; wrote %s%n", steps, history, secs,
          met == null ? "" : String.format(Locale.ROOT, ": NRMSE %.4g, R^2 %.4f against the truth", met.nrmse(),
              met.r2()), out);
    }
    o.flush();
    return 0;
  }
}
