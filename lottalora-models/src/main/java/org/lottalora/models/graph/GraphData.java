package org.lottalora.models.graph;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.GraphCsv;
import org.lottalora.core.data.graph.GraphSet;
import org.lottalora.core.data.graph.LinqsCora;
import org.lottalora.core.data.graph.StochasticBlockModel;

/**
 * Graph data named by one line of text, the {@code --data} of {@code lottalora graph}: {@code sbm[:k=v,...]} (the
 * seeded stochastic block model; keys nodes, blocks, p_in, p_out, dims, noise, seed), {@code synthetic[:k=v,...]}
 * (the seeded graph-classification set; keys count, min, max, seed), {@code csv:DIR} (features.csv, edges.csv and
 * labels.csv in DIR, see {@link GraphCsv}) or {@code cora:DIR} (the LINQS Cora files). The first two and the files
 * are node tasks except {@code synthetic}, a graph task. The same text always gives the same data.
 *
 * @param text the canonical text (defaults filled in for the generators)
 * @param node the graph of a node task, or null
 * @param set the graphs of a graph task, or null
 */
public record GraphData(String text, Graph node, GraphSet set) {
  /** True for a graph-classification task. */
  public boolean graphTask() {
    return set != null;
  }

  /** Node features per node. */
  public int dims() {
    return set != null ? set.graphs().get(0).dims() : node.dims();
  }

  /** Classes of the task. */
  public int classes() {
    return set != null ? set.classes() : node.classes();
  }

  /**
   * Reads or generates the data {@code text} names.
   *
   * @throws IllegalArgumentException for unknown kinds or keys and for bad files (naming file and line)
   */
  public static GraphData parse(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    String kind = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : t.substring(colon + 1);
    switch (kind) {
      case "sbm": {
        Map<String, String> kv = keys(rest, text, "nodes", "blocks", "p_in", "p_out", "dims", "noise", "seed");
        StochasticBlockModel.Params p = new StochasticBlockModel.Params(integer(kv, "nodes", 3000),
            integer(kv, "blocks", 8), real(kv, "p_in", 0.02), real(kv, "p_out", 0.002), integer(kv, "dims", 32),
            real(kv, "noise", 3.0));
        long seed = integer(kv, "seed", 11);
        String canon = String.format(Locale.ROOT, "sbm:nodes=%d,blocks=%d,p_in=%s,p_out=%s,dims=%d,noise=%s,seed=%d",
            p.nodes(), p.blocks(), p.pIn(), p.pOut(), p.dims(), p.noise(), seed);
        return new GraphData(canon, StochasticBlockModel.generate(p, seed), null);
      }
      case "synthetic": {
        Map<String, String> kv = keys(rest, text, "count", "min", "max", "seed");
        int count = integer(kv, "count", 1000);
        int min = integer(kv, "min", 12);
        int max = integer(kv, "max", 40);
        long seed = integer(kv, "seed", 5);
        return new GraphData(String.format(Locale.ROOT, "synthetic:count=%d,min=%d,max=%d,seed=%d", count, min, max,
            seed), null, GraphSet.synthetic(count, min, max, seed));
      }
      case "csv": {
        Path dir = dir(rest, text);
        return new GraphData("csv:" + rest, GraphCsv.read(dir.resolve("features.csv"), dir.resolve("edges.csv"),
            dir.resolve("labels.csv")), null);
      }
      case "cora":
        return new GraphData("cora:" + rest, LinqsCora.read(dir(rest, text)), null);
      default:
        throw new IllegalArgumentException("unknown graph data '" + text + "'; use sbm[:nodes=3000,...], "
            + "synthetic[:count=1000,...], csv:DIR or cora:DIR");
    }
  }

  private static Path dir(String rest, String text) {
    if (rest.isBlank()) {
      throw new IllegalArgumentException("graph data '" + text + "' needs a folder, e.g. csv:data/mygraph");
    }
    return Path.of(rest);
  }

  private static Map<String, String> keys(String rest, String text, String... allowed) {
    Map<String, String> kv = new TreeMap<>();
    if (rest.isBlank()) {
      return kv;
    }
    java.util.List<String> ok = java.util.List.of(allowed);
    for (String part : rest.split(",")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part.trim() : part.substring(0, eq).trim();
      if (eq < 0 || !ok.contains(k)) {
        throw new IllegalArgumentException("graph data '" + text + "': '" + part.trim() + "' is not one of "
            + String.join("=, ", allowed) + "=");
      }
      kv.put(k, part.substring(eq + 1).trim());
    }
    return kv;
  }

  private static int integer(Map<String, String> kv, String k, int dflt) {
    try {
      return kv.containsKey(k) ? Integer.parseInt(kv.get(k)) : dflt;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("graph data key " + k + "=" + kv.get(k) + " is not a whole number");
    }
  }

  private static double real(Map<String, String> kv, String k, double dflt) {
    try {
      return kv.containsKey(k) ? Double.parseDouble(kv.get(k)) : dflt;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("graph data key " + k + "=" + kv.get(k) + " is not a number");
    }
  }
}
