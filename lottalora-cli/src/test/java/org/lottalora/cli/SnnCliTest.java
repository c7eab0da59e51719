package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lottalora snn ...} end to end, and the one-line error and exit code of each bad input. */
class SnnCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void trainEvalInspectWithPictures() throws Exception {
    Path m = dir.resolve("dc.lotta");
    CliTest.Run r = CliTest.run("snn", "train", "--neurons", "25", "--train-examples", "400", "--label-examples",
        "300", "--time", "120", "--test-examples", "150", "--checkpoint-every", "150", "-o", m.toString(),
        "--plots", dir.resolve("p").toString(),
        "--json");
    assertEquals(0, r.code(), r.err());
    double acc = number(r.out(), "accuracy_proportion");
    assertFalse(Files.exists(dir.resolve("dc.lotta.ckpt")), "a finished run removes its checkpoint");
    assertTrue(acc > 0.4, r.out());
    for (String f : new String[] {"filters.png", "raster.png", "raster.svg", "voltage.png", "voltage.svg"}) {
      assertTrue(Files.size(dir.resolve("p").resolve(f)) > 1000, f);
    }
    CliTest.Run e = CliTest.run("snn", "eval", m.toString(), "--test-examples", "150", "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(acc, number(e.out(), "accuracy_proportion"), "the reloaded model scores the same presentations");
    CliTest.Run i = CliTest.run("snn", "inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("layer exc    adaptive-lif") && i.out().contains("neurons per class"), i.out());
    CliTest.Run top = CliTest.run("inspect", m.toString());
    assertEquals(0, top.code(), top.err());
    assertTrue(top.out().contains("spiking diehl-cook"), top.out());
    CliTest.Run d = CliTest.run("snn", "train", "--network", "delay", "--train-examples", "120", "-o",
        dir.resolve("d.lotta").toString(), "--json");
    assertEquals(0, d.code(), d.err());
    assertTrue(number(d.out(), "accuracy") > 0.9, d.out());
    CliTest.Run de = CliTest.run("snn", "inspect", dir.resolve("d.lotta").toString());
    assertTrue(de.out().contains("delay-stdp") && de.out().contains("delays "), de.out());
  }

  static final String SPEC = """
      {"dt": 1.0,
       "layers": [{"name": "input", "model": "input", "n": 64},
                  {"name": "exc", "model": "lif", "n": 30, "params": {"thresh": -55}},
                  {"name": "izh", "model": "izhikevich", "n": 5}],
       "connections": [{"name": "in_exc", "source": "input", "target": "exc", "topology": "dense",
                        "params": {"w_lo": 0, "w_hi": 0.6, "wmin": 0, "wmax": 1, "delay_max": 3},
                        "rule": "post-pre", "rule_params": {"nu_post": 0.01}},
                       {"name": "exc_izh", "source": "exc", "target": "izh", "params": {"w": 4}}]}
      """;

  @Test
  void simulateRunsAJsonNetworkAndRefusesBadSpecs() throws Exception {
    Path f = dir.resolve("net.json");
    Files.writeString(f, SPEC);
    CliTest.Run r = CliTest.run("snn", "simulate", "--spec", f.toString(), "--examples", "3", "--learn", "--plots",
        dir.resolve("sim").toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(number(r.out(), "exc") > 0 && number(r.out(), "input") > 0, r.out());
    assertTrue(Files.exists(dir.resolve("sim").resolve("raster.svg")));
    String[][] bad = {
        {"\"wmax\": 1", "\"wmax\": -1", "connections[0]: connection 'in_exc': weight bounds wmin (0.0) > wmax (-1.0)"},
        {"\"n\": 5", "\"n\": 5.5", "layers[2].n must be a whole number"},
        {"\"dt\": 1.0", "\"dt\": 0", "dt must be > 0"},
        {"\"delay_max\": 3", "\"delay_max\": 900", "longer than the simulation"},
        {"\"source\": \"exc\"", "\"source\": \"exd\"", "names layer 'exd', which the network does not have"},
        {"\"n\": 64", "\"n\": 65", "input layer 'input' has 65 neurons but digits images have 64 pixels"},
        {"\"nu_post\"", "\"nu\"", "connections[0]: rule post-pre has no parameter 'nu'"},
        {"\"layers\": [", "\"layers\": [[", "not valid JSON (line"},
    };
    for (String[] c : bad) {
      Files.writeString(f, SPEC.replace(c[0], c[1]));
      CliTest.Run b = CliTest.run("snn", "simulate", "--spec", f.toString());
      assertEquals(2, b.code(), c[1] + ": " + b.err());
      assertTrue(b.err().contains(c[2]), b.err());
      assertEquals(1, b.err().strip().lines().count(), "one line: " + b.err());
    }
  }

  @Test
  void badInputGetsOneLineAndExitTwo() throws Exception {
    String out = dir.resolve("x.lotta").toString();
    String[][] cases = {
        {"--dt", "0", "dt must be > 0"},
        {"--rate", "-5", "rate must be >= 0"},
        {"--network", "hopfield", "unknown --network 'hopfield'"},
        {"--time", "0", "--time must be >= 1"},
        {"--encoder", "morse", "unknown encoder 'morse'"},
    };
    for (String[] c : cases) {
      CliTest.Run r = CliTest.run("snn", "train", c[0], c[1], "--train-examples", "5", "-o", out);
      assertEquals(2, r.code(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[2]), r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertTrue(r.err().startsWith("lottalora snn train: "), r.err());
    }
    CliTest.Run lm = CliTest.run("snn", "train", "--network", "lm-snn", "--neurons", "10", "-o", out);
    assertEquals(2, lm.code(), lm.err());
    assertTrue(lm.err().contains("square number"), lm.err());
    CliTest.Run j = CliTest.run("snn", "train", "--network", "delay", "--jitter", "-1", "-o", out);
    assertEquals(2, j.code(), j.err());
    assertTrue(j.err().contains("jitter >= 0"), j.err());
    assertFalse(Files.exists(Path.of(out)), "no file on failure");
    CliTest.Run res = CliTest.run("snn", "train", "--resume", "--train-examples", "5", "-o", out);
    assertEquals(2, res.code(), res.err());
    assertTrue(res.err().contains("no checkpoint at"), res.err());
    Path notSnn = dir.resolve("note.lotta");
    Files.writeString(notSnn, "not an artifact");
    CliTest.Run e = CliTest.run("snn", "eval", notSnn.toString());
    assertEquals(1, e.code(), e.err());
    assertEquals(1, e.err().strip().lines().count(), e.err());
  }
}
