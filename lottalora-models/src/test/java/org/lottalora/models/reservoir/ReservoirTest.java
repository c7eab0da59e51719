package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.series.MackeyGlass;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;

/** Echo state networks, the ridge solver, the spectral radius, and the ring reservoir's building blocks. */
class ReservoirTest {
  static ReservoirSetup setup(int units, double... ridges) {
    return new ReservoirSetup("esn", 3, List.of(ReservoirSpec.of(units)), null, 100, ridges, 1, false, "ridge", 1,
        0.5, 50, 1);
  }

  @Test
  void spectralRadiusIsExactForComplexPairs() {
    // eigenvalues +-2i: power iteration oscillates here; the eigenvalue solver gets 2 exactly
    assertEquals(2.0, SpectralRadius.of(new float[] {0, -2, 2, 0}, 2), 1e-12);
    assertEquals(3.0, SpectralRadius.of(new float[] {1, 0, 0, 0, -3, 0, 0, 0, 2}, 3), 1e-12);
  }

  @Test
  void reservoirMatrixHasTheRequestedSpectralRadius() {
    Reservoir r = new Reservoir(ReservoirSpec.of(200).withSpectralRadius(0.9), 0, 1, 0, 5, Double.NaN);
    assertEquals(0.9, SpectralRadius.of(r.recurrentFloat(), 200), 1e-5);
    assertEquals(200 * 200 * 0.1, r.connections(), 400, "density 0.1 within a few standard deviations");
  }

  @Test
  void ridgeRecoversALinearMapAndRefusesSingularSystems() {
    Ridge r = new Ridge(3, 1);
    double[][] x = new double[50][];
    double[][] y = new double[50][];
    for (int i = 0; i < 50; i++) {
      x[i] = new double[] {1, i * 0.1, Math.sin(i)};
      y[i] = new double[] {0.5 + 2 * x[i][1] - 3 * x[i][2]};
    }
    r.add(x, y);
    double[][] w = r.solve(1e-12);
    assertArrayEquals(new double[] {0.5, 2, -3}, w[0], 1e-8);
    Ridge s = new Ridge(2, 1);
    s.add(new double[][] {{1, 1}, {2, 2}}, new double[][] {{1}, {2}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.solve(0));
    assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("raise"), e.getMessage());
    s.solve(1e-6); // regularised, it solves
  }

  @Test
  void ridgeIsBitIdenticalOnOneAndTwoNativeThreads() {
    double[][][] w = new double[2][][];
    for (int k = 0; k < 2; k++) {
      org.lottalora.core.util.Threads.apply(k + 1);
      java.util.Random r = new java.util.Random(1);
      Ridge rg = new Ridge(301, 2);
      for (int b = 0; b < 3; b++) {
        double[][] x = new double[512][301];
        double[][] y = new double[512][2];
        for (double[] row : x) {
          for (int i = 0; i < row.length; i++) {
            row[i] = r.nextGaussian();
          }
        }
        for (double[] row : y) {
          row[0] = r.nextGaussian();
          row[1] = r.nextGaussian();
        }
        rg.add(x, y);
      }
      w[k] = rg.solve(1e-6);
    }
    org.lottalora.core.util.Threads.apply(1);
    assertTrue(Arrays.deepEquals(w[0], w[1]), "readout independent of the native thread count");
  }

  @Test
  void esnForecastsMackeyGlassAndIsReproducible() {
    TimeSeries mg = MackeyGlass.generate(3000, 42);
    var a = ReservoirTrainer.forecast(mg, setup(100, 1e-6), Progress.silent());
    var b = ReservoirTrainer.forecast(mg, setup(100, 1e-6), Progress.silent());
    assertTrue(a.report().test().nrmse() < 0.05, "one-step NRMSE " + a.report().test().nrmse());
    assertTrue(a.report().test().r2() > 0.99);
    for (int t = 0; t < a.report().prediction().length; t++) {
      assertArrayEquals(a.report().prediction()[t], b.report().prediction()[t], "bit-identical rerun");
    }
    assertEquals(50, a.report().closedLoop().steps());
  }

  @Test
  void ridgeChoiceUsesValidationAndRlsMatchesRidge() {
    TimeSeries mg = MackeyGlass.generate(2000, 7);
    var chosen = ReservoirTrainer.forecast(mg, setup(50, 1e-8, 1e-4, 10), Progress.silent()).report();
    assertEquals(3, chosen.validationNrmse().length);
    double best = Arrays.stream(chosen.validationNrmse()).min().orElseThrow();
    int k = 0;
    while (chosen.validationNrmse()[k] != best) {
      k++;
    }
    assertEquals(chosen.ridges()[k], chosen.ridge());
    var ridge = ReservoirTrainer.forecast(mg, setup(50, 1e-2), Progress.silent()).report();
    ReservoirSetup rls = new ReservoirSetup("esn", 3, List.of(ReservoirSpec.of(50)), null, 100, new double[] {1e-2}, 1,
        false, "rls", 1, 0.5, 0, 1);
    var online = ReservoirTrainer.forecast(mg, rls, Progress.silent()).report();
    // RLS with forgetting 1 and P(0) = I / delta solves the same regularised least squares as ridge(delta)
    assertEquals(ridge.test().nrmse(), online.test().nrmse(), 0.02 * ridge.test().nrmse());
  }

