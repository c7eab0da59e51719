package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.models.ArtifactMapper;
import org.lottalora.models.reservoir.ForecastCsv;
import org.lottalora.models.reservoir.ForecastMetrics;
import org.lottalora.models.reservoir.FreeRun;
import org.lottalora.models.reservoir.ReservoirAdapterTrainer;
import org.lottalora.models.reservoir.ReservoirModel;
import org.lottalora.models.reservoir.ReservoirPlots;
import org.lottalora.models.reservoir.ReservoirSetup;
import org.lottalora.models.reservoir.ReservoirTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora reservoir train}: fit a reservoir's readout (and optionally an adapter) and save it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a reservoir: forecast a series (esn) or classify images (esn row by row, or ring), "
        + "optionally with a low-rank adapter on the recurrent matrix trained by BPTT; save seed + readout.")
final class ReservoirTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ReservoirOptions res;

  @Mixin
  DataOptions data;

  @Mixin
  ThreadOptions threads;

  @Option(names = "--task", description = "forecast or classify (default: forecast for esn, classify for ring).")
  String task;

  @Mixin
  SeriesOptions source;

  @Option(names = "--steps", defaultValue = "4000", description = "Length of a generated series (default: "
      + "${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--adapter-rank", defaultValue = "0", description = "Rank of an adapter on the recurrent matrix, "
      + "trained by BPTT with the readout; 0 = ridge readout only (default: ${DEFAULT-VALUE}).")
  int adapterRank;

  @Option(names = "--alpha", defaultValue = "1.0", description = "Adapter alpha (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--bptt-window", defaultValue = "50", description = "Steps unrolled per BPTT window (default: "
      + "${DEFAULT-VALUE}).")
  int bpttWindow;

  @Option(names = "--batch", defaultValue = "16", description = "BPTT windows per iteration (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--iterations", defaultValue = "200", description = "BPTT iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--lr", defaultValue = "1e-3", description = "BPTT learning rate of the adapter (default: "
      + "${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--readout-lr", defaultValue = "1e-4", description = "BPTT learning rate of the readout, 0 "
      + "freezes it (default: ${DEFAULT-VALUE}).")
  double readoutLr;

  @Option(names = "--no-refit", description = "Keep the BPTT readout instead of refitting ridge on the adapted "
      + "reservoir.")
  boolean noRefit;

  @Option(names = {"-o", "--out"}, defaultValue = "reservoir.lotta", description = "Artifact to write (default: "
      + "${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--dtype", defaultValue = "fp32", description = "Readout storage: fp32, fp16, bf16, int8 (default: "
      + "${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--plot", description = "Forecast: write BASE.png and BASE.svg of the test forecast vs the truth.")
  Path plot;

  @Option(names = "--forecast-csv", description = "Forecast: write the test forecast and the truth as CSV.")
  Path forecastCsv;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    var dt = TensorCodec.parse(dtype);
    ArtifactCodec.checkWritable(out);
    int n = threads.apply();
    ReservoirSetup s = res.setup(n);
    String t = task != null ? task.toLowerCase(Locale.ROOT) : s.family().equals("ring") ? "classify" : "forecast";
    if (!t.equals("forecast") && !t.equals("classify")) {
      throw new IllegalArgumentException("unknown --task '" + task + "'; valid: forecast, classify");
    }
    Progress progress = json ? Progress.silent() : Progress.stderr();
    Map<String, Object> j = new LinkedHashMap<>();
    PrintWriter o = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    if (t.equals("classify")) {
      if (adapterRank > 0) {
        throw new IllegalArgumentException("--adapter-rank is for forecasting ESNs; classifiers fit a ridge readout");
      }
      DataSplits d = data.load(0);
      var tr = ReservoirTrainer.classify(d, s, progress);
      var r = tr.report();
      double secs = (System.nanoTime() - t0) / 1e9;
      tr.model().save(out, new ReservoirModel.Provenance(data.dataset, ArtifactMapper.datasetHash(d.train()),
          d.train().rows(), r.testAccuracy(), secs, n, Map.of()), dt, null);
      j.put("task", "classify");
      j.put("family", s.family());
      j.put("dataset", data.dataset);
      j.put("neurons", r.neurons());
      j.put("features", r.features());
      j.put("ridge", r.ridge());
      j.put("validation_accuracy", Arrays.stream(r.validationAccuracy()).boxed().toList());
      j.put("test_accuracy", r.testAccuracy());
      j.put("train_rows", r.trainRows());
      j.put("test_rows", r.testRows());
      j.put("fit_seconds", r.fitSeconds());
      j.put("test_seconds", r.testSeconds());
      if (!json) {
        o.printf(Locale.ROOT, "%s reservoir, %d neurons, %d readout features, ridge %g: test accuracy %.4f on %,d "
            + "images (fit %.1f s, test %.1f s)%n", s.family(), r.neurons(), r.features(), r.ridge(),
            r.testAccuracy(), r.testRows(), r.fitSeconds(), r.testSeconds());
      }
    } else {
      TimeSeries ts = source.load(steps);
      String what = source.describe(steps);
      ReservoirTrainer.ForecastReport r;
      ReservoirModel model;
      if (adapterRank > 0) {
        var tr = ReservoirAdapterTrainer.train(ts, s, new ReservoirAdapterTrainer.AdapterSpec(adapterRank, alpha,
            bpttWindow, batch, iterations, lr, readoutLr, s.seed(), true, !noRefit), progress);
        var ar = tr.report();
        model = tr.model();
        r = ar.refit() != null ? ar.refit() : ar.bptt();
        j.put("baseline", metrics(ar.baseline()));
        j.put("adapter_rank", adapterRank);
        j.put("adapter_params", ar.adapterParams());
        j.put("readout_params", ar.readoutParams());
        j.put("beta", ar.beta());
        j.put("bptt_readout", metrics(ar.bptt()));
        j.put("loss_first", ar.loss()[0]);
        j.put("loss_last", ar.loss()[ar.loss().length - 1]);
        j.put("validation_loss_start", ar.validationLoss()[0]);
        j.put("validation_loss_best", Arrays.stream(ar.validationLoss()).min().orElse(Double.NaN));
        j.put("best_iteration", ar.bestIteration());
        j.put("bptt_seconds", ar.trainSeconds());
        if (!json) {
          o.printf(Locale.ROOT, "ridge only:          test NRMSE %.4g%n", ar.baseline().test().nrmse());
          o.printf(Locale.ROOT, "adapter, BPTT readout: test NRMSE %.4g (rank %d, beta %.4f, held-out loss %.4g -> "
              + "%.4g, kept iteration %d of %d, %.1f s)%n", ar.bptt().test().nrmse(), adapterRank, ar.beta(),
              ar.validationLoss()[0], Arrays.stream(ar.validationLoss()).min().orElse(Double.NaN), ar.bestIteration(),
              iterations, ar.trainSeconds());
        }
      } else {
        var tr = ReservoirTrainer.forecast(ts, s, progress);
        model = tr.model();
        r = tr.report();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      model.save(out, new ReservoirModel.Provenance(what, null, ts.length(), r.test().nrmse(), secs, n, Map.of()),
          dt, null);
      j.put("task", "forecast");
      j.put("series", what);
      j.put("units", s.layers().stream().map(x -> x.units()).toList());
      j.put("horizon", s.horizon());
      j.put("ridge", r.ridge());
      j.put("validation_nrmse", Arrays.stream(r.validationNrmse()).boxed().toList());
      j.put("select", r.select());
      j.put("noises", Arrays.stream(r.noises()).boxed().toList());
      j.putAll(metrics(r));
      if (plot != null) {
        ReservoirPlots.forecast(plot, what + ": test, " + s.horizon() + "-step ahead", r.truth(), r.prediction(),
            r.trainSteps() + s.horizon());
        if (r.closedLoop() != null) {
          Path cl = plot.resolveSibling(plot.getFileName() + "-closed-loop");
          ReservoirPlots.forecast(cl, what + ": closed loop", r.closedTruth(), r.closedPrediction(),
              r.trainSteps() + 1);
        }
      }
      if (forecastCsv != null) {
        ForecastCsv.write(forecastCsv, r.trainSteps() + s.horizon(), ts.channels(), r.prediction(), r.truth());
      }
      if (!json) {
        o.printf(Locale.ROOT, "esn %s on %s: test %d-step NRMSE %.4g by std (%.4g by range), R^2 %.6f over %,d "
            + "steps", j.get("units"), what, s.horizon(), r.test().nrmse(), r.test().nrmseRange(), r.test().r2(),
            r.testSteps());
        if (r.closedLoop() != null) {
          o.printf(Locale.ROOT, "; one closed loop of %d steps from the end of training NRMSE %.4g by std",
              r.closedLoop().steps(), r.closedLoop().nrmse());
        }
        o.printf(Locale.ROOT, " (ridge %g%s, build %.2f s, fit %.2f s, run %.3f s per 1,000 steps)%n", r.ridge(),
            r.noise() > 0 ? String.format(Locale.ROOT, ", noise %g", r.noise()) : "", r.buildSeconds(),
            r.fitSeconds(), r.runSecondsPer1000());
        printFreeRun(o, r.freeRun());
      }
    }
    j.put("artifact", out.toString());
    j.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    j.put("threads", n);
    if (json) {
      o.println(Json.write(j));
    } else {
      o.println("wrote " + out);
    }
    o.flush();
    return 0;
  }

  /** The free-run line of the text output (nothing without a free-run test). */
  static void printFreeRun(PrintWriter o, FreeRun.Report f) {
    if (f == null) {
      return;
    }
    o.printf(Locale.ROOT, "free runs: %d trials of %d steps: NRMSE at step %d %.4g by std (%.4g by range), over "
        + "steps 1..%d %.4g by std (%.4g by range); valid time (error/std <= %.2g) median %s steps, %d..%d%n",
        f.trials(), f.horizon(), f.horizon(), f.nrmse(), f.nrmseRange(), f.horizon(), f.meanNrmse(),
        f.meanNrmseRange(), f.threshold(), f.validStepsMedian() >= f.horizon() ? ">= " + f.horizon()
            : String.format(Locale.ROOT, "%.1f", f.validStepsMedian()), f.validStepsMin(), f.validStepsMax());
  }

  static Map<String, Object> metrics(ReservoirTrainer.ForecastReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test_nrmse", r.test().nrmse());
    m.put("test_nrmse_range", r.test().nrmseRange());
    m.put("test_r2", r.test().r2());
    m.put("test_steps", r.testSteps());
    ForecastMetrics c = r.closedLoop();
    m.put("closed_loop_nrmse", c == null ? null : c.nrmse());
    m.put("closed_loop_steps", c == null ? 0 : c.steps());
    FreeRun.Report f = r.freeRun();
    if (f != null) {
      m.put("free_run_horizon", f.horizon());
      m.put("free_run_trials", f.trials());
      m.put("free_run_nrmse", f.nrmse());
      m.put("free_run_nrmse_range", f.nrmseRange());
      m.put("free_run_mean_nrmse", f.meanNrmse());
      m.put("free_run_mean_nrmse_range", f.meanNrmseRange());
      m.put("valid_steps_median", f.validStepsMedian());
      m.put("valid_steps_min", f.validStepsMin());
      m.put("valid_steps_max", f.validStepsMax());
      m.put("valid_threshold", f.threshold());
    }
    if (!Double.isNaN(r.noise())) {
      m.put("noise", r.noise());
    }
    m.put("build_seconds", r.buildSeconds());
    m.put("fit_seconds", r.fitSeconds());
    m.put("train_steps", r.trainSteps());
    m.put("run_seconds_per_1000_steps", r.runSecondsPer1000());
    return m;
  }
}
