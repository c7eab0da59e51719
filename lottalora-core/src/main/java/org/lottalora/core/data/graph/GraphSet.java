package org.lottalora.core.data.graph;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.backbone.Stream;

/**
 * A graph-classification dataset: graphs with one label each. {@link #synthetic} makes the seeded benchmark of
 * the graph family: class 0 graphs have two dense communities (a two-block model, p_in 0.5, p_out 0.05), class 1
 * graphs are Erdos-Renyi with the same expected number of edges, so the classes differ in structure only (the
 * degree distributions overlap; node features are {@link #structuralFeatures}); sizes are uniform in
 * [minNodes, maxNodes].
 */
public record GraphSet(String name, List<Graph> graphs, int[] labels, int classes) {
  /** Validates that every graph has a label. */
  public GraphSet {
    if (graphs.size() != labels.length || graphs.isEmpty()) {
      throw new IllegalArgumentException(name + ": " + graphs.size() + " graphs for " + labels.length + " labels");
    }
    graphs = List.copyOf(graphs);
  }

  /** Node features of the synthetic set: 1, degree / (n - 1), local clustering coefficient. */
  public static final int FEATURES = 3;

  /**
   * The structural node features of {@link #synthetic} for any graph: a constant 1, the degree over n - 1, and the
   * local clustering coefficient (linked pairs of neighbours over all pairs; 0 below degree 2). Featureless graph
   * benchmarks give GIN such features (the GIN paper used one-hot degrees) because sum aggregation over constant
   * features cannot count triangles.
   */
  public static float[] structuralFeatures(Graph g) {
    int n = g.nodes();
    float[] f = new float[n * FEATURES];
    for (int i = 0; i < n; i++) {
      int d = g.degree(i);
      long linked = 0;
      for (int a = g.rowStart()[i]; a < g.rowStart()[i + 1]; a++) {
        for (int b = a + 1; b < g.rowStart()[i + 1]; b++) {
          linked += g.linked(g.neighbours()[a], g.neighbours()[b]) ? 1 : 0;
        }
      }
      f[i * FEATURES] = 1f;
      f[i * FEATURES + 1] = n > 1 ? d / (float) (n - 1) : 0f;
      f[i * FEATURES + 2] = d >= 2 ? (float) (linked / (d * (d - 1) / 2.0)) : 0f;
    }
    return f;
  }

  /** {@code count} graphs, classes alternating, from the seed (stream "graphset.*"). */
  public static GraphSet synthetic(int count, int minNodes, int maxNodes, long seed) {
    if (count < 2 || minNodes < 4 || maxNodes < minNodes) {
      throw new IllegalArgumentException("need 2+ graphs of 4+ nodes, got " + count + " graphs of " + minNodes + ".."
          + maxNodes);
    }
    Stream sizes = new Stream(seed, "graphset.sizes");
    List<Graph> gs = new ArrayList<>();
    int[] labels = new int[count];
    for (int g = 0; g < count; g++) {
      int n = minNodes + (int) Math.min(maxNodes - minNodes, Math.floor(Stream.uniform(sizes.word(g))
          * (maxNodes - minNodes + 1)));
      labels[g] = g % 2;
      double half = n / 2.0;
      // expected edges of the two-block model: pairs within blocks * 0.5 + pairs across * 0.05
      double within = 2 * (half * (half - 1) / 2);
      double across = half * half;
      double pEr = (0.5 * within + 0.05 * across) / (n * (n - 1) / 2.0);
      StochasticBlockModel.Params p = labels[g] == 0
          ? new StochasticBlockModel.Params(n, 2, 0.5, 0.05, 1, 0)
          : new StochasticBlockModel.Params(n, 1, pEr, pEr, 1, 0);
      Graph raw = StochasticBlockModel.generate(p, new Stream(seed, "graphset.graph").word(g));
      gs.add(new Graph("graph" + g, n, raw.rowStart(), raw.neighbours(), structuralFeatures(raw), FEATURES, null, 0));
    }
    return new GraphSet("synthetic-graphs", gs, labels, 2);
  }
}
