package org.lottalora.core.data.series;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The series generators (determinism, the equations' behaviour) and the CSV reader's errors. */
class SeriesTest {
  @TempDir
  Path dir;

  @Test
  void mackeyGlassIsSeededChaoticAndBounded() {
    TimeSeries a = MackeyGlass.generate(3000, 1);
    TimeSeries b = MackeyGlass.generate(3000, 1);
    TimeSeries c = MackeyGlass.generate(3000, 2);
    assertArrayEquals(a.channel(0), b.channel(0));
    assertEquals(1.2, a.values()[0][0]);
    double[] x = a.channel(0);
    double[] y = c.channel(0);
    assertFalse(Arrays.equals(x, y), "another seed draws another initial history");
    double lo = Arrays.stream(x).skip(500).min().orElseThrow();
    double hi = Arrays.stream(x).skip(500).max().orElseThrow();
    assertTrue(lo > 0.2 && hi < 1.5 && hi - lo > 0.6, "the tau=17 attractor spans about 0.4..1.3: " + lo + ".." + hi);
    // chaos: a tiny change of the initial history grows to an order-one difference
    double late = Math.abs(x[2999] - y[2999]) + Math.abs(x[2990] - y[2990]) + Math.abs(x[2980] - y[2980]);
    assertTrue(late > 0.05, "trajectories from different histories decorrelate");
  }

  @Test
  void mackeyGlassStepIsRk4OfTheDelayEquation() {
    // With tau = 0 the delay term is 0 (as in ReservoirPy): dx/dt = -b x, so one RK4 step multiplies by the
    // fourth-order Taylor polynomial of exp(-b h).
    TimeSeries s = MackeyGlass.generate(3, 0, new MackeyGlass.Params(0, 0.2, 0.1, 10, 1.0, 1.0));
    double k = 1 - 0.1 + 0.01 / 2 - 0.001 / 6 + 0.0001 / 24;
    assertEquals(k, s.values()[1][0], 1e-15);
    assertEquals(k * k, s.values()[2][0], 1e-15);
  }

  @Test
  void lorenzFollowsTheAttractor() {
    TimeSeries s = Lorenz.generate(4000);
    assertArrayEquals(new double[] {1, 1, 1}, s.values()[0]);
    double[] z = s.channel(2);
    double mz = Arrays.stream(z).skip(1000).average().orElseThrow();
    assertTrue(mz > 20 && mz < 27, "mean z on the attractor is about 23.5: " + mz);
    // halving the inner step barely moves the first second of the trajectory (RK4 converged)
    TimeSeries fine = Lorenz.generate(30, new Lorenz.Params(10, 28, 8.0 / 3, new double[] {1, 1, 1}, 0.03, 20));
    for (int t = 0; t < 30; t++) {
      assertEquals(s.values()[t][0], fine.values()[t][0], 1e-5);
    }
  }

  @Test
  void csvReadsHeaderAndNamesBadCells() throws Exception {
    Path ok = dir.resolve("ok.csv");
    Files.writeString(ok, "a,b\n1,2\n3,4.5\n");
    TimeSeries s = SeriesCsv.read(ok);
    assertEquals(2, s.length());
    assertArrayEquals(new String[] {"a", "b"}, s.channels());
    assertEquals(4.5, s.values()[1][1]);
    Path missing = dir.resolve("m.csv");
    Files.writeString(missing, "a,b\n1,2\n3,\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(missing));
    assertTrue(e.getMessage().contains("line 3 column 2: missing value"), e.getMessage());
    Path ragged = dir.resolve("r.csv");
    Files.writeString(ragged, "1,2\n3\n");
    e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(ragged));
    assertTrue(e.getMessage().contains("line 2: 1 columns, expected 2"), e.getMessage());
    Path text = dir.resolve("t.csv");
    Files.writeString(text, "1,2\n3,x\n");
    e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(text));
    assertTrue(e.getMessage().contains("'x' is not a number"), e.getMessage());
  }
}
