package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
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
}
