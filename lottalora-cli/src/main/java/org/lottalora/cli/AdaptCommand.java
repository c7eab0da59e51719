package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Metrics;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.AdaptedTarget;
import org.lottalora.models.adapt.DatasetIterator;
import org.lottalora.models.adapt.GraphAdapter;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.adapt.GraphEval;
import org.lottalora.models.adapt.SourceGraph;
import org.lottalora.models.adapt.TargetRule;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora adapt}: adapters on a user's own graph (an ONNX file or a SameDiff file). Reads the graph,
 * wraps the chosen weights with {@code GraphAdapter} (a classifier head on the output variable), trains on a
 * dataset, saves the artifact (also after every epoch), reloads it and checks that it predicts as the trained
 * graph did, and reports targets, trainable share, accuracy and sizes.
 */
@Command(name = "adapt", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Put LoRA adapters on your own graph (MODEL: an .onnx file, or a SameDiff file saved with "
        + "SameDiff.save(file, false)) and train them as a classifier on a dataset: the chosen 2-D weights "
        + "become beta*W_base + s*B*A with W_base regenerated from --seed (LottaLoRA) or, with --pretrained, the "
        + "graph's own weights (classic LoRA; the artifact then needs MODEL to load). Everything else stays "
        + "frozen unless named with --trainable. Saves a .lotta artifact, reloads it and checks it.")
final class AdaptCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The graph: an .onnx file or a SameDiff file.")
  Path model;

  @Option(names = "--list-targets", description = "Print the graph's 2-D weights (shape, whether a matrix product "
      + "consumes it) and exit.")
  boolean listTargets;

  @Option(names = "--targets", defaultValue = "matmul", paramLabel = "RULE", description = "Weights that get "
      + "adapters: matmul (every 2-D weight feeding a matrix product), names and globs (w1,fc*.weight), or "
      + "re:<regex> (default: ${DEFAULT-VALUE}).")
  String targets;

  @Option(names = "--seed", description = "Seed of the targets' frozen random base (the default mode; default 0).")
  Long seed;

  @Option(names = "--init", description = "Init family of that base, e.g. normal, orthogonal, cauchy:s=0.2 "
      + "(default: normal, i.e. N(0, 1/fan_in)).")
  String init;

  @Option(names = "--pretrained", description = "Keep the graph's own target weights as the frozen base (classic "
      + "LoRA) instead of a seeded one; loading the artifact then needs MODEL (--base).")
  boolean pretrained;

  @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r, capped per layer at min(d_in, d_out); scaling stays alpha / r "
      + "(default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(names = "--alpha", defaultValue = "1", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = {"--rs-lora", "--rslora"}, description = "Scale by alpha/sqrt(r) instead of alpha/r.")
  boolean rsLora;

  @Option(names = "--dora", description = "DoRA: a trained magnitude per output row over the normalised weight.")
  boolean dora;

  @Option(names = "--fixed-beta", description = "Keep beta at 1 instead of learning it.")
  boolean fixedBeta;

  @Option(names = "--dropout", defaultValue = "0", description = "Adapter dropout on the input of each low-rank "
      + "path, masks drawn from the seeded generator (default: ${DEFAULT-VALUE}; not with --dora).")
  double dropout;

  @Option(names = "--resume", description = "Continue from the --out checkpoint when it exists (written after "
      + "every epoch): its targets, adapter and base are kept, training runs on to --epochs in all.")
  boolean resume;

  @Option(names = "--adapter-seed", defaultValue = "1", description = "Seed of the adapter A init (default: "
      + "${DEFAULT-VALUE}).")
  long adapterSeed;

  @Option(names = "--trainable", paramLabel = "GLOBS", description = "Further weights trained in full, by name or "
      + "glob, comma-separated (e.g. b2 or *bias*); each must match.")
  String trainable;

  @Option(names = "--output-var", defaultValue = "logits", paramLabel = "NAME", description = "The graph's "
      + "variable holding the class scores (default: ${DEFAULT-VALUE}).")
  String outputVar;

  @Mixin
  DataOptions data;

  @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-2", description = "AdamW decoupled weight decay, as for train "
      + "(default: ${DEFAULT-VALUE}; 0 for plain Adam).")
  double wd;

  @Option(names = "--warmup", defaultValue = "0", description = "Warm-up epochs (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--no-cosine", description = "Constant learning rate instead of the cosine decay.")
  boolean noCosine;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--shuffle-seed", defaultValue = "0", description = "Seed of the batch order (default: "
      + "${DEFAULT-VALUE}).")
  long shuffleSeed;

  @Option(names = "--out", defaultValue = "model.lotta", description = "Artifact to write, also after every epoch "
      + "(default: ${DEFAULT-VALUE}).")
  Path out;

  @Mixin
  ThreadOptions threads;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Print the report as one JSON object on stdout.")
  boolean json;

  private long resumedAfter;

  @Override
  public Integer call() {
    long t0 = System.nanoTime();
    // usage mistakes first, before any file is read or written
    if (rank < 1) {
      throw new IllegalArgumentException("--rank must be at least 1, got " + rank);
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
    }
    if (pretrained && (seed != null || init != null)) {
      throw new IllegalArgumentException("--pretrained keeps the graph's own weights as the base; --seed and --init "
          + "choose a random one: give one or the other");
    }
    TargetRule rule = TargetRule.parse(targets);
    InitSpec initSpec = InitSpec.parse(init == null ? "normal" : init);
    AdapterConfig ac = new AdapterConfig(rank, alpha, rsLora, !fixedBeta, dropout, false, adapterSeed)
        .withVariants(dora, false, false);
    if (dora && dropout > 0) {
      throw new IllegalArgumentException("--dropout acts on the unmerged A path; --dora merges the weight, so use "
          + "one or the other");
    }
    int nThreads = threads.apply();
    PrintWriter o = spec.commandLine().getOut();
    if (!listTargets) {
      ArtifactCodec.checkWritable(out); // before the import, which can take tens of seconds
    }
    SourceGraph src = SourceGraph.load(model);
    if (listTargets) {
      return list(src, o);
    }
    long splitSeed = data.splitSeedOr(0L);
    DataSplits raw = data.load(splitSeed);
    DataSplits d = raw.normalized();
    int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
    GraphAdapter ga = GraphAdapter.of(src.graph()).targets(rule).adapter(ac).classifier(outputVar, classes)
        .source(src.source(), src.sha256());
    if (pretrained) {
      ga.pretrained();
    } else {
      ga.seeded(seed == null ? 0L : seed, initSpec);
    }
    if (trainable != null) {
      ga.trainable(trainable.split(","));
    }
    boolean resumed = resume && Files.exists(out);
    AdaptedGraph g = resumed ? checkpoint(src) : ga.apply();
    long[] shape = GraphEval.exampleShape(g, d.train());
    Progress progress = quiet || json ? Progress.silent() : Progress.stderr();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora adapt  %s (%s), %d target%s, rank %d, base %s%s%n", model, src.source(),
          g.spec().targets().size(), g.spec().targets().size() == 1 ? "" : "s", g.spec().adapter().rank(),
          baseText(g), resumed ? ", resumed from " + out + " after epoch " + g.epochsTrained() : "");
      o.printf(Locale.ROOT, "dataset %s: %,d train / %,d test, examples %s, %d classes%n", data.dataset,
          d.train().rows(), d.test().rows(), java.util.Arrays.toString(shape), classes);
      o.flush();
    }
    g.dataRecord(new AdaptedGraph.DataRecord(data.dataset, d.normalization(), batch, lr, shuffleSeed, splitSeed));
    long fitStart = System.nanoTime();
    AdaptedGraph.FitOptions fo = AdaptedGraph.FitOptions.defaults().withLearningRate(lr)
        .withSchedule(wd, warmup, !noCosine).withProgress(progress).withCheckpoint(out);
    DatasetIterator it = new DatasetIterator(d.train(), batch, shuffleSeed, shape);
    if (resumed) {
      g.fitTo(it, epochs, fo);
    } else {
      g.fit(it, epochs, fo);
    }
    double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
    double valAcc = GraphEval.accuracy(g, d.validation(), shape);
    double testAcc = GraphEval.accuracy(g, d.test(), shape);
    AdaptedGraph.ParameterCounts pc = g.parameterCounts();
    Metrics.Builder metrics = Metrics.newBuilder().setTestAccuracy(testAcc).setBestValAccuracy(valAcc)
        .setBestEpoch(epochs).setWallSeconds(fitSeconds)
        .setSamplesPerSecond(d.train().rows() * (double) epochs / Math.max(fitSeconds, 1e-9));
    GraphArtifacts.write(g, out, metrics);
    boolean pretrainedBase = g.spec().base() == GraphAdapter.Base.PRETRAINED;
    GraphEval.ReloadCheck check = GraphEval.reloadAndCompare(g, out, pretrainedBase ? src.graph() : null, d.test(),
        shape);
    long artifactBytes = size(out);
    double wall = (System.nanoTime() - t0) / 1e9;
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model.toString());
      m.put("source", src.source());
      m.put("source_sha256", Human.hex(src.sha256()));
      m.put("base", pretrainedBase ? "pretrained" : "seed");
      m.put("seed", pretrainedBase ? null : g.spec().seed());
      m.put("init", pretrainedBase ? null : g.spec().init().canonical());
      m.put("rank", g.spec().adapter().rank());
      m.put("alpha", g.spec().adapter().alpha());
      m.put("variant", g.spec().adapter().variantName());
      m.put("dropout", g.spec().adapter().dropout());
      m.put("resumed_after_epoch", resumed ? resumedAfter : null);
      List<Object> ts = new ArrayList<>();
      for (AdaptedTarget t : g.spec().targets()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", t.variable());
        e.put("shape", List.of(t.graphShape()[0], t.graphShape()[1]));
        e.put("transposed", t.transposed());
        e.put("consumer", t.consumer());
        ts.add(e);
      }
      m.put("targets", ts);
      m.put("trained_in_full", g.spec().trained());
      m.put("dataset", data.dataset);
      m.put("example_shape", java.util.Arrays.stream(shape).boxed().toList());
      m.put("classes", classes);
      m.put("epochs", epochs);
      m.put("test_accuracy", testAcc);
      m.put("val_accuracy", valAcc);
      m.put("trainable_params", pc.trained());
      m.put("model_params", pc.trained() + pc.frozen());
      m.put("trainable_fraction", pc.fraction());
      m.put("artifact", out.toString());
      m.put("artifact_bytes", artifactBytes);
      m.put("model_file_bytes", src.bytes());
      m.put("reloaded_identical_predictions", check.same());
      m.put("reloaded_max_abs_diff", check.maxAbsDiff());
      m.put("train_seconds", fitSeconds);
      m.put("wall_seconds", wall);
      m.put("threads", nThreads);
      o.println(Json.write(m));
    } else {
      o.println("targets");
      for (AdaptedTarget t : g.spec().targets()) {
        o.printf(Locale.ROOT, "  %-28s [%d, %d]%s%n", t.variable(), t.graphShape()[0], t.graphShape()[1],
            t.transposed() ? "  transposed (stored [d_in, d_out])" : "");
      }
      if (!g.spec().trained().isEmpty()) {
        o.printf(Locale.ROOT, "trained in full    %s%n", String.join(", ", g.spec().trained()));
      }
      o.printf(Locale.ROOT, "test accuracy     %.4f  (val %.4f)%n", testAcc, valAcc);
      o.printf(Locale.ROOT, "trainable params  %,d of %,d (%.2f%%)%n", pc.trained(), pc.trained() + pc.frozen(),
          100 * pc.fraction());
      double ratio = src.bytes() / (double) artifactBytes;
      o.printf(Locale.ROOT, "artifact          %s  %s  (model file %s: %.1fx %s)%n", out, Human.bytes(artifactBytes),
          Human.bytes(src.bytes()), ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "smaller" : "larger");
      o.printf(Locale.ROOT, "reloaded          predictions identical on %d/%d test samples (max output "
          + "difference %.3g)%n", check.identical(), check.total(), check.maxAbsDiff());
      o.printf(Locale.ROOT, "wall time         %.1f s  (training %.1f s, %d thread%s)%n", wall, fitSeconds,
          nThreads, nThreads == 1 ? "" : "s");
    }
    o.flush();
    if (!check.same()) {
      throw new LottaException("the reloaded artifact predicts differently on " + (check.total()
          - check.identical()) + " test samples: this is a bug, please report it");
    }
    return 0;
  }

  private static String baseText(AdaptedGraph g) {
    return g.spec().base() == GraphAdapter.Base.PRETRAINED ? "pretrained (the graph's own weights)"
        : "seed " + g.spec().seed() + " (" + g.spec().init().canonical() + ")";
  }

  /**
   * The checkpoint under --out, which must adapt this same MODEL (by SHA-256) and have been trained on the same
   * dataset; its own targets, adapter and base win over the options.
   */
  private AdaptedGraph checkpoint(SourceGraph src) {
    AdaptedGraph g = GraphArtifacts.load(out, TrustPolicy.fromEnvironment(), src.graph());
    if (!java.util.Arrays.equals(g.spec().sourceSha256(), src.sha256())) {
      throw new LottaException("--resume: " + out + " adapts " + g.spec().source() + ", not this " + model
          + " (another SHA-256): pass the model it was trained on, or a new --out");
    }
    AdaptedGraph.DataRecord r = g.dataRecord();
    if (r != null && !r.dataset().equals(data.dataset)) {
      throw new LottaException("--resume: " + out + " was trained on " + r.dataset() + ", not " + data.dataset
          + "; give --dataset " + r.dataset() + " or a new --out");
    }
    resumedAfter = g.epochsTrained();
    return g;
  }

  private int list(SourceGraph src, PrintWriter o) {
    List<SourceGraph.Candidate> cs = src.candidates();
    if (json) {
      List<Object> l = new ArrayList<>();
      for (SourceGraph.Candidate c : cs) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", c.name());
        e.put("shape", java.util.Arrays.stream(c.shape()).boxed().toList());
        e.put("feeds_matmul", c.feedsMatmul());
        l.add(e);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model.toString());
      m.put("source", src.source());
      m.put("candidates", l);
      o.println(Json.write(m));
    } else {
      o.printf(Locale.ROOT, "%s (%s): %d two-dimensional weight%s%n", model, src.source(), cs.size(),
          cs.size() == 1 ? "" : "s");
      for (SourceGraph.Candidate c : cs) {
        o.printf(Locale.ROOT, "  %-28s %-14s %s%n", c.name(), java.util.Arrays.toString(c.shape()).replace(" ", ""),
            c.feedsMatmul() ? "feeds a matmul" : "-");
      }
      o.println("(--targets matmul picks those that feed a matmul)");
    }
    o.flush();
    return 0;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new LottaException("cannot stat " + p + ": " + e.getMessage());
    }
  }
}
