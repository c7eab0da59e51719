package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.TextClassifier;
import org.lottalora.models.transformer.TextCsv;
import org.lottalora.models.transformer.TextModel;
import org.lottalora.models.transformer.TextTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora text train}: trains a text classifier on a CSV of text,label rows. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a Transformer text classifier on text,label CSV rows (70 / 15 / 15 split). Reports test "
        + "accuracy at the best validation epoch, the trainable fraction and the median beta; reloaded and checked.")
final class TextTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  EngineAdapterOptions model;

  @CommandLine.Mixin
  ThreadOptions threads;

  @CommandLine.Mixin
  SaveOptions save;

  @Option(names = "--data", required = true, paramLabel = "CSV", description = "text,label rows (UTF-8).")
  Path data;

  @Option(names = "--max-len", defaultValue = "128", description = "Context in bytes (default: ${DEFAULT-VALUE}).")
  int maxLen;

  @Option(names = "--truncate", description = "Cut longer texts to --max-len bytes instead of refusing them.")
  boolean truncate;

  @Option(names = "--width", defaultValue = "64", description = "Width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--layers", defaultValue = "2", description = "Blocks (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--mlp-hidden", defaultValue = "128", description = "MLP width (default: ${DEFAULT-VALUE}).")
  int mlpHidden;

  @CommandLine.Mixin
  TargetsOptions targets;

  @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "32", description = "Texts per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "3e-3", description = "Peak Adam rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-4", description = "Decoupled weight decay of weight matrices and "
      + "adapter factors, never betas, biases, norms or embeddings (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--split-seed", defaultValue = "0", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = {"-o", "--out"}, defaultValue = "text.lotta", description = "Artifact (default: ${DEFAULT-VALUE}).")
  Path out;


  @picocli.CommandLine.Mixin
  CheckpointOptions checkpointing;

  @Override
  public Integer call() {
    // Ctrl-C saves the best epoch so far; --checkpoint saves the state after every epoch, --resume goes on from it
    return CtrlC.keepBest(() -> {
      try (org.lottalora.core.train.Checkpointing c = checkpointing.open(spec.commandLine().getParseResult())) {
        return train();
      }
    });
  }

  private Integer train() {
    // --dora is built (and saved) like in every family; the Spec refuses --residual and --layer-norm in one line
    DType storage = save.storage();
    TextTrainer.Config tc = new TextTrainer.Config(epochs, batch, lr, wd, splitSeed);
    java.security.PrivateKey key = save.key();
    ArtifactCodec.checkWritable(out);
    TextCsv d = TextCsv.read(data, maxLen, truncate, null);
    TextClassifier.Spec s = new TextClassifier.Spec(maxLen, width, heads, layers, mlpHidden, d.classes().size(),
        model.seed, model.initSpec(), model.adapter(), targets.resolve(Targets.TEXT, model.full));
    TextTrainer.split(d.size(), splitSeed);
    int nThreads = threads.apply();
    PrintWriter o = spec.commandLine().getOut();
    if (!save.json) {
      o.printf(Locale.ROOT, "lottalora text train  %d blocks, width %d, %d heads, MLP %d, context %d; %s; %s, "
          + "seed %d%n", layers, width, heads, mlpHidden, maxLen, s.targets().describe(), model.mode(), model.seed);
      o.printf(Locale.ROOT, "data %s: %,d texts, classes %s; %d thread(s)%n", data, d.size(), d.classes(), nThreads);
      o.flush();
    }
    TextClassifier m = new TextClassifier(s);
    TextTrainer.Report r;
    try {
      r = TextTrainer.train(m, d, tc, save.progress());
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> new TextModel(m, d.classes(), data.toString(), splitSeed, truncate)
          .save(out, TextTrainer.record(data.toString(), TextTrainer.split(d.size(), splitSeed)[0].length, tc, null),
              storage, key));
    }
    new TextModel(m, d.classes(), data.toString(), splitSeed, truncate).save(out,
        TextTrainer.record(data.toString(), TextTrainer.split(d.size(), splitSeed)[0].length, tc, r), storage, key);
    double again = TextTrainer.accuracy(TextModel.load(out).model(), d, TextTrainer.split(d.size(), splitSeed)[2]);
    if (storage == DType.FLOAT32) { // a reduced dtype may move a prediction; fp32 must not
      org.lottalora.models.FamilyRuns.checkReload(r.testAccuracy(), again, out);
    }
    double medianBeta = r.medianBeta();
    if (save.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("family", TextModel.FAMILY);
      j.put("data", data.toString());
      j.put("texts", d.size());
      j.put("classes", d.classes());
      j.put("max_len", maxLen);
      j.put("layers", layers);
      j.put("width", width);
      j.put("attention", s.targets().attention().id());
      j.put("mlp", s.targets().mlp().id());
      j.put("full", model.full);
      j.put("rank", model.full ? null : model.rank);
      j.put("seed", model.seed);
      j.put("lr", lr);
      j.put("test_accuracy", r.testAccuracy());
      j.put("best_val_accuracy", r.validationAccuracy());
      j.put("best_epoch", r.bestEpoch());
      j.put("trainable_fraction", r.trainableFraction());
      j.put("median_beta", Double.isNaN(medianBeta) ? null : medianBeta);
      j.put("wall_seconds", r.seconds());
      j.put("artifact_bytes", out.toFile().length());
      j.put("reloaded_test_accuracy", again);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "test accuracy     %.4f  (best validation %.4f at epoch %d)%n", r.testAccuracy(),
          r.validationAccuracy(), r.bestEpoch());
      o.printf(Locale.ROOT, "trainable         %.2f%% of the model's values%n", 100 * r.trainableFraction());
      if (!r.betas().isEmpty()) {
        o.printf(Locale.ROOT, "beta              median %.4f over %d matrices%n", medianBeta, r.betas().size());
      }
      o.printf(Locale.ROOT, "wall time         %.1f s%n", r.seconds());
      o.printf(Locale.ROOT, "artifact          %s  %s (%s)%n", out, Human.bytes(out.toFile().length()),
          TensorCodec.shortName(storage));
      o.printf(Locale.ROOT, "reloaded          test accuracy %.4f%n", again);
    }
    o.flush();
    return 0;
  }
}
