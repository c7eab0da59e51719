package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import org.lottalora.models.transformer.ByteCorpus;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.LmPreset;
import org.lottalora.models.transformer.LmTrainer;
import org.lottalora.models.transformer.Targets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora lm train}: trains a byte-level LM on a UTF-8 text and writes the artifact. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a byte-level LM on a UTF-8 text file (the last --val-fraction held out). Reports held-out "
        + "loss (nats/byte), perplexity and bits per byte before and after, the trainable fraction, beta per "
        + "matrix and bytes/s; the artifact is reloaded and checked.")
final class LmTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  EngineAdapterOptions model;

  @CommandLine.Mixin
  ThreadOptions threads;

  @CommandLine.Mixin
  SaveOptions save;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 text to train on.")
  Path data;

  @Option(names = "--preset", defaultValue = "small", description = "Model shape: tiny, small, 3m, 30m, 300m, 600m, "
      + "900m (`lottalora lm presets`; default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--width", description = "Override the preset's width.")
  Integer width;

  @Option(names = "--heads", description = "Override the preset's head count.")
  Integer heads;

  @Option(names = "--layers", description = "Override the preset's depth.")
  Integer layers;

  @Option(names = "--mlp-hidden", description = "Override the preset's SwiGLU width.")
  Integer mlpHidden;

  @Option(names = "--context", description = "Override the preset's context.")
  Integer context;

  @CommandLine.Mixin
  TargetsOptions targets;

  @Option(names = "--steps", defaultValue = "300", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", defaultValue = "16", description = "Windows per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seq-len", defaultValue = "128", description = "Bytes per window, at most the context "
      + "(default: ${DEFAULT-VALUE}).")
  int seqLen;

  @Option(names = "--lr", defaultValue = "3e-3", description = "Peak Adam rate, warm-up then cosine (default: "
      + "${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--val-fraction", defaultValue = "0.1", description = "Held-out tail of the text (default: "
      + "${DEFAULT-VALUE}).")
  double valFraction;

  @Option(names = "--eval-every", defaultValue = "0", description = "Steps between held-out evaluations (0: at the "
      + "end only; default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--eval-bytes", defaultValue = "65536", description = "Held-out bytes per evaluation (0: all; "
      + "default: ${DEFAULT-VALUE}).")
  long evalBytes;

  @Option(names = "--batch-seed", defaultValue = "0", description = "Seed of the window positions (default: "
      + "${DEFAULT-VALUE}).")
  long batchSeed;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Save the run's state here every "
      + "--checkpoint-every steps (atomically), to continue it with --resume after an interruption.")
  Path checkpoint;

  @Option(names = "--checkpoint-every", defaultValue = "100", description = "Steps between checkpoints (default: "
      + "${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue the run saved in --checkpoint (same options): it ends with the "
      + "same bits as a run never stopped.")
  boolean resume;

  @Option(names = "--stop-after", defaultValue = "0", description = "Stop after this many steps of this call, "
      + "checkpoint saved, no artifact (0: run to the end); for time-limited jobs.")
  int stopAfter;

  @Option(names = {"-o", "--out"}, defaultValue = "lm.lotta", description = "Artifact (default: ${DEFAULT-VALUE}).")
  Path out;


  @Override
  public Integer call() {
    return CtrlC.keepBest(this::train); // Ctrl-C keeps the best evaluation so far and saves it
  }

  private Integer train() {
    // --dora is built (and saved) like in every family; the Spec refuses --residual and --layer-norm in one line
    LmPreset p = LmPreset.of(preset);
    DType storage = save.storage();
    AdapterConfig ac = model.adapter();
    org.lottalora.models.EngineArtifacts.refuseBlockSwitches(ac, "byte LM"); // ByteLm.Spec does not check it
    ByteLm.Spec s = new ByteLm.Spec(or(width, p.width()), or(heads, p.heads()), or(layers, p.layers()),
        or(mlpHidden, p.hidden()), or(context, p.context()), model.seed, model.initSpec(), ac,
        targets.resolve(Targets.LM, model.full));
    if (seqLen > s.context()) {
      throw new IllegalArgumentException("--seq-len " + seqLen + " is longer than the model's context of "
          + s.context() + "; use --seq-len " + s.context() + " or less, or a larger --context");
    }
    LmTrainer.Config tc = new LmTrainer.Config(steps, batch, seqLen, lr, evalEvery, evalBytes, batchSeed);
    if (checkpoint == null && (resume || stopAfter > 0)) {
      throw new IllegalArgumentException((resume ? "--resume" : "--stop-after") + " needs --checkpoint FILE");
    }
    LmTrainer.Checkpointing ck = checkpoint == null ? null
        : new LmTrainer.Checkpointing(checkpoint, checkpointEvery, resume, stopAfter);
    java.security.PrivateKey key = save.key();
    ArtifactCodec.checkWritable(out);
    ByteCorpus corpus = ByteCorpus.read(data, valFraction);
    corpus.checkWindow(seqLen);
    int nThreads = threads.apply(2); // the LM trains fastest on 2 threads (RESULTS 17.1)
    PrintWriter o = spec.commandLine().getOut();
    if (!save.json) {
      o.printf(Locale.ROOT, "lottalora lm train  %s: %d layers, width %d, %d heads, SwiGLU %d; %s; %s, seed %d%n",
          p.name(), s.layers(), s.d(), s.heads(), s.hidden(), s.targets().describe(), model.mode(), model.seed);
      o.printf(Locale.ROOT, "data %s: %,d training bytes, %,d held out; %,d steps x %d windows x %d bytes = %,d "
          + "bytes; %d thread(s)%n", data, corpus.train().length, corpus.validation().length, steps, batch, seqLen,
          tc.tokens(), nThreads);
      o.flush();
    }
    long t0 = System.nanoTime();
    ByteLm lm = new ByteLm(s);
    double buildSeconds = (System.nanoTime() - t0) / 1e9;
    LmTrainer.Report r;
    try {
      r = LmTrainer.train(lm, corpus, tc, save.progress(), ck);
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> new LmModel(lm, width == null && heads == null && layers == null
          && mlpHidden == null && context == null ? p.name() : "", data.toString(), valFraction, seqLen, Double.NaN)
          .save(out, LmTrainer.record(data.toString(), corpus.train().length, tc, null), storage, key));
    }
    if (r == null) {
      o.println("stopped after --stop-after " + stopAfter + " steps; state saved in " + checkpoint
          + "; continue with the same options and --resume");
      o.flush();
      return 0;
    }
    LmModel m = new LmModel(lm, width == null && heads == null && layers == null && mlpHidden == null
        && context == null ? p.name() : "", data.toString(), valFraction, seqLen, r.validationLoss());
    m.save(out, LmTrainer.record(data.toString(), corpus.train().length, tc, r), storage, key);
    boolean identical = LmModel.checkReload(lm, out, corpus.validation(), seqLen, storage == DType.FLOAT32);
    if (save.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("preset", p.name());
      j.put("layers", s.layers());
      j.put("width", s.d());
      j.put("heads", s.heads());
      j.put("mlp_hidden", s.hidden());
      j.put("attention", s.targets().attention().id());
      j.put("mlp", s.targets().mlp().id());
      j.put("full", model.full);
      j.put("rank", model.full ? null : model.rank);
      j.put("seed", model.seed);
      j.put("data", data.toString());
      j.put("train_bytes", corpus.train().length);
      j.put("validation_bytes", corpus.validation().length);
      j.put("steps", steps);
      j.put("batch", batch);
      j.put("seq_len", seqLen);
      j.put("lr", lr);
      j.put("tokens", r.tokens());
      j.put("initial_loss", r.initialLoss());
      j.put("validation_loss", r.validationLoss());
      j.put("perplexity", r.perplexity());
      j.put("bits_per_byte", r.bitsPerByte());
      j.put("train_loss", r.trainLoss());
      j.put("best_step", r.bestStep());
      j.put("interrupted", r.interrupted());
      List<Object> curve = new ArrayList<>();
      for (double[] c : r.curve()) {
        curve.add(List.of(c[0], c[1], c[2]));
      }
      j.put("curve", curve);
      j.put("trainable_values", LmTrainer.trainableValues(lm));
      j.put("model_values", s.modelValues());
      j.put("trainable_fraction", r.trainableFraction());
      j.put("betas", r.betas());
      j.put("median_beta", r.medianBeta());
      j.put("threads", nThreads);
      j.put("build_seconds", buildSeconds);
      j.put("train_seconds", r.seconds());
      j.put("tokens_per_second", r.tokensPerSecond());
      j.put("late_tokens_per_second", r.lateTokensPerSecond());
      j.put("artifact", out.toString());
      j.put("artifact_bytes", out.toFile().length());
      j.put("dtype", TensorCodec.shortName(storage));
      j.put("reloaded_identical", identical);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "held-out loss     %.4f nats/byte (from %.4f)  perplexity %.3f  %.4f bits/byte%n",
          r.validationLoss(), r.initialLoss(), r.perplexity(), r.bitsPerByte());
      o.printf(Locale.ROOT, "training loss     %.4f (%s)%n", r.trainLoss(), r.interrupted() ? "since the last "
          + "evaluation before the interruption" : "last 10% of steps");
      if (r.interrupted() || r.curve().size() > 1) {
        o.printf(Locale.ROOT, "kept              the evaluation at step %d%s%n", r.bestStep(),
            r.interrupted() ? " (interrupted: the best evaluation so far)" : ", the best held-out loss");
      }
      o.printf(Locale.ROOT, "trainable         %,d of %,d values (%.3f%%)%n", LmTrainer.trainableValues(lm),
          s.modelValues(), 100 * r.trainableFraction());
      if (!r.betas().isEmpty()) {
        o.printf(Locale.ROOT, "beta              median %.4f over %d matrices%n", r.medianBeta(),
            r.betas().size());
      }
      o.printf(Locale.ROOT, "wall time         %.1f s training (%.0f bytes/s), %.1f s building the scaffold%n",
          r.seconds(), r.tokensPerSecond(), buildSeconds);
      o.printf(Locale.ROOT, "artifact          %s  %s (%s)%n", out, Human.bytes(out.toFile().length()),
          TensorCodec.shortName(storage));
      o.println("reloaded          " + (identical ? "identical next-byte distribution"
          : "next-byte distribution within " + TensorCodec.shortName(storage) + " rounding"));
    }
    o.flush();
    return 0;
  }

  private static int or(Integer v, int d) {
    return v == null ? d : v;
  }
}
