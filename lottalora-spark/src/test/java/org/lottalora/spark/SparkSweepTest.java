package org.lottalora.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.sweep.SweepConfig;
import org.lottalora.core.sweep.SweepReport;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.models.sweep.PcaAnalysis;
import org.lottalora.models.sweep.SweepBackend;
import org.lottalora.models.sweep.SweepRunner;
import picocli.CommandLine;

/** Sweeps on an embedded local[2] Spark against the local runner: same results, same folder, same resume. */
class SparkSweepTest {
  @TempDir
  Path dir;

  static SweepConfig grid(List<Integer> ranks) {
    return new SweepConfig("digits", 0, 0, "mlp", new int[] {16}, ranks, List.of(0L, 1L), List.of("normal"),
        List.of(1.0), List.of(false), false, 2, 128, 1e-2, 1e-2);
  }

  static final BiConsumer<SweepStore, SweepRunner.Summary> REPORT = (store, s) -> {
    store.addWallSeconds(s.wallSeconds());
    SweepReport.write(store, List.of(1.0), List.of(), PcaAnalysis.of(store, List.of(0.9)), store.wallSeconds(),
        "test");
  };

  /** Every field but the wall time, which is the only thing allowed to differ. */
  static void assertSameResult(RunResult a, RunResult b) {
    assertEquals(a.id(), b.id());
    assertEquals(a.spec(), b.spec());
    assertEquals(Double.doubleToRawLongBits(a.testAccuracy()), Double.doubleToRawLongBits(b.testAccuracy()), a.id());
    assertEquals(Double.doubleToRawLongBits(a.testLoss()), Double.doubleToRawLongBits(b.testLoss()), a.id());
    assertEquals(a.bestValAccuracy(), b.bestValAccuracy(), 0.0);
    assertEquals(a.bestEpoch(), b.bestEpoch());
    assertEquals(a.trainableParams(), b.trainableParams());
    assertEquals(a.modelParams(), b.modelParams());
    assertEquals(a.betas(), b.betas()); // Float.equals: bit for bit
    assertEquals(a.failure(), b.failure());
    assertEquals(a.scaffoldRemovedAccuracy(), b.scaffoldRemovedAccuracy());
  }

