package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.graph.GraphData;
import org.lottalora.models.graph.GraphModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora graph eval}: test accuracy of a saved graph model on its own split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Test accuracy of a saved graph model on the test share of its data, under the split it was "
        + "trained with (or of other data with --data).")
final class GraphEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta graph model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data", description = "Data to evaluate on (default: what the model was trained on).")
  String data;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    GraphModel m = GraphModel.load(model, trust.policy());
    GraphData d = GraphData.parse(data != null ? data : m.setup().data());
    double acc = m.testAccuracy(d);
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("family", m.setup().family());
      j.put("data", d.text());
      j.put("test_accuracy", acc);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s (%s) on %s: test accuracy %.4f%n", model, m.setup().family(), d.text(), acc);
    }
    o.flush();
    return 0;
  }
}
