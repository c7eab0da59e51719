package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.models.snn.AdaptiveLifNodes;
import org.lottalora.models.snn.Connection;
import org.lottalora.models.snn.ConnectionSpec;
import org.lottalora.models.snn.NodeSpec;
import org.lottalora.models.snn.SnnArtifact;
import org.lottalora.models.snn.SnnModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora snn inspect}: what a saved spiking model is and what it learned. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Show a spiking model: layers, connections, learned weights, thresholds and delays, label "
        + "assignment; --plots draws the learned filters and one presentation's raster and voltages.")
final class SnnInspectCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta spiking model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Option(names = "--plots", description = "Folder for filters.png, raster.png/.svg and voltage.png/.svg (the "
      + "first test image of --dataset, or pattern 0).")
  Path plots;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    SnnModel m = SnnArtifact.load(model, trust.policy());
    var s = m.spec();
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("model", model.toString());
    j.put("network", s.network());
    j.put("seed", m.seed());
    j.put("dt", s.net().dt());
    j.put("time", s.presentation().time());
    j.put("encoder", Map.of("kind", s.encoder().kind(), "rate", s.encoder().rate(), "scale", s.encoder().scale()));
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "%s: %s, seed %d, %d steps of %s ms, %s encoder%n", model, s.network(), m.seed(),
          s.presentation().time(), s.net().dt(), s.encoder().kind());
    }
    List<Object> layers = new java.util.ArrayList<>();
    for (NodeSpec l : s.net().layers()) {
      Map<String, Object> lj = new LinkedHashMap<>();
      lj.put("name", l.name());
      lj.put("model", l.model());
      lj.put("n", l.n());
      lj.put("params", l.params());
      String extra = "";
      if (m.network().layer(l.name()) instanceof AdaptiveLifNodes a) {
        float[] th = a.theta().clone();
        Arrays.sort(th);
        lj.put("theta_median", th[th.length / 2]);
        lj.put("theta_max", th[th.length - 1]);
        extra = String.format(Locale.ROOT, ", learned theta median %.3f, max %.3f mV", th[th.length / 2],
            th[th.length - 1]);
      }
      layers.add(lj);
      if (!json) {
        o.printf(Locale.ROOT, "  layer %-6s %-15s %,6d neurons%s%n", l.name(), l.model(), l.n(), extra);
      }
    }
    j.put("layers", layers);
    List<Object> conns = new java.util.ArrayList<>();
    for (Connection c : m.network().connections()) {
      ConnectionSpec cs = c.spec();
      Map<String, Object> cj = new LinkedHashMap<>();
      cj.put("name", cs.name());
      cj.put("source", cs.source());
      cj.put("target", cs.target());
      cj.put("topology", cs.topology());
      cj.put("rule", cs.rule().kind());
      cj.put("params", cs.params());
      float[] w = c.weightsCanonical();
      double mean = 0;
      for (float v : w) {
        mean += v;
      }
      mean /= w.length;
      cj.put("weight_mean", mean);
      String d = "";
      int[] del = c.delaysCanonical();
      if (del != null) {
        int[] sorted = del.clone();
        Arrays.sort(sorted);
        cj.put("delay_min", sorted[0]);
        cj.put("delay_median", sorted[sorted.length / 2]);
        cj.put("delay_max", sorted[sorted.length - 1]);
        d = String.format(Locale.ROOT, ", delays %d..%d (median %d)", sorted[0], sorted[sorted.length - 1],
            sorted[sorted.length / 2]);
      }
      conns.add(cj);
      if (!json) {
        o.printf(Locale.ROOT, "  conn  %-9s %s -> %s, %s, rule %s, mean weight %.4f%s%n", cs.name(), cs.source(),
            cs.target(), cs.topology(), cs.rule().kind(), mean, d);
      }
    }
    j.put("connections", conns);
    if (m.labels() != null) {
      int[] per = m.labels().perClass();
      j.put("neurons_per_class", Arrays.stream(per).boxed().toList());
      j.put("ngrams", m.ngram().size());
      if (!json) {
        o.printf(Locale.ROOT, "  readout: neurons per class %s, %,d distinct %d-grams%n", Arrays.toString(per),
            m.ngram().size(), m.ngram().n());
      }
    }
    if (plots != null) {
      DataSplits d = s.patterns() == null ? data.load(0) : null;
      SnnPictures.write(plots, m, d == null ? null : d.test());
      j.put("plots", plots.toString());
      if (!json) {
        o.printf(Locale.ROOT, "  pictures in %s%n", plots);
      }
    }
    if (json) {
      o.println(Json.write(j));
    }
    o.flush();
    return 0;
  }
}
