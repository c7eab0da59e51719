package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lottalora reservoir ...} end to end, and the one-line error and exit code of each bad input. */
class ReservoirCliTest {
  @TempDir
  Path dir;

  @Test
  void trainEvalForecastAndSearch() throws Exception {
    Path m = dir.resolve("mg.lotta");
    CliTest.Run r = CliTest.run("reservoir", "train", "--units", "60", "--steps", "1500", "-o", m.toString(),
        "--plot", dir.resolve("mg").toString(), "--forecast-csv", dir.resolve("mg.csv").toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double nrmse = Double.parseDouble(r.out().replaceAll("(?s).*\"test_nrmse\":([0-9.eE-]+).*", "$1"));
    assertTrue(nrmse < 0.05, r.out());
    assertTrue(Files.exists(dir.resolve("mg.png")) && Files.exists(dir.resolve("mg.svg")));
    assertTrue(Files.exists(dir.resolve("mg-closed-loop.png")));
    assertEquals(751, Files.readAllLines(dir.resolve("mg.csv")).size(), "header + 750 test steps");
    CliTest.Run e = CliTest.run("reservoir", "eval", m.toString(), "--steps", "1500", "--json");
    assertEquals(0, e.code(), e.err());
    double again = Double.parseDouble(e.out().replaceAll("(?s).*\"test_nrmse\":([0-9.eE-]+).*", "$1"));
    assertEquals(nrmse, again, 1e-3 * nrmse, "the reloaded model measures the same on the same split");
    Path csv = dir.resolve("f.csv");
    CliTest.Run f = CliTest.run("reservoir", "forecast", m.toString(), "--history", "500", "--steps", "20", "-o",
        csv.toString(), "--plot", dir.resolve("fc").toString());
    assertEquals(0, f.code(), f.err());
    assertEquals(21, Files.readAllLines(csv).size());
    assertTrue(Files.readAllLines(csv).get(0).equals("step,x_forecast,x_truth"));
    CliTest.Run i = CliTest.run("inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("reservoir esn, forecast: 60 units"), i.out());
    Path sd = dir.resolve("search");
    CliTest.Run s = CliTest.run("reservoir", "search", "--units", "30", "--steps", "1200", "--trials", "2", "--dir",
        sd.toString(), "--json");
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().contains("\"best\":{\"index\""), s.out());
    assertTrue(Files.exists(sd.resolve("landscape-ridge.png")));
    CliTest.Run s2 = CliTest.run("reservoir", "search", "--units", "30", "--steps", "1200", "--trials", "2", "--dir",
        sd.toString(), "--json");
    assertTrue(s2.out().contains("\"resumed\":2"), s2.out());
  }

  @Test
  void badInputGetsOneLineAndExitTwo() throws Exception {
    Path csv = dir.resolve("gap.csv");
    Files.writeString(csv, "t,v\n1,2\n2,\n");
    String out = dir.resolve("x.lotta").toString();
    String[][] cases = {
        {"--spectral-radius", "0", "--spectral-radius must be > 0"},
        {"--density", "1.5", "--density must be in (0, 1]"},
        {"--leak-rate", "0", "--leak-rate must be in (0, 1]"},
        {"--steps", "150", "must exceed the washout"},
        {"--series", csv.toString(), "line 3 column 2: missing value"},
    };
    for (String[] c : cases) {
      CliTest.Run r = CliTest.run("reservoir", "train", c[0], c[1], "-o", out);
      assertEquals(2, r.code(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[2]), r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertTrue(r.err().startsWith("lottalora reservoir train: "), r.err());
    }
    CliTest.Run sing = CliTest.run("reservoir", "train", "--ridge", "0", "--units", "300", "--density", "1", "--steps",
        "400", "--washout", "10", "-o", out);
    assertEquals(2, sing.code(), sing.err());
    assertTrue(sing.err().contains("singular") && sing.err().contains("raise the regularisation"), sing.err());
    assertFalse(Files.exists(Path.of(out)), "no file written on failure");
  }
}
