package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.train.Progress;
import org.lottalora.models.snn.SnnArtifact;
import org.lottalora.models.snn.SnnModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora snn eval}: accuracy of a saved spiking model under each evaluation rule. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure a saved spiking model: image networks on a dataset's test split (all-activity, proportion "
        + "weighting and n-gram accuracy), the delay network on fresh pattern presentations.")
final class SnnEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta spiking model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Option(names = "--test-examples", defaultValue = "0", description = "Test rows (0: all; delay: 200; default: "
      + "${DEFAULT-VALUE}).")
  int testExamples;

  @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    SnnModel m = SnnArtifact.load(model, trust.policy());
    Progress p = json ? Progress.silent() : Progress.stderr();
    SnnModel.Evaluation e;
    String what;
    if (m.spec().patterns() != null) {
      e = m.evaluatePatterns(testExamples <= 0 ? 200 : testExamples, threads, p);
      what = "pattern presentations";
    } else {
      DataSplits d = data.load(0);
      e = m.evaluate(d.test(), testExamples, threads, p);
      what = "images of " + data.dataset;
    }
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("model", model.toString());
    j.put("network", m.spec().network());
    j.put("examples", e.examples());
    j.put("accuracy_all_activity", e.allActivity());
    j.put("accuracy_proportion", e.proportion());
    j.put("accuracy_ngram", e.ngram());
    j.put("mean_spikes", e.meanSpikes());
    j.put("silent", e.silent());
    j.put("seconds", e.seconds());
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      o.println(Json.write(j));
    } else if (m.spec().patterns() != null) {
      o.printf(Locale.ROOT, "%s: accuracy %.4f on %d %s%n", model, e.allActivity(), e.examples(), what);
    } else {
      o.printf(Locale.ROOT, "%s: accuracy all-activity %.4f, proportion %.4f, %d-gram %.4f on %,d %s (%.1f s)%n",
          model, e.allActivity(), e.proportion(), m.spec().ngram(), e.ngram(), e.examples(), what, e.seconds());
    }
    o.flush();
    return 0;
  }
}
