package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentTrainer;
import org.lottalora.models.recurrent.SequenceData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora sequence eval}: test scores of a saved recurrent model on its own split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Test accuracy (and AUROC for two classes) of a saved recurrent model on the test share of the "
        + "data it was trained on, rebuilt from the artifact (split seed, size, standardisation).")
final class SequenceEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta sequence model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data-dir", description = "Folder to look for image dataset files in first.")
  Path dataDir;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    RecurrentModel m = RecurrentModel.load(model, trust.policy());
    SequenceData d = SequenceData.load(m.data(), m.splitSeed(), m.maxTrain(), m.pad(), true, dataDir);
    RecurrentTrainer.Metrics r = RecurrentTrainer.evaluate(m.network(), d.test()); // d is standardised already
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("cell", m.network().spec().cell());
      j.put("data", d.text());
      j.put("test_accuracy", r.accuracy());
      j.put("test_auroc", Double.isNaN(r.auroc()) ? null : r.auroc());
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s (%s) on %s: test accuracy %.4f%s%n", model, m.network().spec().cell(), d.text(),
          r.accuracy(), Double.isNaN(r.auroc()) ? "" : String.format(Locale.ROOT, ", AUROC %.4f", r.auroc()));
    }
    o.flush();
    return 0;
  }
}
