package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.models.transformer.VitModel;
import org.lottalora.models.transformer.VitTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora vit eval}: test accuracy of a ViT on the split it was trained with. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Test accuracy of a ViT artifact on the test split of the dataset it was trained on.")
final class VitEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data-dir", description = "Folder to look for dataset files in first.")
  Path dataDir;

  @Option(names = "--no-download", description = "Never download a missing dataset.")
  boolean noDownload;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    threads.apply();
    VitModel m = VitModel.load(model, trust.policy());
    DataSplits raw = Datasets.load(m.data(), new Datasets.Options(dataDir, !noDownload, m.splitSeed()));
    if (m.maxTrain() > 0) {
      raw = raw.limit(m.maxTrain());
    }
    double acc = VitTrainer.accuracy(m.vit(), raw.normalized().test());
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("data", m.data());
      j.put("test_accuracy", acc);
      j.put("test_images", raw.test().rows());
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s on %s: test accuracy %.4f (%,d images)%n", model, m.data(), acc, raw.test().rows());
    }
    o.flush();
    return 0;
  }
}
