package org.lottalora.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.sweep.SweepConfig;
import org.lottalora.core.sweep.SweepReport;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.models.Families;
import org.lottalora.models.mlp.LinearFamily;
import org.lottalora.models.mlp.MlpFamily;
import org.lottalora.models.sweep.SweepBackend;
import org.lottalora.models.sweep.SweepRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora sweep}: a resumable grid of runs and its report. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a grid of runs (ranks x seeds x init families x alphas x scaling rules, plus the full "
        + "baseline per seed and init) into a sweep folder, then write its report: runs.csv, report.json, "
        + "report.md with r*(eps), and plots as PNG and SVG. Killed and rerun with the same command, it "
        + "continues where it stopped. The grid comes from options or from a JSON file (--config).")
final class SweepCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, description = "Sweep folder (created, or resumed if it holds this sweep); "
      + "with --spark also a URI such as hdfs://... or s3a://... that the executors can write.")
  String outArg;

  /** The folder as a local path (set in call(); for a non-file URI, only the Spark backend uses outArg). */
  Path out;

  @Option(names = "--config", description = "JSON file with the grid (the format of sweep.json); no grid options then.")
  Path config;

  @Option(names = "--dataset", defaultValue = "digits", description = "Dataset (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--split-seed", defaultValue = "0", description = "Train/validation split seed (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--max-train", defaultValue = "0", description = "Training rows to use, 0 = all (default: ${DEFAULT-VALUE}).")
  int maxTrain;

  @Option(names = "--family", defaultValue = "mlp", description = "Model family (default: ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--widths", description = "Hidden widths or full layout (default: 512,256,128,64 for mlp, 256 for linear).")
  String widths;

  @Option(names = "--ranks", split = ",", defaultValue = "1,2,4,8,16,32", description = "Ranks (default: ${DEFAULT-VALUE}).")
  List<Integer> ranks;

  @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "Seeds (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--inits", split = ";", defaultValue = "normal", description = "Init families, ';'-separated, "
      + "e.g. 'normal;orthogonal;binary' (default: ${DEFAULT-VALUE}).")
  List<String> inits;

  @Option(names = "--alphas", split = ",", defaultValue = "1", description = "Alphas (default: ${DEFAULT-VALUE}).")
  List<Double> alphas;

  @Option(names = "--scaling", defaultValue = "alpha/r", description = "alpha/r, rslora or both (default: ${DEFAULT-VALUE}).")
  String scaling;

  @Option(names = "--schedules", split = ";", defaultValue = "fixed", description = "Scaffold schedules of the "
      + "adapter runs, ';'-separated: fixed, epoch (a new scaffold each epoch), cycle:K (K scaffolds per step, "
      + "gradients averaged), subbatch:K (K sub-batches, each its own scaffold) (default: ${DEFAULT-VALUE}).")
  List<String> schedules;

  @Option(names = "--no-full", description = "Skip the fully trained baseline (r* then cannot be computed).")
  boolean noFull;

  @Option(names = "--epochs", defaultValue = "20", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-2", description = "Weight decay (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--workers", description = "Runs in parallel (default: one per core, each with 1 native thread).")
  Integer workers;

  @Option(names = "--spark", paramLabel = "MASTER", description = "Run the runs as Spark tasks, one per run: "
      + "local[N] (embedded, N cores), local[*], or cluster (the master spark-submit gave). Needs the "
      + "lottalora-spark module: lottalora-spark/lottalora-spark sweep ... or spark-submit.")
  String spark;

  @Mixin
  ReportOptions report;

  @Option(names = "--quiet", description = "No progress lines.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    SweepConfig cfg = config != null ? fromFile() : fromOptions();
    report.check();
    out = spark == null ? localFolder(outArg) : null;
    if (!cfg.runs().isEmpty()) {
      SweepRunner.preflight(cfg.runs()); // before the folder exists: a refused grid must leave nothing behind
    }
    if (spark != null) {
      return callSpark(cfg);
    }
    SweepStore store = SweepStore.open(out, cfg);
    int n = workers != null ? workers : SweepRunner.defaultWorkers(cfg.runs().size());
    SweepRunner.Summary s = SweepRunner.run(store, n, quiet ? null : System.err);
    store.addWallSeconds(s.wallSeconds());
    if (s.ran() > 0) {
      store.recordMachine(ReportOptions.machine(n));
    }
    SweepReport.Written w = SweepReport.write(store, report.accEps(), report.lossEps(),
        org.lottalora.models.sweep.PcaAnalysis.of(store, report.pcaShares), store.wallSeconds(), store.machine());
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "sweep %s: %d runs (%d run now, %d already done, %d rerun) in %.0f s; report in %s%n",
        out, s.total(), s.ran(), s.skipped(), s.rerun(), s.wallSeconds(), out.resolve("report.md"));
    ReportCommand.printRStar(o, w.rStars());
    o.flush();
    return 0;
  }

  /** The sweep on a {@link SweepBackend} found by name, so this module never links against Spark. */
  private Integer callSpark(SweepConfig cfg) {
    if (workers != null) {
      throw new IllegalArgumentException("--workers does not apply with --spark (Spark runs one task per core it "
          + "is given; set the cores in the master, e.g. local[4])");
    }
    SweepBackend backend = SweepBackend.find("spark").orElseThrow(() -> new IllegalArgumentException(
        "--spark needs the lottalora-spark module on the class path: run lottalora-spark/lottalora-spark sweep ... "
        + "(embedded Spark, nothing to install) or spark-submit --class org.lottalora.cli.LottaLoraCli "
        + "lottalora-spark/target/lottalora-spark.jar sweep --spark cluster ..."));
    SweepReport.Written[] w = new SweepReport.Written[1];
    SweepRunner.Summary s = backend.run(cfg, outArg, spark, quiet ? null : System.err, (store, sum) -> {
      store.addWallSeconds(sum.wallSeconds());
      if (sum.ran() > 0) {
        store.recordMachine(String.format(Locale.ROOT, "Machine: Spark master %s (driver: %d cores, %s %s), one "
            + "task per run x 1 native thread.", spark, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name"), System.getProperty("java.version")));
      }
      w[0] = SweepReport.write(store, report.accEps(), report.lossEps(),
          org.lottalora.models.sweep.PcaAnalysis.of(store, report.pcaShares), store.wallSeconds(), store.machine());
    });
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "sweep %s: %d runs (%d run now, %d already done, %d rerun) in %.0f s on Spark %s; report in "
        + "%s%n", outArg, s.total(), s.ran(), s.skipped(), s.rerun(), s.wallSeconds(), spark,
        outArg.replaceAll("/+$", "") + "/report.md");
    if (w[0] != null) {
      ReportCommand.printRStar(o, w[0].rStars());
    }
    o.flush();
    return 0;
  }

  /** --out as a local path; a URI other than file: needs --spark (only the executors' file systems know it). */
  static Path localFolder(String arg) {
    if (arg.startsWith("file:")) {
      return Path.of(java.net.URI.create(arg));
    }
    if (arg.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw new IllegalArgumentException("--out " + arg + " is a URI: give a local folder, or add --spark to write "
          + "through Spark's file systems");
    }
    return Path.of(arg);
  }

  private SweepConfig fromFile() throws IOException {
    CommandLine.ParseResult pr = spec.commandLine().getParseResult();
    for (String opt : List.of("--dataset", "--split-seed", "--max-train", "--family", "--widths", "--ranks", "--seeds",
        "--inits", "--alphas", "--scaling", "--schedules", "--no-full", "--epochs", "--batch", "--lr", "--wd")) {
      if (pr.hasMatchedOption(opt)) {
        throw new IllegalArgumentException("give the grid either as options or as --config, not both (" + opt
            + " was given)");
      }
    }
    try {
      return SweepStore.JSON.readValue(Files.readString(config), SweepConfig.class);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("no such config file: " + config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Throwable c = e.getCause();
      throw new IllegalArgumentException(config + " is not a valid sweep config: " + (c instanceof IllegalArgumentException
          ? c.getMessage() : e.getOriginalMessage().lines().findFirst().orElse("")));
    }
  }

  private SweepConfig fromOptions() {
    Families.get(family);
    int[] hidden;
    if (widths == null) {
      hidden = family.equals("linear") ? new int[] {LinearFamily.DEFAULT_WIDTH} : MlpFamily.MEDIUM.clone();
    } else if (widths.contains("-")) {
      DataSplits d = Datasets.load(dataset, new Datasets.Options(null, true, splitSeed));
      int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
      hidden = MlpFamily.parseWidths(widths, d.train().cols(), classes);
    } else {
      hidden = MlpFamily.parseWidths(widths, 0, 0);
    }
    List<Boolean> rs = switch (scaling.toLowerCase(Locale.ROOT)) {
      case "alpha/r" -> List.of(false);
      case "rslora" -> List.of(true);
      case "both" -> List.of(false, true);
      default -> throw new IllegalArgumentException("--scaling must be alpha/r, rslora or both, got '" + scaling + "'");
    };
    List<String> canon = new ArrayList<>();
    for (String i : inits) {
      canon.add(org.lottalora.core.backbone.InitSpec.parse(i.trim()).canonical());
    }
    return new SweepConfig(dataset, splitSeed, maxTrain, family, hidden, ranks, seeds, canon, alphas, rs, !noFull,
        epochs, batch, lr, wd, schedules);
  }

}
