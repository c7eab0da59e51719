package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.models.ArtifactMapper;
import org.lottalora.models.LottaModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora eval}: load an artifact (regenerating its backbone) and measure accuracy on a dataset split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Load a .lotta artifact, rebuild its backbone from the seed, and report accuracy on a dataset "
        + "split (by default the split the model was trained with).")
final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
  String split;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (!split.equals("train") && !split.equals("val") && !split.equals("test")) {
      throw new IllegalArgumentException("--split must be train, val or test, got '" + split + "'");
    }
    threads.apply();
    long t0 = System.nanoTime();
    LottaModel m = LottaModel.load(model, trust.policy());
    double loadSecs = (System.nanoTime() - t0) / 1e9;
    long trainedSplitSeed = m.artifact().getTraining().getConfig().getSplitSeed();
    DataSplits d = data.load(trainedSplitSeed);
    Dataset ds = split.equals("train") ? d.train() : split.equals("val") ? d.validation() : d.test();
    String overlap = trainingRowsDiffer(m, d);
    if (overlap != null) {
      spec.commandLine().getErr().println("lottalora eval: warning: " + overlap);
      spec.commandLine().getErr().flush();
    }
    long t1 = System.nanoTime();
    double acc = m.accuracy(ds);
    double evalSecs = (System.nanoTime() - t1) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("spec", m.spec().toString());
      j.put("dataset", data.dataset);
      j.put("split", split);
      j.put("samples", ds.rows());
      j.put("accuracy", acc);
      j.put("load_seconds", loadSecs);
      j.put("eval_seconds", evalSecs);
      j.put("backbone_params", m.backbone().parameterCount());
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "model     %s  (%s)%n", model, m.spec());
      o.printf(Locale.ROOT, "loaded    in %.2f s, %,d backbone parameters regenerated from seed %d%n", loadSecs,
          m.backbone().parameterCount(), m.spec().seed());
      o.printf(Locale.ROOT, "accuracy  %.4f on %s/%s (%,d samples)%n", acc, data.dataset, split, ds.rows());
    }
    o.flush();
    return 0;
  }

  /**
   * Why the split just made may not be the model's, or null: when the dataset is the one the model was trained on
   * (same name) but its training rows hash differently, the test rows may include rows it was trained on (a CSV
   * trained before the split stopped depending on the file's name, an edited file, another --split-seed).
   */
  private String trainingRowsDiffer(LottaModel m, DataSplits d) {
    var tr = m.artifact().getTraining();
    if (tr.getDatasetSha256().isEmpty() || !tr.getDataset().equals(data.dataset) || tr.getDatasetRows() < 1
        || tr.getDatasetRows() > d.train().rows()) {
      return null;
    }
    byte[] now = ArtifactMapper.datasetHash(d.train().head((int) tr.getDatasetRows()));
    if (java.util.Arrays.equals(now, tr.getDatasetSha256().toByteArray())) {
      return null;
    }
    return "the training rows of " + data.dataset + " under split seed " + data.splitSeedOr(tr.getConfig()
        .getSplitSeed()) + " are not the ones " + model + " was trained on, so this split may hold training rows "
        + "(the file changed, another --split-seed, or a CSV model trained before the split stopped depending on "
        + "the file's name)";
  }
}
