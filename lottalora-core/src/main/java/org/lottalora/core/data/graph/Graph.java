package org.lottalora.core.data.graph;

import java.util.Arrays;

/**
 * An undirected graph with node features and (optionally) node labels, stored sparsely: neighbour lists in
 * compressed-sparse-row form (sorted, no duplicates, no self-loops), so a graph of a million nodes costs its
 * edges, never nodes squared. Features are row-major [nodes, dims] fp32; labels are class indices, or null for
 * a graph that carries one label as a whole (graph classification).
 */
public record Graph(String name, int nodes, int[] rowStart, int[] neighbours, float[] features, int dims,
    int[] labels, int classes) {
  /** Validates sizes and the adjacency's invariants. */
  public Graph {
    if (nodes < 1) {
      throw new IllegalArgumentException(name + ": a graph needs at least one node");
    }
    if (rowStart.length != nodes + 1 || rowStart[0] != 0 || rowStart[nodes] != neighbours.length) {
      throw new IllegalArgumentException(name + ": adjacency offsets do not match " + nodes + " nodes");
    }
    if (dims < 1 || features.length != (long) nodes * dims) {
      throw new IllegalArgumentException(name + ": " + features.length + " feature values for " + nodes + " nodes of "
          + dims + " dims");
    }
    if (labels != null && labels.length != nodes) {
      throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + nodes + " nodes");
    }
  }

  /** Builds a graph from an undirected edge list (each pair once or twice; self-loops and repeats dropped). */
  public static Graph of(String name, int nodes, int[] src, int[] dst, float[] features, int dims, int[] labels,
      int classes) {
    if (src.length != dst.length) {
      throw new IllegalArgumentException(name + ": " + src.length + " sources but " + dst.length + " targets");
    }
    int[] degree = new int[nodes];
    for (int e = 0; e < src.length; e++) {
      if (src[e] < 0 || src[e] >= nodes || dst[e] < 0 || dst[e] >= nodes) {
        throw new IllegalArgumentException(name + ": edge " + e + " (" + src[e] + ", " + dst[e] + ") names a node "
            + "outside 0.." + (nodes - 1));
      }
      if (src[e] != dst[e]) {
        degree[src[e]]++;
        degree[dst[e]]++;
      }
    }
    int[] start = new int[nodes + 1];
    for (int i = 0; i < nodes; i++) {
      start[i + 1] = start[i] + degree[i];
    }
    int[] fill = Arrays.copyOf(start, nodes);
    int[] nb = new int[start[nodes]];
    for (int e = 0; e < src.length; e++) {
      if (src[e] != dst[e]) {
        nb[fill[src[e]]++] = dst[e];
        nb[fill[dst[e]]++] = src[e];
      }
    }
    // sort each row and drop repeated neighbours
    int[] outStart = new int[nodes + 1];
    int k = 0;
    for (int i = 0; i < nodes; i++) {
      Arrays.sort(nb, start[i], start[i + 1]);
      outStart[i] = k;
      for (int j = start[i]; j < start[i + 1]; j++) {
        if (j == start[i] || nb[j] != nb[j - 1]) {
          nb[k++] = nb[j];
        }
      }
    }
    outStart[nodes] = k;
    return new Graph(name, nodes, outStart, Arrays.copyOf(nb, k), features, dims, labels, classes);
  }

  /** Number of undirected edges. */
  public long edges() {
    return neighbours.length / 2;
  }

  /** Degree of node i. */
  public int degree(int i) {
    return rowStart[i + 1] - rowStart[i];
  }

  /** Whether i and j are linked (binary search in i's sorted row). */
  public boolean linked(int i, int j) {
    return Arrays.binarySearch(neighbours, rowStart[i], rowStart[i + 1], j) >= 0;
  }
}