  @Test
  void deepAndFeedbackNetworksRun() {
    TimeSeries mg = MackeyGlass.generate(2000, 1);
    ReservoirSetup deep = new ReservoirSetup("esn", 3, List.of(ReservoirSpec.of(60), ReservoirSpec.of(60)), null,
        100, new double[] {1e-6}, 1, true, "ridge", 1, 0.5, 0, 1);
    var r = ReservoirTrainer.forecast(mg, deep, Progress.silent());
    assertEquals(1 + 60 + 60 + 1, r.model().network().featureCount());
    assertTrue(r.report().test().nrmse() < 0.1, "deep NRMSE " + r.report().test().nrmse());
    ReservoirSpec fb = new ReservoirSpec(60, 0.9, 0.1, 0.5, 1, 1, 0.1, "tanh", 0.1);
    var f = ReservoirTrainer.forecast(mg, new ReservoirSetup("esn", 3, List.of(fb), null, 100, new double[] {1e-3}, 1,
        false, "ridge", 1, 0.5, 0, 1), Progress.silent());
    assertTrue(f.model().network().hasFeedback());
    assertTrue(f.report().test().nrmse() < 0.2, "feedback NRMSE " + f.report().test().nrmse());
    var force = ReservoirTrainer.forecast(mg, new ReservoirSetup("esn", 3, List.of(fb), null, 100,
        new double[] {1e-3}, 1, false, "force", 1, 0.5, 0, 1), Progress.silent());
    var rls = ReservoirTrainer.forecast(mg, new ReservoirSetup("esn", 3, List.of(fb), null, 100,
        new double[] {1e-3}, 1, false, "rls", 1, 0.5, 0, 1), Progress.silent());
    assertTrue(force.report().test().nrmse() < 0.2, "FORCE NRMSE " + force.report().test().nrmse());
    assertTrue(!Arrays.deepEquals(force.model().readout(), rls.model().readout()),
        "FORCE feeds back its own output, so it learns another readout than teacher-forced RLS");
  }

  @Test
  void badSettingsNameTheSetting() {
    assertTrue(msg(() -> ReservoirSpec.of(10).withSpectralRadius(0)).contains("--spectral-radius"));
    assertTrue(msg(() -> new ReservoirSpec(10, 1, 0, 0.3, 1, 1, 0, "tanh", 0)).contains("--density"));
    assertTrue(msg(() -> new ReservoirSpec(10, 1, 1.5, 0.3, 1, 1, 0, "tanh", 0)).contains("--density"));
    assertTrue(msg(() -> ReservoirSpec.of(10).withLeakRate(0)).contains("--leak-rate"));
    assertTrue(msg(() -> ReservoirSpec.of(10).withLeakRate(1.2)).contains("--leak-rate"));
    TimeSeries shortSeries = MackeyGlass.generate(150, 1);
    assertTrue(msg(() -> ReservoirTrainer.forecast(shortSeries, setup(10, 1e-6), Progress.silent()))
        .contains("washout"));
  }

  private static String msg(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void hilbertOrderIsAPathThroughNeighbours() {
    for (int side : new int[] {8, 28}) {
      int[] o = HilbertCurve.order(side, side);
      Set<Integer> seen = new HashSet<>();
      for (int p : o) {
        seen.add(p);
      }
      assertEquals(side * side, seen.size(), "a permutation of the pixels");
      if (side == 8) {
        for (int i = 1; i < o.length; i++) {
          int dr = Math.abs(o[i] / side - o[i - 1] / side);
          int dc = Math.abs(o[i] % side - o[i - 1] % side);
          assertEquals(1, dr + dc, "consecutive cells are 4-neighbours on a power-of-two square");
        }
      }
    }
  }

  @Test
  void wattsStrogatzKeepsDegreesAtZeroRewiringAndEdgesAlways() {
    int[][] lattice = WattsStrogatz.generate(20, 4, 0, new Stream(1, "g"));
    for (int[] nb : lattice) {
      assertEquals(4, nb.length);
    }
    int[][] rewired = WattsStrogatz.generate(20, 4, 0.5, new Stream(1, "g"));
    int edges = Arrays.stream(rewired).mapToInt(nb -> nb.length).sum() / 2;
    assertEquals(40, edges, "rewiring moves edges, never adds or drops them");
    assertTrue(Arrays.deepEquals(rewired, WattsStrogatz.generate(20, 4, 0.5, new Stream(1, "g"))));
    assertThrows(IllegalArgumentException.class, () -> WattsStrogatz.generate(5, 3, 0, new Stream(1, "g")));
  }

  @Test
  void aLoneOddRingOscillatesWithPeriodTwiceItsSize() {
    RingSpec one = new RingSpec(1, 5, 5, 0, 0, 0, 4, 0.3, 4, 4, 0, 0.5, 1, 40);
    RingReservoir r = new RingReservoir(one, 8, 8, 0);
    byte[][] o = r.outputs(new float[64]);
    for (int i = 0; i < 5; i++) {
      for (int t = 20; t + 10 < o.length; t++) {
        assertEquals(o[t][i], o[t + 10][i], "period 10 = 2 x 5 at step " + t);
      }
      boolean toggles = false;
      for (int t = 20; t < 30; t++) {
        toggles |= o[t][i] != o[t + 1][i];
      }
      assertTrue(toggles, "neuron " + i + " oscillates");
    }
  }

  @Test
  void ringSizesAreOddAndInRange() {
    RingSpec s = new RingSpec(50, 4, 10, 0.1, 0.1, 4, 4, 0.3, 8, 4, 0.5, 0.3, 2, 10);
    for (int n : RingReservoir.sizes(s, 9)) {
      assertTrue(n % 2 == 1 && n >= 5 && n <= 9, "size " + n);
    }
  }
}
