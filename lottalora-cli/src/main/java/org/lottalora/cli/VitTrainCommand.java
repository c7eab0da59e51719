package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.Vit;
import org.lottalora.models.transformer.VitModel;
import org.lottalora.models.transformer.VitTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora vit train}: trains a ViT on an image dataset and writes the artifact. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a ViT. Reports test accuracy at the best validation epoch, the trainable fraction and the "
        + "median beta; the artifact is reloaded and checked.")
final class VitTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  EngineAdapterOptions model;

  @CommandLine.Mixin
  ThreadOptions threads;

  @CommandLine.Mixin
  SaveOptions save;

  @Option(names = "--data", defaultValue = "digits", description = "digits or fashion-mnist (default: "
      + "${DEFAULT-VALUE}).")
  String data;

  @Option(names = "--patch", description = "Patch side, dividing the image side (default: a quarter of it, 16 "
      + "patches).")
  Integer patch;

  @Option(names = "--width", defaultValue = "64", description = "Width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--layers", defaultValue = "4", description = "Blocks (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--mlp-hidden", defaultValue = "128", description = "MLP width (default: ${DEFAULT-VALUE}).")
  int mlpHidden;

  @CommandLine.Mixin
  TargetsOptions targets;

  @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "64", description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "3e-3", description = "Peak Adam rate, cosine decay (default: "
      + "${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "1e-4", description = "Decoupled weight decay of weight matrices and "
      + "adapter factors, never betas, biases, norms or embeddings (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--split-seed", defaultValue = "0", description = "Seed of the split and batch order (default: "
      + "${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--max-train", defaultValue = "0", description = "At most this many training images (0: all).")
  int maxTrain;

  @Option(names = "--data-dir", description = "Folder to look for dataset files in first.")
  Path dataDir;

  @Option(names = "--no-download", description = "Never download a missing dataset.")
  boolean noDownload;

  @Option(names = {"-o", "--out"}, defaultValue = "vit.lotta", description = "Artifact (default: ${DEFAULT-VALUE}).")
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
    if (maxTrain < 0) {
      throw new IllegalArgumentException("--max-train must be >= 0, got " + maxTrain);
    }
    DType storage = save.storage();
    VitTrainer.Config tc = new VitTrainer.Config(epochs, batch, lr, wd, splitSeed);
    java.security.PrivateKey key = save.key();
    ArtifactCodec.checkWritable(out);
    DataSplits raw = Datasets.load(data, new Datasets.Options(dataDir, !noDownload, splitSeed));
    if (maxTrain > 0) {
      raw = raw.limit(maxTrain);
    }
    DataSplits d = raw.normalized();
    int side = (int) Math.round(Math.sqrt(d.train().cols()));
    if (side * side != d.train().cols()) {
      throw new IllegalArgumentException(data + " has " + d.train().cols() + " features, not a square image");
    }
    int p = patch != null ? patch : Math.max(1, side / 4);
    int classes = Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
    Vit.Spec s = new Vit.Spec(side, p, width, heads, layers, mlpHidden, classes, model.seed, model.initSpec(),
        model.adapter(), targets.resolve(Targets.VIT, model.full));
    int nThreads = threads.apply();
    PrintWriter o = spec.commandLine().getOut();
    if (!save.json) {
      o.printf(Locale.ROOT, "lottalora vit train  %d blocks, width %d, %d heads, MLP %d, patch %d (%d tokens); %s; "
          + "%s, seed %d%n", layers, width, heads, mlpHidden, p, s.tokens(), s.targets().describe(), model.mode(),
          model.seed);
      o.printf(Locale.ROOT, "data %s: %,d / %,d / %,d images of %dx%d, %d classes; %d thread(s)%n", data,
          d.train().rows(), d.validation().rows(), d.test().rows(), side, side, classes, nThreads);
      o.flush();
    }
    Vit vit = new Vit(s);
    VitTrainer.Report r;
    try {
      r = VitTrainer.train(vit, d, tc, save.progress());
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> new VitModel(vit, data, splitSeed, maxTrain, d.normalization())
          .save(out, VitTrainer.record(data, d.train().rows(), splitSeed, tc, null), storage, key));
    }
    VitModel m = new VitModel(vit, data, splitSeed, maxTrain, d.normalization());
    m.save(out, VitTrainer.record(data, d.train().rows(), splitSeed, tc, r), storage, key);
    double again = VitTrainer.accuracy(VitModel.load(out).vit(), d.test());
    if (storage == DType.FLOAT32) { // a reduced dtype may move a prediction; fp32 must not
      org.lottalora.models.FamilyRuns.checkReload(r.testAccuracy(), again, out);
    }
    double medianBeta = r.medianBeta();
    if (save.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("family", "vit");
      j.put("data", data);
      j.put("layers", layers);
      j.put("width", width);
      j.put("heads", heads);
      j.put("mlp_hidden", mlpHidden);
      j.put("patch", p);
      j.put("attention", s.targets().attention().id());
      j.put("mlp", s.targets().mlp().id());
      j.put("full", model.full);
      j.put("rank", model.full ? null : model.rank);
      j.put("seed", model.seed);
      j.put("epochs", epochs);
      j.put("lr", lr);
      j.put("train_images", d.train().rows());
      j.put("test_accuracy", r.testAccuracy());
      j.put("best_val_accuracy", r.validationAccuracy());
      j.put("best_epoch", r.bestEpoch());
      j.put("trainable_fraction", r.trainableFraction());
      j.put("trainable_values", org.lottalora.core.engine.Params.count(vit.params()));
      j.put("median_beta", Double.isNaN(medianBeta) ? null : medianBeta);
      j.put("threads", nThreads);
      j.put("wall_seconds", r.seconds());
      j.put("images_per_second", r.imagesPerSecond());
      j.put("epoch_images_per_second", java.util.Arrays.stream(r.epochImagesPerSecond()).boxed().toList());
      j.put("artifact", out.toString());
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
      o.printf(Locale.ROOT, "wall time         %.1f s  (%.0f images/s)%n", r.seconds(), r.imagesPerSecond());
      o.printf(Locale.ROOT, "artifact          %s  %s (%s)%n", out, Human.bytes(out.toFile().length()),
          TensorCodec.shortName(storage));
      o.println("reloaded          test accuracy " + String.format(Locale.ROOT, "%.4f", again));
    }
    o.flush();
    return 0;
  }
}
