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
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.models.ModelFamily;
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

  @Option(names = "--family", defaultValue = "mlp", description = "Model family: any registered id (linear, mlp, "
      + "cnn, cfc, lstm, gcn, gin, vit, text, lm; default: ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--dataset", description = "Dataset: an image dataset or CSV (dense, vit, cfc, lstm; default "
      + "digits), a graph spec (gcn: sbm, gin: synthetic), a text,label CSV (text) or a UTF-8 text file (lm).")
  String dataset;

  @Option(names = "--split-seed", description = "Train/validation split seed (default: the family's, 0 or 1).")
  Long splitSeed;

  @Option(names = "--max-train", description = "Training rows to use, 0 = all (default: 0).")
  Integer maxTrain;

  @Option(names = "--widths", description = "Dense families: hidden widths or full layout (default: 512,256,128,64 "
      + "for mlp, 256 for linear, Plain-8 for cnn).")
  String widths;

  @Mixin
  FamilySettings familySettings;

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

  @Option(names = "--epochs", description = "Epochs per run (default: the family's; 20 for the dense families; the "
      + "lm takes --steps).")
  Integer epochs;

  @Option(names = "--batch", description = "Batch size (default: the family's; 128 for the dense families).")
  Integer batch;

  @Option(names = "--lr", description = "Learning rate (default: the family's; 1e-3 for the dense families).")
  Double lr;

  @Option(names = "--wd", description = "Weight decay (default: the family's; 1e-2 for the dense families).")
  Double wd;

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
    SweepReport.Written w = SweepReport.write(store, report.accEps(), report.lossEps(cfg.family()),
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
      w[0] = SweepReport.write(store, report.accEps(), report.lossEps(cfg.family()),
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
    List<String> opts = new ArrayList<>(List.of("--family", "--ranks", "--seeds", "--inits", "--alphas", "--scaling",
        "--schedules", "--no-full"));
    FamilySettings.names(spec).forEach(n -> opts.add("--" + n));
    for (String opt : opts) {
      if (pr.hasMatchedOption(opt)) {
        throw new IllegalArgumentException("give the grid either as options or as --config, not both (" + opt
            + " was given)");
      }
    }
    try {
      SweepConfig c = SweepStore.JSON.readValue(Files.readString(config), SweepConfig.class);
      // the file's family settings go through the family's own check: a key it does not take is refused
      Family fam = FamilyRegistry.get(c.family());
      java.util.Map<String, String> given = new java.util.LinkedHashMap<>(c.options());
      if (fam.sharedSettings().contains("dataset")) {
        given.put("dataset", c.dataset());
      }
      fam.resolve(given);
      return c;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("no such config file: " + config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Throwable c = e.getCause();
      throw new IllegalArgumentException(config + " is not a valid sweep config: " + (c instanceof IllegalArgumentException
          ? c.getMessage() : e.getOriginalMessage().lines().findFirst().orElse("")));
    }
  }

  private SweepConfig fromOptions() {
    Family fam = FamilyRegistry.get(family);
    java.util.Map<String, String> all = fam.resolve(FamilySettings.given(spec.commandLine().getParseResult(),
        FamilySettings.names(spec)));
    String dataset = all.get("dataset");
    long splitSeed = splitSeed(all);
    int[] hidden = new int[0];
    if (fam instanceof ModelFamily dense) {
      String w = all.get("widths");
      if (w.contains("-")) {
        DataSplits d = Datasets.load(dataset, new Datasets.Options(null, true, splitSeed));
        int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
        hidden = dense.widthsFrom(w, d.train().cols(), classes);
      } else {
        hidden = widths == null ? dense.defaultWidths() : dense.widthsFrom(w, 0, 0);
      }
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
    return new SweepConfig(dataset, splitSeed, (int) number(all, "max-train", "0"), fam.id(), hidden, ranks, seeds,
        canon, alphas, rs, !noFull, (int) number(all, "epochs", "1"), (int) number(all, "batch", "1"),
        number(all, "lr", "1e-3"), number(all, "wd", "0"), schedules, fam.own(all));
  }

  // the split seed as the whole number it is (a double would round seeds beyond 2^53)
  static long splitSeed(java.util.Map<String, String> all) {
    String v = all.getOrDefault("split-seed", "0");
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--split-seed must be a whole number, got '" + v + "'");
    }
  }

  // a shared setting as a number (the family's default when it does not take it), naming the option when bad
  static double number(java.util.Map<String, String> all, String name, String dflt) {
    String v = all.getOrDefault(name, dflt);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

}
