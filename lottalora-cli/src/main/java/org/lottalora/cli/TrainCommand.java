package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.EpochStats;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;
import org.lottalora.core.util.Threads;
import java.security.PrivateKey;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.Signing;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.models.Families;
import org.lottalora.models.ModelFamily;
import org.lottalora.models.LottaModel;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.recurrent.RecurrentTrainer;
import org.lottalora.models.recurrent.SequenceData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lottalora train}: train adapters (or the full baseline), save the artifact, reload it and check it. The
 * SameDiff families ({@link Families}) train through {@link Trainer}; {@code --family cfc} trains the recurrent
 * engine ({@link RecurrentNetwork} under {@link RecurrentTrainer}) on the images read row by row and writes a
 * {@link RecurrentModel}, which {@code eval}, {@code predict} and {@code inspect} read as well.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train LoRA adapters and per-layer beta over a frozen random backbone (or, with --full, every "
        + "weight from the same init), save a .lotta artifact, reload it from the file and check that it "
        + "predicts exactly as the in-memory model did.")
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOptions data;

  @Mixin
  FamilySettings familySettings;

  @Option(names = "--family", defaultValue = "mlp", description = "Model family: linear, mlp, cfc (a CfC RNN "
      + "reading image rows, on the recurrent engine: --widths hidden,units; no --dropout, --adapter-dropout, "
      + "--train-bias or --dtype) or cnn (Plain-N; --widths plain-20 or channels per conv as "
      + "16x3,32x2,64x2); vit, text, lm, gcn, gin, lstm run their own train command with these options "
      + "(`lottalora vit train --help`, ...); any other registered family trains through its contract with its "
      + "own settings (default: ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--widths", description = "Hidden widths (512,256,128,64) or the full layout "
      + "(784-512-256-128-64-10). Default: 512,256,128,64 for mlp (the paper's medium), 256 for linear, 32,32 "
      + "for cfc, 16x3,32x2,64x2 (Plain-8) for cnn.")
  String widths;

  @Option(names = "--dora", description = "DoRA: a trained magnitude per output row over the normalised adapted "
      + "weight (not with --full).")
  boolean dora;

  @Option(names = "--residual", description = "Add each block's input to its output where the shapes agree.")
  boolean residual;

  @Option(names = "--layer-norm", description = "A trained LayerNorm on each block's output (after --residual).")
  boolean layerNorm;

  @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r, capped per layer at min(d_in, d_out); scaling stays alpha / r "
      + "(default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(names = "--alpha", defaultValue = "1", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--rslora", description = "Scale by alpha/sqrt(r) instead of alpha/r.")
  boolean rsLora;

  @Option(names = "--fixed-beta", description = "Keep beta at 1 instead of learning it.")
  boolean fixedBeta;

  @Option(names = "--adapter-dropout", defaultValue = "0", description = "Dropout on the adapter input (default: ${DEFAULT-VALUE}).")
  double adapterDropout;

  @Option(names = "--train-bias", description = "Train the adapted layers' biases (the paper freezes them).")
  boolean trainBias;

  @Option(names = "--dropout", defaultValue = "0", description = "Dropout after each hidden layer (default: ${DEFAULT-VALUE}).")
  double dropout;

  @Option(names = "--full", description = "Train every weight from the same init: the baseline recovery is measured against.")
  boolean full;

  @Option(names = "--seed", defaultValue = "0", description = "Backbone seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--adapter-seed", defaultValue = "1", description = "Seed of the adapter A init (default: ${DEFAULT-VALUE}).")
  long adapterSeed;

  @Option(names = "--init", defaultValue = "normal", description = "Scaffold init family[:k=v,...], e.g. "
      + "normal, orthogonal, cauchy:s=0.2 (default: ${DEFAULT-VALUE}, i.e. N(0, 1/fan_in)).")
  String init;

  @Option(names = "--epochs", defaultValue = "20", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-2", description = "AdamW decoupled weight decay of weight matrices "
      + "and adapter factors, never betas, biases, norms or DoRA magnitudes (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--warmup", defaultValue = "0", description = "Warmup epochs (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--no-cosine", description = "Constant learning rate instead of the cosine decay.")
  boolean noCosine;

  @Option(names = "--patience", defaultValue = "0", description = "Early stop after this many epochs without a "
      + "better validation accuracy; 0 = off (default: ${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--shuffle-seed", defaultValue = "0", description = "Seed of batch order and dropout (default: ${DEFAULT-VALUE}).")
  long shuffleSeed;

  @Option(names = "--out", defaultValue = "model.lotta", description = "Artifact to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--dtype", defaultValue = "fp32", description = "Storage dtype of the trained matrices in the "
      + "artifact: fp32, fp16, bf16 or int8 (default: ${DEFAULT-VALUE}); vectors and betas stay fp32.")
  String dtype;

  @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign the artifact with this Ed25519 private key.")
  Path signKey;

  @Option(names = "--threads", description = "Engine and BLAS threads (default: $LOTTALORA_THREADS, else the setting "
      + "measured fastest for the family on 2 cores: 2 for the CNN, 1 for the MLP, linear and CfC). Results do not "
      + "depend on it.")
  Integer threads;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Print the final report as JSON on stdout.")
  boolean json;

  private DType storage;
  private PrivateKey key;

  @picocli.CommandLine.Mixin
  CheckpointOptions checkpointing;

  @Override
  public Integer call() {
    int nThreads = threads != null ? threads : Threads.defaultCount(family.equalsIgnoreCase("cnn") ? 2 : 1);
    boolean onEngine = Families.ON_ENGINE.contains(family.toLowerCase(Locale.ROOT));
    Family any = FamilyRegistry.get(family); // unknown family: usage error listing the valid ids, before any work
    CommandLine.ParseResult pr = spec.commandLine().getParseResult();
    if (!onEngine && !(any instanceof ModelFamily)) {
      // Ctrl-C: a family on the shared epoch loop stops after the current step, saves its best epoch so far and
      // reports it before the JVM exits
      return CtrlC.keepBest(() -> {
        try (org.lottalora.core.train.Checkpointing c = checkpointing.open(pr)) {
          return trainByContract(any, pr, nThreads);
        }
      });
    }
    // the dense families and cfc here take the dense options; a family setting of another family is refused
    java.util.Map<String, String> others = FamilySettings.given(pr, FamilySettings.own(spec));
    if (!others.isEmpty()) {
      throw new IllegalArgumentException("family " + any.id() + " does not take --" + others.keySet().iterator().next()
          + (onEngine ? " in `lottalora train` (its shape is --widths hidden,units)" : "; its shape is --widths"));
    }
    ModelFamily fam = onEngine ? null : (ModelFamily) any;
    InitSpec initSpec = InitSpec.parse(init);
    AdapterConfig adapter = new AdapterConfig(rank, alpha, rsLora, !fixedBeta, adapterDropout, trainBias, adapterSeed)
        .withVariants(dora, residual, layerNorm);
    TrainConfig tc = new TrainConfig(epochs, batch, lr, wd, warmup, !noCosine, patience, shuffleSeed);
    storage = TensorCodec.parse(dtype);
    if (onEngine) {
      refuseEngineOptions();
    }
    key = signKey == null ? null : Signing.readPrivate(signKey);
    ArtifactCodec.checkWritable(out);
    Threads.apply(nThreads);
    if (onEngine) {
      try (org.lottalora.core.train.Checkpointing c = checkpointing.open(pr)) {
        return trainRecurrent(adapter, initSpec, nThreads);
      }
    }
    long splitSeed = data.splitSeedOr(0L);
    DataSplits d = data.load(splitSeed);
    int in = d.train().cols();
    int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
    int[] hidden = widths != null ? fam.widthsFrom(widths, in, classes) : fam.defaultWidths();
    ModelSpec ms = new ModelSpec(family, in, classes, hidden, dropout, seed, initSpec, adapter, full);
    fam.validate(ms); // a spec the family cannot build fails before any output
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora train  %s%n", ms);
      o.printf(Locale.ROOT, "dataset %s: %,d train / %,d val / %,d test, %d features, %d classes%n", data.dataset,
          d.train().rows(), d.validation().rows(), d.test().rows(), in, classes);
      o.flush();
    }
    LottaModel model = LottaModel.create(ms);
    Trainer trainer = new Trainer(tc, quiet ? Progress.silent() : Progress.stderr());
    // Ctrl-C: stop after the current step, save the best epoch so far, then let the JVM exit
    java.util.concurrent.CountDownLatch saved = new java.util.concurrent.CountDownLatch(1);
    Thread hook = new Thread(() -> {
      trainer.requestStop();
      try {
        saved.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "lottalora-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    // --checkpoint saves the state after every epoch (the one loop's checkpoint), --resume goes on from it
    try (org.lottalora.core.train.Checkpointing c = checkpointing.open(pr)) {
      return finish(model, trainer, d, tc, splitSeed, nThreads, ms, initSpec, in, classes);
    } finally {
      saved.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of the interrupt: the hook is running and now returns
      }
    }
  }

  private int finish(LottaModel model, Trainer trainer, DataSplits d, TrainConfig tc, long splitSeed,
      int nThreads, ModelSpec ms, InitSpec initSpec, int in, int classes) {
    PrintWriter o = spec.commandLine().getOut();
    TrainReport r = model.train(d, trainer);
    if (r.failure() != null && r.failure().startsWith("interrupted")) {
      spec.commandLine().getErr().println("lottalora train: " + r.failure() + (r.bestEpoch() > 0
          ? "; saving the best epoch so far (" + r.bestEpoch() + ") to " + out : "; nothing to save"));
      spec.commandLine().getErr().flush();
    }
    if (r.bestEpoch() == 0) {
      throw new LottaException(r.failure() + " (it failed before a first good epoch: nothing was written)");
    }
    LottaModel.ReloadCheck check = model.saveAndCheck(out, model.provenance(data.dataset, tc, splitSeed, r,
        nThreads), new LottaModel.SaveOptions(storage, key, true), d.test());
    int same = check.identical();
    double reloadedAcc = check.reloadedAccuracy();
    long artifactBytes = size(out);
    long fullBytes = r.modelParams() * 4L;
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", ms.toString());
      m.put("family", family);
      m.put("layout", ms.layout());
      m.put("full", full);
      m.put("rank", full ? null : rank);
      m.put("variant", ms.adapter().variantName());
      m.put("seed", seed);
      m.put("init", initSpec.canonical());
      m.put("dataset", data.dataset);
      m.put("test_accuracy", r.testAccuracy());
      m.put("best_val_accuracy", r.bestValAccuracy());
      m.put("best_epoch", r.bestEpoch());
      m.put("trainable_params", r.trainableParams());
      m.put("model_params", r.modelParams());
      m.put("trainable_fraction", r.trainableFraction());
      m.put("betas", r.betas());
      m.put("wall_seconds", r.wallSeconds());
      m.put("samples_per_second", r.samplesPerSecond());
      m.put("threads", nThreads);
      m.put("artifact", out.toString());
      m.put("artifact_bytes", artifactBytes);
      m.put("full_model_fp32_bytes", fullBytes);
      m.put("reloaded_test_accuracy", reloadedAcc);
      m.put("reloaded_identical_predictions", check.allIdentical());
      m.put("storage_dtype", TensorCodec.shortName(storage));
      m.put("signed", key != null);
      m.put("failure", r.failure());
      java.util.List<Object> ep = new java.util.ArrayList<>();
      for (EpochStats s : r.epochs()) {
        ep.add(Map.of("epoch", s.epoch(), "loss", s.loss(), "train_accuracy", s.trainAccuracy(),
            "val_accuracy", s.valAccuracy(), "seconds", s.seconds(), "samples_per_second", s.samplesPerSecond()));
      }
      m.put("epochs", ep);
      o.println(Json.write(m));
    } else {
      o.printf(Locale.ROOT, "test accuracy     %.4f  (best val %.4f at epoch %d%s)%n", r.testAccuracy(),
          r.bestValAccuracy(), r.bestEpoch(), r.stoppedEarly() ? ", stopped early" : "");
      o.printf(Locale.ROOT, "trainable params  %,d of %,d (%.2f%%)%n", r.trainableParams(), r.modelParams(),
          100 * r.trainableFraction());
      if (!r.betas().isEmpty()) {
        StringBuilder sb = new StringBuilder();
        r.betas().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        o.println("beta per layer    " + sb.toString().trim());
      }
      o.printf(Locale.ROOT, "wall time         %.1f s  (%,.0f samples/s, %d thread%s)%n", r.wallSeconds(),
          r.samplesPerSecond(), nThreads, nThreads == 1 ? "" : "s");
      o.printf(Locale.ROOT, "artifact          %s  %s  (full fp32 model %s: %.1fx smaller)%n", out,
          Human.bytes(artifactBytes), Human.bytes(fullBytes), fullBytes / (double) artifactBytes);
      o.printf(Locale.ROOT, "reloaded          test accuracy %.4f, predictions identical on %d/%d test samples%s%n",
          reloadedAcc, same, check.total(), storage == DType.FLOAT32 ? ""
              : " (matrices stored as " + TensorCodec.shortName(storage) + ")");
    }
    o.flush();
    if (r.failure() != null) {
      // the same line as every training command (LossGuard, Divergence), or the interruption
      throw new LottaException((r.failure().startsWith("loss became") ? r.failure() : "training stopped: "
          + r.failure()) + " (epoch " + r.bestEpoch() + " saved to " + out + ")");
    }
    return 0;
  }

  /** Options of the SameDiff path the recurrent engine does not implement: a usage error, not a silent no-op. */
  private void refuseEngineOptions() {
    String bad = adapterDropout != 0 ? "--adapter-dropout" : trainBias ? "--train-bias" : dropout != 0 ? "--dropout"
        : storage != DType.FLOAT32 ? "--dtype " + dtype : null;
    if (bad != null) {
      throw new IllegalArgumentException("family 'cfc' trains on the recurrent engine, which has no " + bad
          + "; drop the option");
    }
  }

  /**
   * {@code --family cfc}: the dataset's images read row by row ({@code side} steps of {@code side} pixels, gap 1,
   * the dataset's pixel normalization) train a {@link RecurrentNetwork} CfC under {@link RecurrentTrainer} with this
   * command's schedule (warmup, cosine, patience); the best validation epoch is saved as a {@link RecurrentModel},
   * reloaded from the file and checked to predict the test split identically.
   */
  private int trainRecurrent(AdapterConfig adapter, InitSpec initSpec, int nThreads) {
    long splitSeed = data.splitSeedOr(0L);
    DataSplits raw = data.load(splitSeed);
    int in = raw.train().cols();
    int classes = Math.max(raw.train().classes(), Math.max(raw.validation().classes(), raw.test().classes()));
    int[] hidden = widths != null ? org.lottalora.models.mlp.MlpFamily.parseWidths(widths, in, classes)
        : new int[] {32, 32};
    if (hidden.length != 2) {
      throw new IllegalArgumentException("family 'cfc' takes --widths hidden,units (two numbers), got "
          + hidden.length);
    }
    int side = (int) Math.round(Math.sqrt(in));
    if (side * side != in) {
      throw new IllegalArgumentException("family 'cfc' reads square images row by row; " + in
          + " features are not a square");
    }
    ModelSpec ms = new ModelSpec("cfc", in, classes, hidden, 0, seed, initSpec, adapter, full); // for the report
    RecurrentNetwork.Spec s = new RecurrentNetwork.Spec("cfc", side, hidden[0], hidden[1], classes, seed, initSpec,
        adapter, full);
    RecurrentTrainer.Config rc = new RecurrentTrainer.Config(epochs, batch, lr, wd, false, shuffleSeed, warmup,
        !noCosine, patience);
    SequenceData d = SequenceData.ofImages(data.dataset, raw);
    int maxTrain = data.maxTrain == null ? 0 : data.maxTrain;
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora train  %s (recurrent engine: %d steps of %d features)%n", ms, side, side);
      o.printf(Locale.ROOT, "dataset %s: %,d train / %,d val / %,d test, %d features, %d classes%n", data.dataset,
          raw.train().rows(), raw.validation().rows(), raw.test().rows(), in, classes);
      o.flush();
    }
    RecurrentNetwork net = new RecurrentNetwork(s, Map.of());
    RecurrentTrainer.Report r;
    try {
      r = RecurrentTrainer.train(net, d.train(), d.validation(), d.test(), rc,
          quiet ? Progress.silent() : Progress.stderr());
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> new RecurrentModel(net, data.dataset, splitSeed, maxTrain, false, side,
          d.mean(), d.std()).save(out, RecurrentTrainer.record(data.dataset, d.train().size(), splitSeed, rc, null),
          key));
    }
    new RecurrentModel(net, data.dataset, splitSeed, maxTrain, false, side, d.mean(), d.std()).save(out,
        RecurrentTrainer.record(data.dataset, d.train().size(), splitSeed, rc, r), key);
    int[] inMemory = argMax(RecurrentTrainer.probabilities(net, d.test()));
    RecurrentModel reloaded = RecurrentModel.load(out);
    int[] fromFile = argMax(RecurrentTrainer.probabilities(reloaded.network(), d.test()));
    int same = 0;
    for (int i = 0; i < inMemory.length; i++) {
      same += inMemory[i] == fromFile[i] ? 1 : 0;
    }
    double reloadedAcc = RecurrentTrainer.evaluate(reloaded.network(), d.test()).accuracy();
    long artifactBytes = size(out);
    long modelParams = net.modelValues();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", ms.toString());
      m.put("family", "cfc");
      m.put("engine", "recurrent");
      m.put("layout", ms.layout());
      m.put("full", full);
      m.put("rank", full ? null : rank);
      m.put("variant", adapter.variantName());
      m.put("seed", seed);
      m.put("init", initSpec.canonical());
      m.put("dataset", data.dataset);
      m.put("test_accuracy", r.test().accuracy());
      m.put("best_val_accuracy", r.validation().accuracy());
      m.put("best_epoch", r.bestEpoch());
      m.put("trainable_params", net.trainableValues());
      m.put("model_params", modelParams);
      m.put("trainable_fraction", r.trainableFraction());
      m.put("betas", r.betas());
      m.put("wall_seconds", r.seconds());
      m.put("samples_per_second", r.samplesPerSecond());
      m.put("threads", nThreads);
      m.put("artifact", out.toString());
      m.put("artifact_bytes", artifactBytes);
      m.put("full_model_fp32_bytes", modelParams * 4L);
      m.put("reloaded_test_accuracy", reloadedAcc);
      m.put("reloaded_identical_predictions", same == inMemory.length);
      m.put("storage_dtype", "fp32");
      m.put("signed", key != null);
      m.put("failure", null);
      java.util.List<Object> ep = new java.util.ArrayList<>();
      for (int e = 0; e < r.history().size(); e++) {
        ep.add(Map.of("epoch", e + 1, "val_accuracy", r.history().get(e)));
      }
      m.put("epochs", ep);
      o.println(Json.write(m));
    } else {
      o.printf(Locale.ROOT, "test accuracy     %.4f  (best val %.4f at epoch %d%s)%n", r.test().accuracy(),
          r.validation().accuracy(), r.bestEpoch(), r.history().size() < epochs ? ", stopped early" : "");
      o.printf(Locale.ROOT, "trainable params  %,d of %,d (%.2f%%)%n", net.trainableValues(), modelParams,
          100 * r.trainableFraction());
      StringBuilder sb = new StringBuilder();
      r.betas().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
      if (!full) {
        o.println("beta per matrix   " + sb.toString().trim());
      }
      o.printf(Locale.ROOT, "wall time         %.1f s  (%,.0f samples/s)%n", r.seconds(), r.samplesPerSecond());
      o.printf(Locale.ROOT, "artifact          %s  %s  (full fp32 model %s: %.1fx smaller)%n", out,
          Human.bytes(artifactBytes), Human.bytes(modelParams * 4L), modelParams * 4.0 / artifactBytes);
      o.printf(Locale.ROOT, "reloaded          test accuracy %.4f, predictions identical on %d/%d test samples%n",
          reloadedAcc, same, inMemory.length);
    }
    o.flush();
    if (same != inMemory.length) {
      throw new LottaException("the reloaded artifact predicts differently on " + (inMemory.length - same)
          + " test samples: this is a bug, please report it");
    }
    return 0;
  }

  private static int[] argMax(float[][] p) {
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      for (int k = 1; k < p[i].length; k++) {
        out[i] = p[i][k] > p[i][out[i]] ? k : out[i];
      }
    }
    return out;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new LottaException("cannot stat " + p + ": " + e.getMessage());
    }
  }

  // the TrainCommand options the family contract path takes besides the family's own settings
  private static final java.util.Set<String> CONTRACT_OPTIONS = java.util.Set.of("--family", "--rank", "--alpha",
      "--full", "--seed", "--init", "--out", "--quiet", "--json", "--threads", "--checkpoint", "--resume",
      "--rslora");

  /**
   * A registered family without a command of its own (one added outside this build): its settings resolved by the
   * family, one run through {@link Family#run} (train, save, reload and compare), its result reported.
   */
  private Integer trainByContract(Family fam, CommandLine.ParseResult pr, int nThreads) {
    java.util.List<String> settings = FamilySettings.names(spec);
    for (CommandLine.Model.OptionSpec o : spec.options()) {
      String name = o.longestName();
      if (pr.hasMatchedOption(name) && !CONTRACT_OPTIONS.contains(name) && !settings.contains(name.substring(2))) {
        throw new IllegalArgumentException("family " + fam.id() + " does not take " + name + "; it takes "
            + String.join(", ", CONTRACT_OPTIONS) + ", " + String.join(", ", fam.options().stream()
                .map(x -> "--" + x.name()).toList()));
      }
    }
    java.util.Map<String, String> all = fam.resolve(FamilySettings.given(pr, settings));
    RunSpec r = new RunSpec(all.getOrDefault("dataset", ""), SweepCommand.splitSeed(all),
        (int) SweepCommand.number(all, "max-train", "0"), fam.id(), new int[0], full, rank, alpha, rsLora, seed,
        InitSpec.parse(init).canonical(), (int) SweepCommand.number(all, "epochs", "1"),
        (int) SweepCommand.number(all, "batch", "1"), SweepCommand.number(all, "lr", "1e-3"),
        SweepCommand.number(all, "wd", "0"), "fixed", fam.own(all));
    if (r.epochs() < 1 || r.batch() < 1 || !(r.lr() > 0) || r.wd() < 0 || r.maxTrain() < 0) {
      throw new IllegalArgumentException("family " + fam.id() + " needs epochs >= 1, batch >= 1, lr > 0, wd >= 0 and "
          + "max-train >= 0; got " + r.epochs() + ", " + r.batch() + ", " + r.lr() + ", " + r.wd() + ", "
          + r.maxTrain());
    }
    fam.check(r);
    ArtifactCodec.checkWritable(out);
    Threads.apply(nThreads);
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora train  %s: %s; %s, seed %d; settings %s%n", fam.id(), fam.description(),
          full ? "full" : "rank " + rank, seed, all);
      o.flush();
    }
    RunResult res = fam.run(r, out, quiet || json ? Progress.silent() : Progress.stderr());
    double medianBeta = org.lottalora.core.engine.Params.medianBeta(new java.util.TreeMap<>(res.betas().entrySet()
        .stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (double) e.getValue()))));
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("family", fam.id());
      j.put("settings", all);
      j.put("full", full);
      j.put("rank", full ? null : rank);
      j.put("seed", seed);
      j.put("test_accuracy", res.testAccuracy());
      j.put("score_name", fam.scoreName());
      j.put("test_loss", res.testLoss());
      j.put("best_val_accuracy", res.bestValAccuracy());
      j.put("best_epoch", res.bestEpoch());
      j.put("trainable_params", res.trainableParams());
      j.put("model_params", res.modelParams());
      j.put("trainable_fraction", res.trainableFraction());
      j.put("median_beta", Double.isNaN(medianBeta) ? null : medianBeta);
      j.put("scaffold_removed_accuracy", res.scaffoldRemovedAccuracy());
      j.put("wall_seconds", res.wallSeconds());
      j.put("stopped", res.failure());
      j.put("artifact", out.toString());
      j.put("artifact_bytes", out.toFile().length());
      j.put("reloaded_identical", true);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%-17s %.4f  (best validation %.4f at epoch %d), test loss %.4f%n", fam.scoreName(),
          res.testAccuracy(), res.bestValAccuracy(), res.bestEpoch(), res.testLoss());
      o.printf(Locale.ROOT, "trainable         %.2f%% of the model's values%n", 100 * res.trainableFraction());
      if (!Double.isNaN(medianBeta)) {
        o.printf(Locale.ROOT, "beta              median %.4f over %d matrices%n", medianBeta, res.betas().size());
      }
      if (res.scaffoldRemovedAccuracy() != null) {
        o.printf(Locale.ROOT, "W_seed removed    %s %.4f%n", fam.scoreName(), res.scaffoldRemovedAccuracy());
      }
      o.printf(Locale.ROOT, "wall time         %.1f s%s%n", res.wallSeconds(), res.failure() == null ? ""
          : " (" + res.failure() + ")");
      o.printf(Locale.ROOT, "artifact          %s  %s%n", out, Human.bytes(out.toFile().length()));
      o.println("reloaded          identical test predictions");
    }
    o.flush();
    return 0;
  }
}
