package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.lottalora.core.backbone.Stream;

/**
 * A Watts-Strogatz small-world graph drawn from the project's generator: a ring lattice where each node links
 * to its k nearest neighbours (k/2 on each side), then each lattice edge (i, i + j), visited for j = 1..k/2 and
 * i = 0..n-1 in that order, is rewired with probability p to (i, m) with m uniform among the nodes not already
 * linked to i. Undirected; the result is the sorted neighbour list of every node.
 */
public final class WattsStrogatz {
  private WattsStrogatz() {
  }

  /** Neighbour lists of an n-node graph. */
  public static int[][] generate(int n, int k, double p, Stream stream) {
    if (n < 1) {
      throw new IllegalArgumentException("a small-world graph needs at least one node");
    }
    if (k < 0 || k % 2 != 0 || (n > 1 && k >= n)) {
      throw new IllegalArgumentException("--neighbours must be even and below the number of rings (" + n + "), got "
          + k);
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("--rewire must be in [0, 1], got " + p);
    }
    List<TreeSet<Integer>> adj = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      adj.add(new TreeSet<>());
    }
    for (int i = 0; i < n; i++) {
      for (int j = 1; j <= k / 2; j++) {
        link(adj, i, (i + j) % n);
      }
    }
    long word = 0;
    for (int j = 1; j <= k / 2; j++) {
      for (int i = 0; i < n; i++) {
        int t = (i + j) % n;
        double u = Stream.uniform(stream.word(word++));
        if (u < p && adj.get(i).contains(t) && adj.get(i).size() < n - 1) {
          List<Integer> free = new ArrayList<>();
          for (int m = 0; m < n; m++) {
            if (m != i && !adj.get(i).contains(m)) {
              free.add(m);
            }
          }
          int m = free.get((int) Math.min(free.size() - 1, Math.floor(Stream.uniform(stream.word(word++)) * free.size())));
          adj.get(i).remove(t);
          adj.get(t).remove(i);
          link(adj, i, m);
        }
      }
    }
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = adj.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  private static void link(List<TreeSet<Integer>> adj, int a, int b) {
    adj.get(a).add(b);
    adj.get(b).add(a);
  }
}
