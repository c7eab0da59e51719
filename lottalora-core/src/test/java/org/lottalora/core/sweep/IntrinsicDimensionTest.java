package org.lottalora.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.sweep.IntrinsicDimension.Metric;
import org.lottalora.core.sweep.IntrinsicDimension.RStar;

/** r*(eps) on hand-made curves: per seed, on the mean, on loss, and "not reached". */
class IntrinsicDimensionTest {
  static RunResult result(boolean full, int rank, long seed, double acc, double loss) {
    RunSpec s = new RunSpec("d", 0, 0, "mlp", new int[] {8}, full, rank, 1.0, false, seed, "normal", 1, 8, 0.1, 0);
    return new RunResult(s.id(), s, acc, loss, acc, 1, 10, 100, Map.of(), 1.0, null, null);
  }

  static List<RunResult> curves() {
    List<RunResult> out = new ArrayList<>();
    out.add(result(true, 0, 0, 0.90, 0.30));
    out.add(result(true, 0, 1, 0.92, 0.28));
    double[][] acc = {{0.80, 0.86, 0.885, 0.895}, {0.82, 0.88, 0.90, 0.915}}; // ranks 1, 2, 4, 8
    int[] ranks = {1, 2, 4, 8};
    for (int seed = 0; seed < 2; seed++) {
      for (int i = 0; i < 4; i++) {
        out.add(result(false, ranks[i], seed, acc[seed][i], 0.5 - 0.05 * i));
      }
    }
    return out;
  }

  @Test
  void findsTheSmallestRankWithinEpsPerSeedAndOnTheMean() {
    RStar r = IntrinsicDimension.of(curves(), Metric.ACCURACY, 0.02).get(0);
    assertEquals(4, r.perSeed().get(0L)); // 0.885 >= 0.90 - 0.02
    assertEquals(4, r.perSeed().get(1L)); // 0.90 >= 0.92 - 0.02
    assertEquals(0.91, r.fullMean(), 1e-12);
    assertEquals(4, r.ofMean()); // mean at 4: 0.8925 >= 0.89
    RStar tight = IntrinsicDimension.of(curves(), Metric.ACCURACY, 0.01).get(0);
    assertEquals(8, tight.perSeed().get(0L));
    assertEquals(8, tight.perSeed().get(1L));
    assertEquals(8, tight.ofMean());
  }

  @Test
  void anEpsThatCannotBeMetIsReportedAsNotReached() {
    RStar r = IntrinsicDimension.of(curves(), Metric.ACCURACY, 0.001).get(0);
    assertNull(r.ofMean());
    assertNull(r.perSeed().get(0L));
    assertTrue(r.describe().startsWith("not reached within ranks 1-8"), r.describe());
    assertNull(r.max());
  }

  @Test
  void worksOnLossToo() {
    RStar r = IntrinsicDimension.of(curves(), Metric.LOSS, 0.1).get(0);
    // loss by rank 0.50, 0.45, 0.40, 0.35; targets 0.30 + 0.1 (seed 0) and 0.28 + 0.1 (seed 1)
    assertEquals(4, r.perSeed().get(0L));
    assertEquals(8, r.perSeed().get(1L));
  }

  @Test
  void rejectsANegativeEps() {
    assertThrows(IllegalArgumentException.class, () -> IntrinsicDimension.of(curves(), Metric.ACCURACY, -1));
  }
}
