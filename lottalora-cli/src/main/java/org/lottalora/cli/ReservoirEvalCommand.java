package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.models.reservoir.FreeRunSetup;
import org.lottalora.models.reservoir.ReservoirModel;
import org.lottalora.models.reservoir.ReservoirTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora reservoir eval}: measure a saved reservoir on a series or a dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure a saved reservoir: forecasting models on a series (NRMSE, R^2, closed-loop NRMSE), "
        + "classifiers on a dataset's test split (accuracy).")
final class ReservoirEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta reservoir artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Mixin
  ThreadOptions threads;

  @Mixin
  SeriesOptions source;

  @Option(names = "--steps", defaultValue = "4000", description = "Length of a generated series (default: "
      + "${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--train-fraction", defaultValue = "0.5", description = "Fraction of the series used as warm-up "
      + "only (default: ${DEFAULT-VALUE}).")
  double trainFraction;

  @Option(names = "--generate", defaultValue = "100", description = "Closed-loop steps (default: ${DEFAULT-VALUE}).")
  int generate;

  @Mixin
  FreeRunOptions freeRun;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    int n = threads.apply();
    ReservoirModel m = ReservoirModel.load(model, trust.policy());
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("model", model.toString());
    j.put("family", m.family());
    j.put("task", m.task());
    PrintWriter o = spec.commandLine().getOut();
    if (m.task().equals("classify")) {
      DataSplits d = data.load(0);
      double acc = m.accuracy(d.test(), n);
      j.put("dataset", data.dataset);
      j.put("test_accuracy", acc);
      j.put("test_rows", d.test().rows());
      if (!json) {
        o.printf(Locale.ROOT, "%s: test accuracy %.4f on %,d images of %s%n", model, acc, d.test().rows(),
            data.dataset);
      }
    } else {
      if (!(trainFraction > 0 && trainFraction < 1)) {
        throw new IllegalArgumentException("--train-fraction must be in (0, 1), got " + trainFraction);
      }
      TimeSeries ts = source.load(steps);
      int warm = (int) Math.round(ts.length() * trainFraction);
      var r = ReservoirTrainer.evaluate(m, ts.values(), warm, generate, new FreeRunSetup(new double[] {0},
          "one-step", freeRun.horizon, freeRun.trials, freeRun.threshold));
      j.put("series", source.describe(steps));
      j.putAll(ReservoirTrainCommand.metrics(r));
      if (!json) {
        o.printf(Locale.ROOT, "%s: %d-step NRMSE %.4g by std (%.4g by range), R^2 %.6f over %,d steps", model,
            m.settings().horizon(), r.test().nrmse(), r.test().nrmseRange(), r.test().r2(), r.testSteps());
        if (r.closedLoop() != null) {
          o.printf(Locale.ROOT, "; one closed loop of %d steps NRMSE %.4g by std", r.closedLoop().steps(),
              r.closedLoop().nrmse());
        }
        o.println();
        ReservoirTrainCommand.printFreeRun(o, r.freeRun());
      }
    }
    if (json) {
      o.println(Json.write(j));
    }
    o.flush();
    return 0;
  }
}
