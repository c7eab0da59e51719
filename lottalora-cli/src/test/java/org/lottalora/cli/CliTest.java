package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI end to end, in-process: outputs, JSON, and the exit code and one-line error of each bad input. */
class CliTest {
  @TempDir
  Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = LottaLoraCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(VerbRouter.route(args));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void trainSavesReloadsAndEvalAgrees() {
    Path m = dir.resolve("m.lotta");
    Run r = run("train", "--widths", "64,32", "--rank", "4", "--epochs", "4", "--lr", "1e-2", "--out", m.toString(),
        "--quiet");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("trainable params"), r.out());
    assertTrue(r.out().contains("predictions identical on 359/359"), r.out());
    assertTrue(r.out().contains("full fp32 model"), r.out());
    assertTrue(Files.exists(m));
    Run e = run("eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    String acc = r.out().replaceAll("(?s).*test accuracy\\s+([0-9.]+).*", "$1");
    double evalAcc = Double.parseDouble(e.out().replaceAll("(?s).*\"accuracy\":([0-9.]+).*", "$1"));
    assertEquals(Double.parseDouble(acc), evalAcc, 1e-4);
  }

  @Test
  void trainJsonIsOneParsableObject() {
    Run r = run("train", "--family", "linear", "--widths", "32", "--rank", "2", "--epochs", "2", "--out",
        dir.resolve("l.lotta").toString(), "--json", "--quiet");
    assertEquals(0, r.code(), r.err());
    String json = r.out().trim();
    assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
    assertTrue(json.contains("\"reloaded_identical_predictions\":true"), json);
    assertTrue(json.contains("\"layout\":\"64-32-10\""), json);
  }

  @Test
  void backboneCommandPrintsTheDocumentedVector() {
    Run r = run("backbone", "--seed", "42", "--name", "layers.0.weight", "--shape", "8,8", "--count", "2", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("ab1e4d3d5b616a369f8a5f163f8e4e5b2915576481934118b9cd2b079dd734e2"), r.out());
    Run words = run("backbone", "--seed", "42", "--name", "layers.0.weight", "--shape", "4,16", "--raw-words", "2");
    assertTrue(words.out().contains("690b701a6c7ab681"), words.out());
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    Path out = dir.resolve("x.lotta");
    String[][] cases = {
        {"train", "--dataset", "imagenet", "--out", out.toString()},
        {"train", "--rank", "0", "--out", out.toString()},
        {"train", "--init", "gauss", "--out", out.toString()},
        {"train", "--init", "cauchy:s=-1", "--out", out.toString()},
        {"train", "--widths", "784-512-10", "--out", out.toString()},
        {"train", "--family", "resnet", "--out", out.toString()},
        {"train", "--epochs", "many"},
        {"train", "--no-such-option"},
        {"eval"},
    };
    for (String[] c : cases) {
      Run r = run(c);
      assertEquals(2, r.code(), String.join(" ", c) + " -> " + r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
      assertFalse(Files.exists(out), "nothing written");
    }
    // a rank above a layer's width is capped per layer (AdapterConfig.effectiveRank): it trains, and the artifact's
    // per-layer records state each layer's own rank next to the configured 100
    Path capped = dir.resolve("capped.lotta");
    Run c = run("train", "--rank", "100", "--widths", "64,32", "--epochs", "1", "--max-train", "300", "--quiet",
        "--out", capped.toString());
    assertEquals(0, c.code(), c.err());
    org.lottalora.format.proto.Artifact a = org.lottalora.format.ArtifactCodec.read(capped);
    assertEquals(100, a.getAdapter().getRank());
    assertEquals(java.util.List.of(64, 32), a.getAdaptersList().stream().map(x -> x.getRank()).toList());
    Run shown = run("inspect", capped.toString());
    assertTrue(shown.out().contains("rank 100 (capped per layer at min(d_in, d_out): 64, 32)"), shown.out());
    assertTrue(run("train", "--widths", "784-512-10", "--out", out.toString()).err()
        .contains("does not fit the data: it has 64 features"));
  }

  @Test
  void failuresExitOneWithOneLine() throws Exception {
    Run r = run("train", "--out", dir.resolve("no/such/dir/m.lotta").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("does not exist"), r.err());
    assertEquals(1, r.err().trim().lines().count(), r.err());
    Path junk = dir.resolve("junk.lotta");
    Files.writeString(junk, "not a model");
    r = run("eval", junk.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("not a .lotta artifact"), r.err());
    r = run("eval", dir.resolve("missing.lotta").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("no such artifact"), r.err());
    Path m = dir.resolve("nan.lotta");
    r = run("train", "--widths", "16", "--family", "linear", "--epochs", "2", "--lr", "1e30", "--wd", "0",
        "--out", m.toString(), "--quiet");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("loss became"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    System.setProperty("lottalora.cache", dir.resolve("cache").toString());
    try {
      // mnist is in no Debian package, so no folder of the search path has it
      r = run("train", "--dataset", "mnist", "--data-dir", dir.toString(), "--no-download", "--out",
          dir.resolve("f.lotta").toString());
    } finally {
      System.clearProperty("lottalora.cache");
    }
    assertEquals(1, r.code(), r.out());
    assertTrue(r.err().contains("not found") && r.err().contains("--data-dir"), r.err());
  }

  @Test
  void helpListsExitCodes() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("Exit codes") && r.out().contains("train") && r.out().contains("backbone"));
    assertEquals(0, run("train", "--help").code());
  }
}
