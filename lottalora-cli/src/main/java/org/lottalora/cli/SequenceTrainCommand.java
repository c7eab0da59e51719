package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.Signing;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.recurrent.RecurrentTrainer;
import org.lottalora.models.recurrent.SequenceData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora sequence train}: trains a CfC or LSTM classifier and writes the artifact. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a recurrent classifier. Reports test accuracy (and AUROC for two classes) at the best "
        + "validation epoch, the trainable fraction and beta per matrix; the artifact is reloaded and checked.")
final class SequenceTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  EngineAdapterOptions model;

  @Option(names = "--cell", defaultValue = "cfc", description = "cfc or lstm (default: ${DEFAULT-VALUE}).")
  String cell;

  @Option(names = "--data", defaultValue = "digits", description = "An image dataset read row by row (digits, "
      + "fashion-mnist), csv:FILE (id,time,f1,...,label per line) or irregular[:count=2000,positive=0.2,seed=3] "
      + "(default: ${DEFAULT-VALUE}).")
  String data;

  @Option(names = "--pad", description = "Allow CSV series of different lengths (shorter ones padded, masked).")
  boolean pad;

  @Option(names = "--hidden", defaultValue = "32", description = "State size (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--units", defaultValue = "32", description = "CfC backbone width (default: ${DEFAULT-VALUE}).")
  int units;








  @Option(names = "--class-weights", defaultValue = "none", description = "none or balanced (n / (classes n_c)) "
      + "(default: ${DEFAULT-VALUE}).")
  String classWeights;




  @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "64", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-4", description = "Decoupled weight decay of weight matrices and "
      + "adapter factors, never betas, biases, norms or embeddings (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--split-seed", defaultValue = "0", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--max-train", defaultValue = "0", description = "At most this many training sequences (0: all).")
  int maxTrain;

  @Option(names = "--data-dir", description = "Folder to look for image dataset files in first.")
  Path dataDir;

  @Option(names = "--no-download", description = "Never download a missing dataset.")
  boolean noDownload;

  @Option(names = {"-o", "--out"}, defaultValue = "sequence.lotta", description = "Artifact (default: "
      + "${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign with this Ed25519 private key.")
  Path signKey;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

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
    if (!classWeights.equals("none") && !classWeights.equals("balanced")) {
      throw new IllegalArgumentException("--class-weights must be none or balanced, got '" + classWeights + "'");
    }
    if (maxTrain < 0) {
      throw new IllegalArgumentException("--max-train must be >= 0, got " + maxTrain);
    }
    AdapterConfig ac = model.adapter();
    RecurrentTrainer.Config tc = new RecurrentTrainer.Config(epochs, batch, lr, wd, classWeights.equals("balanced"),
        splitSeed);
    InitSpec initSpec = model.initSpec();
    java.security.PrivateKey key = signKey == null ? null : Signing.readPrivate(signKey);
    ArtifactCodec.checkWritable(out);
    SequenceData d = SequenceData.load(data, splitSeed, maxTrain, pad, !noDownload, dataDir);
    RecurrentNetwork.Spec s = new RecurrentNetwork.Spec(cell, d.train().features(), hidden, units,
        Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes())), model.seed, initSpec, ac,
        model.full);
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora sequence train  %s hidden %d%s, %s, seed %d%n", cell, hidden,
          cell.equals("cfc") ? " units " + units : "", model.mode(), model.seed);
      o.printf(Locale.ROOT, "data %s: %,d / %,d / %,d sequences, up to %d steps of %d features, %d classes%n",
          d.text(), d.train().size(), d.validation().size(), d.test().size(), d.train().steps(),
          d.train().features(), s.classes());
      o.flush();
    }
    RecurrentNetwork net = new RecurrentNetwork(s, Map.of());
    RecurrentTrainer.Report r;
    try {
      r = RecurrentTrainer.train(net, d.train(), d.validation(), d.test(), tc,
          quiet || json ? Progress.silent() : Progress.stderr());
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> new RecurrentModel(net, d.text(), splitSeed, maxTrain, pad,
          d.train().steps(), d.mean(), d.std()).save(out, RecurrentTrainer.record(d.text(), d.train().size(),
              splitSeed, tc, null), key));
    }
    RecurrentModel m = new RecurrentModel(net, d.text(), splitSeed, maxTrain, pad, d.train().steps(), d.mean(),
        d.std());
    m.save(out, RecurrentTrainer.record(d.text(), d.train().size(), splitSeed, tc, r), key);
    RecurrentModel.checkReload(out, r.test(), d.test());
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("cell", cell);
      j.put("data", d.text());
      j.put("hidden", hidden);
      j.put("units", cell.equals("cfc") ? units : null);
      j.put("full", model.full);
      j.put("rank", model.full ? null : model.rank);
      j.put("variant", ac.variantName());
      j.put("class_weights", classWeights);
      j.put("seed", model.seed);
      j.put("test_accuracy", r.test().accuracy());
      j.put("test_auroc", Double.isNaN(r.test().auroc()) ? null : r.test().auroc());
      j.put("best_val_score", r.validation().selection());
      j.put("best_epoch", r.bestEpoch());
      j.put("trainable_fraction", r.trainableFraction());
      j.put("betas", r.betas());
      j.put("wall_seconds", r.seconds());
      j.put("samples_per_second", r.samplesPerSecond());
      j.put("artifact", out.toString());
      j.put("artifact_bytes", out.toFile().length());
      j.put("reloaded_identical", true);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "test accuracy     %.4f%s  (best validation %s %.4f at epoch %d)%n",
          r.test().accuracy(), Double.isNaN(r.test().auroc()) ? "" : String.format(Locale.ROOT, "  AUROC %.4f",
              r.test().auroc()), Double.isNaN(r.validation().auroc()) ? "accuracy" : "AUROC",
          r.validation().selection(), r.bestEpoch());
      o.printf(Locale.ROOT, "trainable         %.2f%% of the model's values%n", 100 * r.trainableFraction());
      StringBuilder b = new StringBuilder();
      r.betas().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
      o.println("beta per matrix  " + b);
      o.printf(Locale.ROOT, "wall time         %.1f s  (%.0f sequences/s)%n", r.seconds(), r.samplesPerSecond());
      o.printf(Locale.ROOT, "artifact          %s  %.1f KiB%n", out, out.toFile().length() / 1024.0);
      o.println("reloaded          identical test scores");
    }
    o.flush();
    return 0;
  }
}
