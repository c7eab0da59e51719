package org.lottalora.core.data.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graph datasets: the sparse record, the block model's statistics, the synthetic set, and the readers' errors. */
class GraphDataTest {
  @TempDir
  Path dir;

  @Test
  void edgeListBecomesSortedDedupedSymmetricRows() {
    Graph g = Graph.of("t", 4, new int[] {0, 1, 2, 2, 3}, new int[] {1, 0, 3, 2, 0}, new float[4], 1, null, 0);
    assertEquals(3, g.edges(), "(0,1) twice and the self-loop (2,2) count once and not at all");
    assertArrayEquals(new int[] {1, 3}, java.util.Arrays.copyOfRange(g.neighbours(), g.rowStart()[0],
        g.rowStart()[1]));
    assertTrue(g.linked(3, 2) && g.linked(2, 3) && !g.linked(1, 2));
    assertThrows(IllegalArgumentException.class, () -> Graph.of("t", 2, new int[] {0}, new int[] {5}, new float[2],
        1, null, 0));
  }

  @Test
  void blockModelHasTheRequestedDensitiesAndIsSeeded() {
    var p = new StochasticBlockModel.Params(2000, 4, 0.02, 0.002, 8, 0.5);
    Graph g = StochasticBlockModel.generate(p, 7);
    long in = 0;
    long out = 0;
    for (int i = 0; i < g.nodes(); i++) {
      for (int k = g.rowStart()[i]; k < g.rowStart()[i + 1]; k++) {
        if (g.labels()[i] == g.labels()[g.neighbours()[k]]) {
          in++;
        } else {
          out++;
        }
      }
    }
    double pairsIn = 4 * (500.0 * 499);   // ordered pairs within blocks
    double pairsOut = 2000.0 * 1500;     // ordered pairs across blocks
    assertEquals(0.02, in / pairsIn, 0.002, "within-block edge density");
    assertEquals(0.002, out / pairsOut, 0.0003, "across-block edge density");
    Graph again = StochasticBlockModel.generate(p, 7);
    assertArrayEquals(g.neighbours(), again.neighbours());
    assertArrayEquals(g.features(), again.features());
    assertFalse(java.util.Arrays.equals(g.neighbours(), StochasticBlockModel.generate(p, 8).neighbours()));
    assertEquals(4, g.classes());
  }

  @Test
  void syntheticSetSeparatesClassesByStructureOnly() {
    GraphSet s = GraphSet.synthetic(200, 12, 24, 3);
    double[] clustering = new double[2];
    double[] meanLocal = new double[2];
    int[] count = new int[2];
    for (int k = 0; k < 200; k++) {
      Graph g = s.graphs().get(k);
      clustering[s.labels()[k]] += triangles(g) / Math.max(1.0, wedges(g));
      count[s.labels()[k]]++;
      assertEquals(GraphSet.FEATURES, g.dims());
      double mean = 0;
      for (int i = 0; i < g.nodes(); i++) {
        assertEquals(1f, g.features()[i * 3]);
        assertEquals(g.degree(i) / (double) (g.nodes() - 1), g.features()[i * 3 + 1], 1e-6);
        mean += g.features()[i * 3 + 2] / g.nodes();
      }
      meanLocal[s.labels()[k]] += mean;
    }
    assertEquals(100, count[0]);
    assertTrue(clustering[0] / count[0] > 1.5 * clustering[1] / count[1],
        "two dense communities cluster more than a random graph of the same density");
    assertTrue(meanLocal[0] > 1.5 * meanLocal[1], "the local clustering feature carries the same difference");
  }

  private static double triangles(Graph g) {
    double t = 0;
    for (int i = 0; i < g.nodes(); i++) {
      for (int a = g.rowStart()[i]; a < g.rowStart()[i + 1]; a++) {
        for (int b = a + 1; b < g.rowStart()[i + 1]; b++) {
          if (g.linked(g.neighbours()[a], g.neighbours()[b])) {
            t++;
          }
        }
      }
    }
    return t;
  }

  private static double wedges(Graph g) {
    double w = 0;
    for (int i = 0; i < g.nodes(); i++) {
      w += g.degree(i) * (g.degree(i) - 1) / 2.0;
    }
    return w;
  }

  @Test
  void csvReaderNamesFileAndLine() throws Exception {
    Path f = dir.resolve("features.csv");
    Path e = dir.resolve("edges.csv");
    Path l = dir.resolve("labels.csv");
    Files.writeString(f, "id,x,y\na,1,0\nb,0,1\nc,1,1\n");
    Files.writeString(e, "src,dst\na,b\nb,c\n");
    Files.writeString(l, "id,label\na,0\nb,1\n");
    Graph g = GraphCsv.read(f, e, l);
    assertEquals(3, g.nodes());
    assertEquals(2, g.edges());
    assertArrayEquals(new int[] {0, 1, -1}, g.labels(), "unlabelled nodes are -1");
    Files.writeString(e, "a,b\nb,zz\n");
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> GraphCsv.read(f, e, l));
    assertTrue(x.getMessage().contains("edges.csv line 2: node 'zz' does not exist"), x.getMessage());
    Files.writeString(e, "a,b\n");
    Files.writeString(l, "id,label\n");
    x = assertThrows(IllegalArgumentException.class, () -> GraphCsv.read(f, e, l));
    assertTrue(x.getMessage().contains("labels.csv: no labels"), x.getMessage());
  }

  @Test
  void coraReaderMapsIdsAndClasses() throws Exception {
    Files.writeString(dir.resolve("cora.content"), "31\t0\t1\tTheory\n7\t1\t0\tNeural_Networks\n9\t1\t1\tTheory\n");
    Files.writeString(dir.resolve("cora.cites"), "31\t7\n9\t31\n");
    Graph g = LinqsCora.read(dir);
    assertEquals(3, g.nodes());
    assertEquals(2, g.classes());
    assertArrayEquals(new int[] {1, 0, 1}, g.labels(), "classes numbered in sorted order");
    assertTrue(g.linked(0, 1) && g.linked(2, 0));
    Files.writeString(dir.resolve("cora.cites"), "31\t7\n9\t1234\n");
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> LinqsCora.read(dir));
    assertTrue(x.getMessage().contains("cora.cites line 2: node '1234' does not exist"), x.getMessage());
  }
}