  @Test
  void sameResultsAsTheLocalRunnerAndResumesTheSameWay() throws Exception {
    SweepConfig cfg = grid(List.of(1, 2));
    SweepStore local = SweepStore.open(dir.resolve("local"), cfg);
    SweepRunner.run(local, 2, null);

    Path sparkDir = dir.resolve("spark");
    SweepBackend spark = SweepBackend.find("spark").orElseThrow(); // found through META-INF/services
    SweepRunner.Summary s = spark.run(cfg, sparkDir.toString(), "local[2]", System.err, REPORT);
    assertEquals(4, s.total());
    assertEquals(4, s.ran());
    SweepStore store = SweepStore.existing(sparkDir);
    for (RunSpec r : cfg.runs()) {
      assertSameResult(local.read(r), store.read(r));
      assertTrue(Files.size(store.artifact(r)) > 0);
    }
    for (String f : List.of("runs.csv", "report.json", "report.md", "accuracy_vs_rank.png", "wall_seconds.txt")) {
      assertTrue(Files.exists(sparkDir.resolve(f)), f);
    }
    try (var files = Files.walk(sparkDir)) { // no temporary files, no Hadoop .crc files
      assertEquals(List.of(), files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tmp") || n.endsWith(".crc")).toList());
    }

    // a rerun trains nothing (and starts no Spark)
    SweepRunner.Summary again = spark.run(cfg, sparkDir.toString(), "local[2]", null, REPORT);
    assertEquals(0, again.ran());
    assertEquals(4, again.skipped());

    // a torn record and a missing one are run again, a finished one is not touched
    List<RunSpec> runs = cfg.runs();
    Path torn = store.runDir(runs.get(0)).resolve("result.json");
    Files.writeString(torn, "{\"id\": \"r1-");
    Files.delete(store.runDir(runs.get(3)).resolve("result.json"));
    long untouched = Files.getLastModifiedTime(store.runDir(runs.get(1)).resolve("result.json")).toMillis();
    SweepRunner.Summary fixed = spark.run(cfg, sparkDir.toString(), "local[2]", null, REPORT);
    assertEquals(2, fixed.ran());
    assertEquals(1, fixed.rerun());
    assertEquals(2, fixed.skipped());
    assertEquals(untouched, Files.getLastModifiedTime(store.runDir(runs.get(1)).resolve("result.json")).toMillis());
    for (RunSpec r : runs) {
      assertSameResult(local.read(r), store.read(r));
    }
    // the local runner resumes the Spark folder as its own: nothing left to do
    assertEquals(0, SweepRunner.run(SweepStore.open(sparkDir, cfg), 1, null).ran());
  }

  @Test
  void aRunThatDivergesIsRecordedWithItsLineAndDoesNotStopTheOthers() throws Exception {
    // every per-run input is now checked before the sweep starts (a rank above a layer's width, the bad input this
    // test used, is capped as everywhere else); what can still go wrong inside one task is training itself: a
    // scaffold of standard deviation 1e38 overflows the second run's first forward pass
    SweepConfig cfg = new SweepConfig("digits", 0, 300, "mlp", new int[] {16}, List.of(1), List.of(0L),
        List.of("normal", "normal:sigma=1e38"), List.of(1.0), List.of(false), false, 1, 128, 1e-2, 1e-2);
    Path out = dir.resolve("bad");
    SweepRunner.Summary s = new SparkSweep().run(cfg, out.toString(), "local[2]", null, REPORT);
    assertEquals(2, s.ran());
    SweepStore store = SweepStore.existing(out);
    RunResult ok = store.read(cfg.runs().get(0));
    RunResult diverged = store.read(cfg.runs().get(1));
    assertEquals(null, ok.failure());
    assertTrue(Double.isFinite(ok.testLoss()), "the normal scaffold trains: " + ok.testLoss());
    assertTrue(diverged.failure() != null && diverged.failure().startsWith("loss became "), diverged.failure());
    assertFalse(diverged.failure().contains("\n"), diverged.failure());
    assertTrue(Files.exists(out.resolve("report.md"))); // both are reported
  }

  @Test
  void aFolderThatCannotBeWrittenGetsOneLine() throws Exception {
    SweepConfig cfg = grid(List.of(1));
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    LottaException driver = assertThrows(LottaException.class,
        () -> new SparkSweep().run(cfg, file.resolve("sweep").toString(), "local[2]", null, REPORT));
    assertTrue(driver.getMessage().startsWith("cannot create sweep folder"), driver.getMessage());
    assertFalse(driver.getMessage().contains("\n"));

    // the driver can write sweep.json but the executors cannot write runs/ (here: runs is a file)
    Path out = dir.resolve("s");
    SweepStore.open(out, cfg);
    Files.delete(out.resolve("runs"));
    Files.writeString(out.resolve("runs"), "not a folder");
    LottaException exec = assertThrows(LottaException.class,
        () -> new SparkSweep().run(cfg, out.toString(), "local[2]", null, REPORT));
    assertTrue(exec.getMessage().startsWith("the Spark executors cannot write the sweep folder file:"),
        exec.getMessage());
    assertFalse(exec.getMessage().contains("\n"), exec.getMessage());
  }

  @Test
  void theCliRunsOnSpark() throws Exception {
    Path out = dir.resolve("cli");
    StringWriter o = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = org.lottalora.cli.LottaLoraCli.commandLine();
    cl.setOut(new PrintWriter(o, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("sweep", "--out", out.toString(), "--widths", "16", "--ranks", "1,2", "--seeds", "0",
        "--epochs", "1", "--lr", "1e-2", "--max-train", "300", "--spark", "local[2]", "--quiet");
    assertEquals(0, code, err.toString());
    assertTrue(o.toString().contains("3 runs (3 run now, 0 already done, 0 rerun)"), o.toString());
    assertTrue(o.toString().contains("on Spark local[2]"), o.toString());
    assertTrue(Files.exists(out.resolve("report.md")) && Files.exists(out.resolve("runs.csv")));
    assertTrue(Files.readString(out.resolve("machine.txt")).contains("Spark master local[2]"));

    StringWriter err2 = new StringWriter();
    cl.setErr(new PrintWriter(err2, true));
    assertEquals(2, cl.execute("sweep", "--out", out.toString(), "--widths", "16", "--ranks", "1,2", "--seeds", "0",
        "--epochs", "1", "--lr", "1e-2", "--max-train", "300", "--spark", "local[2]", "--workers", "2"));
    assertEquals(1, err2.toString().strip().lines().count(), err2.toString());
    assertTrue(err2.toString().contains("--workers does not apply with --spark"), err2.toString());
  }

  @Test
  void aFolderOnAnotherFileSystemGoesThroughAStagingCopy() throws Exception {
    // what hdfs:// or s3a:// take: records polled into a local staging folder, the report uploaded
    System.setProperty("spark.hadoop.fs." + OtherSchemeFileSystem.SCHEME + ".impl",
        OtherSchemeFileSystem.class.getName());
    try {
      SweepConfig cfg = grid(List.of(1));
      Path out = dir.resolve("remote");
      String uri = OtherSchemeFileSystem.SCHEME + "://" + out.toAbsolutePath();
      SweepRunner.Summary s = new SparkSweep().run(cfg, uri, "local[2]", null, REPORT);
      assertEquals(2, s.ran());
      SweepStore store = SweepStore.existing(out);
      assertEquals(2, store.results().size());
      for (String f : List.of("runs.csv", "report.json", "report.md", "accuracy_vs_rank.png", "wall_seconds.txt")) {
        assertTrue(Files.exists(out.resolve(f)), f);
      }
      Files.writeString(store.runDir(cfg.runs().get(1)).resolve("result.json"), "torn");
      SweepRunner.Summary again = new SparkSweep().run(cfg, uri, "local[2]", null, REPORT);
      assertEquals(1, again.ran());
      assertEquals(1, again.rerun());
      assertEquals(2, SweepStore.existing(out).results().size());
      assertTrue(SweepStore.existing(out).wallSeconds() >= s.wallSeconds() + again.wallSeconds() - 1e-9);
    } finally {
      System.clearProperty("spark.hadoop.fs." + OtherSchemeFileSystem.SCHEME + ".impl");
    }
  }

  @Test
  void mastersAndFolders() {
    assertEquals("local[2,2]", SparkSweep.sparkConf("local[2]").get("spark.master"));
    assertEquals("local[*,2]", SparkSweep.sparkConf("local[*]").get("spark.master"));
    assertEquals("local[3,5]", SparkSweep.sparkConf("local[3,5]").get("spark.master"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SparkSweep.sparkConf("cluster")).getMessage()
        .contains("spark-submit"));
    assertEquals("hdfs://nn:8020/sweeps/a", SparkSweep.folderUri("hdfs://nn:8020/sweeps/a/"));
    assertTrue(SparkSweep.folderUri("rel/x").startsWith("file:///"));
    assertNull(System.getProperty("spark.master"));
  }
}
