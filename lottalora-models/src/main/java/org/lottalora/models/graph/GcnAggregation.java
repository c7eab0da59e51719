package org.lottalora.models.graph;

import org.lottalora.core.data.graph.Graph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kipf and Welling's normalised propagation {@code A_hat H} with {@code A_hat = D^-1/2 (A + I) D^-1/2}, done
 * sparsely on SameDiff: gather the source rows of every (directed) edge and self-loop, scale each by
 * {@code 1 / sqrt(d_src d_dst)}, and sum them into their destination with an unsorted segment sum. Memory and
 * time follow the edges; no N x N matrix is ever built.
 *
 * <p>The SameDiff form is forward only: in DL4J 1.0.0-M2.1 the backward pass of {@code gather} is wrong unless the
 * indices are 0, 1, 2, ... in order (checked against finite differences: repeated indices are not accumulated, and
 * even a permutation sends each row's gradient to another row). {@link GcnNetwork} therefore trains on the plain
 * Java form below, whose gradient is the same symmetric propagation.
 */
public final class GcnAggregation {
  private final int nodes;
  private final int[] src;
  private final int[] dst;
  private final float[] weight;

  /** The propagation of a graph (self-loops added). */
  public GcnAggregation(Graph g) {
    this.nodes = g.nodes();
    int m = g.neighbours().length + nodes;
    src = new int[m];
    dst = new int[m];
    weight = new float[m];
    double[] deg = new double[nodes];
    for (int i = 0; i < nodes; i++) {
      deg[i] = g.degree(i) + 1;
    }
    int k = 0;
    for (int i = 0; i < nodes; i++) {
      src[k] = i;
      dst[k] = i;
      weight[k++] = (float) (1.0 / deg[i]);
      for (int e = g.rowStart()[i]; e < g.rowStart()[i + 1]; e++) {
        int j = g.neighbours()[e];
        src[k] = j;
        dst[k] = i;
        weight[k++] = (float) (1.0 / Math.sqrt(deg[i] * deg[j]));
      }
    }
  }

  /** Messages summed per node: {@code out[i] = sum over j in N(i) + i of w_ij h[j]}; h is [nodes, f]. */
  public SDVariable apply(SameDiff sd, String prefix, SDVariable h) {
    SDVariable s = sd.constant(prefix + ".src", Nd4j.createFromArray(src));
    SDVariable d = sd.constant(prefix + ".dst", Nd4j.createFromArray(dst));
    SDVariable w = sd.constant(prefix + ".w", Nd4j.create(weight, new long[] {weight.length, 1}, 'c')
        .castTo(DataType.FLOAT));
    SDVariable messages = sd.gather(h, s, 0).mul(w);
    return sd.unsortedSegmentSum(messages, d, nodes);
  }

  /** The same propagation in plain Java (reference and inference): h is [nodes][f]. */
  public float[][] apply(float[][] h) {
    int f = h[0].length;
    float[][] out = new float[nodes][f];
    for (int e = 0; e < src.length; e++) {
      float[] hs = h[src[e]];
      float[] o = out[dst[e]];
      for (int c = 0; c < f; c++) {
        o[c] += weight[e] * hs[c];
      }
    }
    return out;
  }

  /** Directed messages per propagation (edges both ways plus self-loops). */
  public int messages() {
    return src.length;
  }
}
