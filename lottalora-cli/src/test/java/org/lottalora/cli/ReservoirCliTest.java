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
  void freeRunsTrainEvaluateAndReloadTheSame() throws Exception {
    Path m = dir.resolve("fr.lotta");
    CliTest.Run r = CliTest.run("reservoir", "train", "--units", "80", "--steps", "2400", "--train-fraction", "0.75",
        "--init-preset", "reservoirpy", "--input-density", "1", "--bias-scaling", "0.2", "--input-scaling", "0.1",
        "--leak-rate", "1", "--spectral-radius", "1", "--ridge", "1e-10,1e-6", "--noise", "0,1e-5", "--select",
        "closed-loop", "--free-run", "40", "--free-run-trials", "20", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double free = Double.parseDouble(r.out().replaceAll("(?s).*\"free_run_nrmse\":([0-9.eE-]+).*", "$1"));
    assertTrue(free < 0.2, r.out());
    assertTrue(r.out().contains("\"free_run_trials\":20") && r.out().contains("\"valid_steps_median\":"), r.out());
    assertEquals(4, r.out().replaceAll("(?s).*\"validation_nrmse\":\\[([^]]*)].*", "$1").split(",").length,
        "2 noise levels x 2 ridges judged: " + r.out());
    CliTest.Run e = CliTest.run("reservoir", "eval", m.toString(), "--steps", "2400", "--train-fraction", "0.75",
        "--free-run", "40", "--free-run-trials", "20", "--json");
    assertEquals(0, e.code(), e.err());
    double again = Double.parseDouble(e.out().replaceAll("(?s).*\"free_run_nrmse\":([0-9.eE-]+).*", "$1"));
    assertEquals(free, again, 0.05 * free, "the reloaded model (fp32 readout) runs free as it did");
    CliTest.Run text = CliTest.run("reservoir", "eval", m.toString(), "--steps", "2400", "--train-fraction", "0.75",
        "--free-run", "40", "--free-run-trials", "20");
    assertTrue(text.out().contains("by std") && text.out().contains("by range")
        && text.out().contains("free runs: 20 trials of 40 steps"), text.out());
    Path sd = dir.resolve("search-cl");
    CliTest.Run s = CliTest.run("reservoir", "search", "--units", "30", "--steps", "2000", "--trials", "2",
        "--select", "closed-loop", "--free-run", "30", "--free-run-trials", "5", "--dir", sd.toString());
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().contains("validation free-run NRMSE (steps 1..30"), s.out());
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
        {"--free-run", "5000", "longer than the test part of the series (2000 steps)"},
        {"--select", "closed-loop", "needs a free-run horizon (--free-run STEPS"},
        {"--init-preset", "pyreservoir", "unknown --init-preset 'pyreservoir'; valid: gaussian, reservoirpy"},
        {"--noise", "-1", "--noise must be >= 0"},
        {"--free-run-trials", "0", "--free-run-trials must be >= 1"},
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
