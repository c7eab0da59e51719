package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lottalora.models.graph.GraphData;
import org.lottalora.models.graph.GraphModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora graph predict}: class and probabilities per node (gcn) or per graph (gin), as CSV. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Predict with a saved graph model: one CSV line per node (gcn) or graph (gin): index, class, then "
        + "the probability of every class.")
final class GraphPredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta graph model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data", description = "Data to predict (default: what the model was trained on).")
  String data;

  @Option(names = "--limit", defaultValue = "0", description = "Print at most this many lines (0: all).")
  int limit;

  @Override
  public Integer call() {
    GraphModel m = GraphModel.load(model, trust.policy());
    GraphData d = GraphData.parse(data != null ? data : m.setup().data());
    m.check(d);
    PrintWriter o = spec.commandLine().getOut();
    StringBuilder head = new StringBuilder(d.graphTask() ? "graph,class" : "node,class");
    for (int c = 0; c < m.setup().spec().classes(); c++) {
      head.append(",p").append(c);
    }
    o.println(head);
    int n = d.graphTask() ? d.set().graphs().size() : d.node().nodes();
    float[][] nodes = d.graphTask() ? null : m.nodeProbabilities(d.node());
    for (int i = 0; i < n && (limit <= 0 || i < limit); i++) {
      float[] p = d.graphTask() ? m.graphProbabilities(d.set().graphs().get(i)) : nodes[i];
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        best = p[c] > p[best] ? c : best;
      }
      StringBuilder b = new StringBuilder().append(i).append(',').append(best);
      for (float v : p) {
        b.append(',').append(String.format(Locale.ROOT, "%.6f", v));
      }
      o.println(b);
    }
    o.flush();
    return 0;
  }
}
