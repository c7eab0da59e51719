package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.cli.CliTest.Run;

/** sweep and report from the command line: a small grid, resume, report rebuild, and each bad input. */
class SweepCliTest {
  @TempDir
  Path dir;

  static String[] grid(Path out, String... extra) {
    String[] base = {"sweep", "--out", out.toString(), "--widths", "16", "--ranks", "1,2", "--seeds", "0",
        "--epochs", "2", "--lr", "1e-2", "--max-train", "300", "--workers", "2", "--quiet"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void sweepsResumesAndRebuildsItsReport() throws Exception {
    Path out = dir.resolve("s");
    Run r = CliTest.run(grid(out, "--eps-points", "1,50"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("3 runs (3 run now, 0 already done"), r.out());
    assertTrue(r.out().contains("r*(50.0 pt)"), r.out());
    assertTrue(Files.exists(out.resolve("accuracy_vs_rank.png")) && Files.exists(out.resolve("report.md")));
    Run again = CliTest.run(grid(out));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("(0 run now, 3 already done"), again.out());
    Files.delete(out.resolve("report.md"));
    Run rep = CliTest.run("report", out.toString(), "--eps-points", "0.1");
    assertEquals(0, rep.code(), rep.err());
    assertTrue(rep.out().contains("3 of 3 runs finished"), rep.out());
    assertTrue(Files.readString(out.resolve("report.md")).contains("PCA"));
  }

  @Test
  void badInputGetsOneLine() throws Exception {
    Path out = dir.resolve("s");
    assertEquals(0, CliTest.run(grid(out)).code());
    String[] other = grid(out);
    other[java.util.Arrays.asList(other).indexOf("--epochs") + 1] = "3";
    ArtifactCliTest.oneLineFailure(CliTest.run(other), 2, "holds another sweep", "epochs: 3 asked, folder has 2");
    ArtifactCliTest.oneLineFailure(CliTest.run(grid(out, "--epochs", "3")), 2, "only once", "--help");
    ArtifactCliTest.oneLineFailure(CliTest.run("report", dir.resolve("none").toString()), 1, "not a sweep folder");
    ArtifactCliTest.oneLineFailure(CliTest.run(grid(dir.resolve("t"), "--eps-points", "200")), 2, "--eps-points");
    Path cfg = dir.resolve("grid.json");
    Files.writeString(cfg, "{\"dataset\":\"digits\",\"splitSeed\":0,\"maxTrain\":0,\"family\":\"mlp\",\"widths\":[8],"
        + "\"ranks\":[],\"seeds\":[0],\"inits\":[\"normal\"],\"alphas\":[1.0],\"rsLora\":[false],\"full\":false,"
        + "\"epochs\":1,\"batch\":8,\"lr\":0.1,\"wd\":0}");
    ArtifactCliTest.oneLineFailure(CliTest.run("sweep", "--out", dir.resolve("u").toString(), "--config",
        cfg.toString()), 2, "empty grid");
    ArtifactCliTest.oneLineFailure(CliTest.run("sweep", "--out", dir.resolve("u").toString(), "--config",
        cfg.toString(), "--ranks", "1"), 2, "not both");
    ArtifactCliTest.oneLineFailure(CliTest.run(grid(dir.resolve("v"), "--scaling", "sqrt")), 2, "--scaling");
  }

  @Test
  void sparkWithoutTheSparkModuleSaysHowToRunIt() {
    // this module's class path has no SweepBackend: the CLI never links against Spark
    ArtifactCliTest.oneLineFailure(CliTest.run("sweep", "--out", dir.resolve("w").toString(), "--widths", "16",
        "--ranks", "1", "--seeds", "0", "--epochs", "1", "--spark", "local[2]"), 2, "lottalora-spark/lottalora-spark",
        "spark-submit");
    assertTrue(Files.notExists(dir.resolve("w")));
    ArtifactCliTest.oneLineFailure(CliTest.run("sweep", "--out", "hdfs://nn/s", "--widths", "16", "--ranks", "1"), 2,
        "is a URI");
  }
}
