package org.lottalora.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.models.LottaModel;
import org.lottalora.models.SeedGating;
import org.lottalora.models.mlp.MlpFamily;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora gating}: the seed-gating experiment. */
@Command(name = "gating", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Seed gating: train one shared set of adapters through scaffold s1 on one class subset, s2 on "
        + "another, s3 on a third (every other class is an extra out-of-class label), then evaluate each seed on "
        + "the whole test set, and each scaffold against every subset's labels.")
final class GatingCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOptions data;

  @Mixin
  ThreadOptions threads;

  @Option(names = "--subsets", defaultValue = "0,1,2;3,4,5;6,7,8,9", description = "Class subsets, one per seed "
      + "(default: ${DEFAULT-VALUE}).")
  String subsets;

  @Option(names = "--widths", description = "Hidden widths or full layout (default: 512,256,128,64).")
  String widths;

  @Option(names = "--rank", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(names = "--seed", defaultValue = "0", description = "Seed s1 (s2, s3 derive from it) (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--report", description = "Also write the tables as Markdown to this file.")
  Path report;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    List<int[]> subs = new ArrayList<>();
    for (String part : subsets.split(";")) {
      try {
        subs.add(Arrays.stream(part.split(",")).map(String::trim).filter(x -> !x.isEmpty())
            .mapToInt(Integer::parseInt).toArray());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad --subsets '" + subsets + "': write classes like 0,1,2;3,4,5;6,7,8,9");
      }
    }
    threads.apply();
    DataSplits d = data.load(0);
    int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
    int[] hidden = widths == null ? MlpFamily.MEDIUM.clone()
        : MlpFamily.parseWidths(widths, d.train().cols(), classes);
    ModelSpec base = new ModelSpec("mlp", d.train().cols(), classes, hidden, 0, seed, InitSpec.DEFAULT,
        new AdapterConfig(rank, 1.0, false, true, 0, false, seed), false);
    LottaModel m = LottaModel.create(SeedGating.spec(base, classes));
    long t0 = System.nanoTime();
    SeedGating.Result r = SeedGating.run(m, d, subs, new TrainConfig(epochs, batch, lr, 1e-2, 0, true, 0, seed),
        json ? Progress.silent() : Progress.stderr());
    double secs = (System.nanoTime() - t0) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("subsets", r.subsets().stream().map(a -> Arrays.stream(a).boxed().toList()).toList());
      j.put("seeds", Arrays.stream(r.seeds()).boxed().toList());
      j.put("out_of_class_label", r.outOfClass());
      j.put("accuracy", Arrays.stream(r.accuracy()).boxed().toList());
      j.put("in_subset_accuracy", Arrays.stream(r.inSubset()).boxed().toList());
      j.put("out_of_class_recall", Arrays.stream(r.outOfClassRecall()).boxed().toList());
      j.put("cross_accuracy", Arrays.stream(r.crossAccuracy()).map(row -> Arrays.stream(row).boxed().toList()).toList());
      j.put("wall_seconds", secs);
      o.println(Json.write(j));
    } else {
      String md = markdown(r, d, base, secs);
      o.print(md);
      if (report != null) {
        Files.writeString(report, md);
      }
    }
    o.flush();
    return 0;
  }

  private String markdown(SeedGating.Result r, DataSplits d, ModelSpec base, double secs) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Seed gating on %s: mlp %s rank %d, %d epochs, batch %d, lr %s; "
        + "out-of-class label %d; %.0f s on %d cores, 1 native thread.%n%n", data.dataset, base.layout(), rank, epochs,
        batch, lr, r.outOfClass(), secs, Runtime.getRuntime().availableProcessors()));
    sb.append("| seed | subset | accuracy (subset labels, others out-of-class) | in-subset accuracy | "
        + "out-of-class recall |\n|---|---|---|---|---|\n");
    for (int i = 0; i < r.seeds().length; i++) {
      sb.append(String.format(Locale.ROOT, "| s%d = %d | %s | %.4f | %.4f | %.4f |%n", i + 1, r.seeds()[i],
          Arrays.toString(r.subsets().get(i)), r.accuracy()[i], r.inSubset()[i], r.outOfClassRecall()[i]));
    }
    sb.append("\nEach scaffold against each subset's labels (rows: scaffold used; columns: task scored):\n\n| |");
    for (int j = 0; j < r.seeds().length; j++) {
      sb.append(" task ").append(Arrays.toString(r.subsets().get(j))).append(" |");
    }
    sb.append("\n|---|").append("---|".repeat(r.seeds().length)).append('\n');
    for (int i = 0; i < r.seeds().length; i++) {
      sb.append("| s").append(i + 1).append(" |");
      for (int j = 0; j < r.seeds().length; j++) {
        sb.append(String.format(Locale.ROOT, " %.4f |", r.crossAccuracy()[i][j]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
