package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.models.reservoir.HyperSearch;
import org.lottalora.models.reservoir.ReservoirSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora reservoir search}: resumable hyperparameter search for an ESN forecaster. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Random or grid search over spectral radius, leak rate, input scaling and ridge of an ESN "
        + "forecaster, on the training half of a series (validation NRMSE); resumable; writes the best settings "
        + "and landscape plots into --dir.")
final class ReservoirSearchCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ReservoirOptions res;

  @Mixin
  ThreadOptions threads;

  @Mixin
  SeriesOptions source;

  @Option(names = "--steps", defaultValue = "4000", description = "Length of a generated series (default: "
      + "${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--mode", defaultValue = "random", description = "random or grid (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--trials", defaultValue = "50", description = "Random trials (default: ${DEFAULT-VALUE}).")
  int trials;

  @Option(names = "--grid-points", defaultValue = "4", description = "Grid points per searched axis (default: "
      + "${DEFAULT-VALUE}).")
  int gridPoints;

  @Option(names = "--search-seed", defaultValue = "0", description = "Seed of the random draws (default: "
      + "${DEFAULT-VALUE}).")
  long searchSeed;

  @Option(names = "--sr", defaultValue = "0.5:1.5", description = "Spectral radius range (default: ${DEFAULT-VALUE}).")
  String sr;

  @Option(names = "--lr-range", defaultValue = "0.1:1", description = "Leak rate range (default: ${DEFAULT-VALUE}).")
  String lrRange;

  @Option(names = "--is", defaultValue = "0.1:2", description = "Input scaling range, log (default: ${DEFAULT-VALUE}).")
  String is;

  @Option(names = "--ridge-range", defaultValue = "1e-9:1e-2", description = "Ridge range, log (default: "
      + "${DEFAULT-VALUE}).")
  String ridgeRange;

  @Option(names = "--dir", defaultValue = "runs/reservoir-search", description = "Folder of the search (resumable) "
      + "(default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    int n = threads.apply();
    ReservoirSetup base = res.setup(n);
    if (!base.family().equals("esn")) {
      throw new IllegalArgumentException("the search tunes ESN forecasters: use --family esn");
    }
    HyperSearch.Config c = new HyperSearch.Config(mode, trials, gridPoints, searchSeed,
        HyperSearch.Range.parse("--sr", sr, false), HyperSearch.Range.parse("--lr-range", lrRange, false),
        HyperSearch.Range.parse("--is", is, true), HyperSearch.Range.parse("--ridge-range", ridgeRange, true), base,
        source.describe(steps));
    TimeSeries ts = source.load(steps);
    TimeSeries train = ts.slice(0, (int) Math.round(ts.length() * base.trainFraction()));
    HyperSearch.Result r = HyperSearch.run(c, train, dir, json ? Progress.silent() : Progress.stderr());
    HyperSearch.plots(r, dir);
    PrintWriter o = spec.commandLine().getOut();
    List<HyperSearch.Trial> top = r.trials().stream().filter(t -> t.failure() == null
        && Double.isFinite(t.validationNrmse())).sorted(Comparator.comparingDouble(HyperSearch.Trial::validationNrmse))
        .limit(5).toList();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("dir", dir.toString());
      j.put("trials", r.trials().size());
      j.put("resumed", r.resumed());
      j.put("failed", r.trials().stream().filter(t -> t.failure() != null).count());
      j.put("objective", base.freeRun().closedLoopSelection() ? "closed-loop" : "one-step");
      j.put("best", r.best());
      j.put("top", top);
      o.println(Json.write(j));
    } else {
      String loss = base.freeRun().closedLoopSelection() ? "validation free-run NRMSE (steps 1.."
          + base.freeRun().horizon() + ", by std)" : "validation one-step NRMSE (by std)";
      o.printf(Locale.ROOT, "%d trials (%d resumed) in %s; best five by %s:%n", r.trials().size(), r.resumed(), dir,
          loss);
      o.println("| trial | spectral radius | leak rate | input scaling | ridge | " + loss + " |");
      o.println("|---:|---:|---:|---:|---:|---:|");
      for (HyperSearch.Trial t : top) {
        o.printf(Locale.ROOT, "| %d | %.4f | %.4f | %.4f | %.3g | %.4g |%n", t.index(), t.spectralRadius(),
            t.leakRate(), t.inputScaling(), t.ridge(), t.validationNrmse());
      }
      o.println("plots: " + dir.resolve("landscape-*.png") + " (and .svg)");
    }
    o.flush();
    return 0;
  }
}
