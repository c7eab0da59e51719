package org.lottalora.models.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.StochasticBlockModel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Sparse GCN propagation (plain and on SameDiff) equals the dense definition D^-1/2 (A + I) D^-1/2 H. */
class GcnAggregationTest {
  @Test
  void sparsePropagationEqualsTheDenseDefinition() {
    Graph g = StochasticBlockModel.generate(new StochasticBlockModel.Params(30, 3, 0.3, 0.05, 4, 0.5), 2);
    GcnAggregation agg = new GcnAggregation(g);
    int n = g.nodes();
    float[][] h = new float[n][4];
    for (int i = 0; i < n; i++) {
      System.arraycopy(g.features(), i * 4, h[i], 0, 4);
    }
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      a[i][i] = 1;
      for (int e = g.rowStart()[i]; e < g.rowStart()[i + 1]; e++) {
        a[i][g.neighbours()[e]] = 1;
      }
    }
    double[] deg = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        deg[i] += a[i][j];
      }
    }
    float[][] sparse = agg.apply(h);
    SameDiff sd = SameDiff.create();
    SDVariable hv = sd.constant("h", Nd4j.create(g.features(), new long[] {n, 4}));
    INDArray viaGraph = agg.apply(sd, "agg", hv).eval();
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 4; c++) {
        double dense = 0;
        for (int j = 0; j < n; j++) {
          dense += a[i][j] / Math.sqrt(deg[i] * deg[j]) * h[j][c];
        }
        assertEquals(dense, sparse[i][c], 1e-5);
        assertEquals(dense, viaGraph.getDouble(i, c), 1e-5);
      }
    }
    assertEquals(2 * g.edges() + n, agg.messages());
  }
}
