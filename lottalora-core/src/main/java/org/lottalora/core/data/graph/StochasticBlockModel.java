package org.lottalora.core.data.graph;

import org.lottalora.core.backbone.Stream;

/**
 * A seeded stochastic block model with node features, the node-classification benchmark of the graph family:
 * {@code blocks} communities of (nearly) equal size, nodes of the same block linked with probability
 * {@code pIn}, of different blocks with {@code pOut}; a node's label is its block and its features are its
 * block's mean vector (drawn once, unit normal) plus {@code noise} times unit normal noise. Edges are drawn by
 * geometric skipping over each node's later neighbours, so generation costs the edges, not nodes squared.
 * All draws come from the project's generator: stream "sbm.edges" (one aux stream per node), "sbm.means",
 * "sbm.noise".
 */
public final class StochasticBlockModel {
  private StochasticBlockModel() {
  }

  /** The settings; validated with the option names of the CLI. */
  public record Params(int nodes, int blocks, double pIn, double pOut, int dims, double noise) {
    /** Validates. */
    public Params {
      if (nodes < 2 || blocks < 1 || blocks > nodes) {
        throw new IllegalArgumentException("a block model needs 2+ nodes and 1..nodes blocks, got " + nodes + " and "
            + blocks);
      }
      if (!(pIn >= 0 && pIn <= 1) || !(pOut >= 0 && pOut <= 1)) {
        throw new IllegalArgumentException("edge probabilities must be in [0, 1], got " + pIn + " and " + pOut);
      }
      if (dims < 1 || !(noise >= 0)) {
        throw new IllegalArgumentException("features need dims >= 1 and noise >= 0");
      }
    }
  }

  /** The block of node i: blocks are contiguous ranges of near-equal size. */
  static int blockOf(int i, Params p) {
    return (int) ((long) i * p.blocks() / p.nodes());
  }

  /** Generates the graph. */
  public static Graph generate(Params p, long seed) {
    int n = p.nodes();
    int[] start = new int[p.blocks() + 1];
    for (int b = 0; b <= p.blocks(); b++) {
      start[b] = (int) Math.ceil((double) b * n / p.blocks());
    }
    java.util.ArrayList<int[]> edges = new java.util.ArrayList<>();
    Stream es = new Stream(seed, "sbm.edges");
    for (int i = 0; i < n; i++) {
      Stream s = es.aux(i);
      long w = 0;
      int bi = blockOf(i, p);
      for (int b = 0; b < p.blocks(); b++) {
        double q = b == bi ? p.pIn() : p.pOut();
        int from = Math.max(i + 1, start[b]);
        int to = start[b + 1];
        if (q <= 0 || from >= to) {
          continue;
        }
        int j = from - 1;
        while (true) {
          if (q >= 1) {
            j++;
          } else {
            double u = Stream.uniform(s.word(w++));
            j += 1 + (int) Math.floor(Math.log(1 - u) / Math.log(1 - q));
          }
          if (j >= to) {
            break;
          }
          edges.add(new int[] {i, j});
        }
      }
    }
    int[] src = new int[edges.size()];
    int[] dst = new int[edges.size()];
    for (int e = 0; e < src.length; e++) {
      src[e] = edges.get(e)[0];
      dst[e] = edges.get(e)[1];
    }
    double[] means = new double[p.blocks() * p.dims()];
    new Stream(seed, "sbm.means").normals(0, means, means.length);
    double[] noise = new double[n * p.dims()];
    new Stream(seed, "sbm.noise").normals(0, noise, noise.length);
    float[] feats = new float[n * p.dims()];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = blockOf(i, p);
      for (int d = 0; d < p.dims(); d++) {
        feats[i * p.dims() + d] = (float) (means[labels[i] * p.dims() + d] + p.noise() * noise[i * p.dims() + d]);
      }
    }
    return Graph.of("sbm", n, src, dst, feats, p.dims(), labels, p.blocks());
  }
}
