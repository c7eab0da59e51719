package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora graph train|eval|predict}: GIN and GCN through train, save, reload, eval and predict; graph files
 * from CSV; and the bad inputs of issue 5 (an edge naming a node that does not exist, a labels file with no labels,
 * the wrong task for a model), each one line and an exit code, with no artifact left behind.
 */
class GraphCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void aRankAboveAHiddenWidthIsCappedAndInspectShowsEachLayersRank() {
    // GCN 8 -> 6 -> 3 at rank 5: the first layer keeps 5, the second takes min(5, 6, 3) = 3
    Path m = dir.resolve("capped.lotta");
    CliTest.Run r = CliTest.run("graph", "train", "--data", "sbm:nodes=200,blocks=2,dims=8", "--hidden", "6,3",
        "--rank", "5", "--epochs", "3", "-o", m.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    CliTest.Run i = CliTest.run("inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("rank 5 (capped per layer at min(d_in, d_out): 5, 3)"), i.out());
  }

  @Test
  void ginTrainsReloadsEvaluatesAndPredicts() {
    Path m = dir.resolve("gin.lotta");
    CliTest.Run r = CliTest.run("graph", "train", "--model", "gin", "--data", "synthetic:count=200,min=12,max=24",
        "--hidden", "16,16", "--rank", "4", "--epochs", "12", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double acc = number(r.out(), "test_accuracy");
    assertTrue(acc > 0.7, "structure is learnable at rank 4: " + r.out());
    assertEquals(acc, number(r.out(), "reloaded_test_accuracy"));
    CliTest.Run e = CliTest.run("graph", "eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(acc, number(e.out(), "test_accuracy"), "eval rebuilds the data and the split from the artifact");
    CliTest.Run p = CliTest.run("graph", "predict", m.toString(), "--limit", "5");
    assertEquals(0, p.code(), p.err());
    String[] lines = p.out().trim().split("\n");
    assertEquals(6, lines.length, p.out());
    assertEquals("graph,class,p0,p1", lines[0]);
    // the verb takes every family: plain eval reads the family from the artifact and answers as graph eval does
    CliTest.Run plainLoad = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, plainLoad.code(), plainLoad.err());
    assertEquals(acc, number(plainLoad.out(), "test_accuracy"));
  }

  @Test
  void gcnTrainsOnCsvFilesAndBadFilesNameTheLine() throws Exception {
    Path g = Files.createDirectories(dir.resolve("g"));
    StringBuilder f = new StringBuilder("id,a,b\n");
    StringBuilder e = new StringBuilder();
    StringBuilder l = new StringBuilder("id,label\n");
    for (int i = 0; i < 60; i++) {
      int c = i % 2;
      f.append("n").append(i).append(',').append(c + 0.3 * Math.sin(i)).append(',').append(1 - c).append('\n');
      e.append("n").append(i).append(",n").append((i + 2) % 60).append('\n');
      l.append("n").append(i).append(',').append(c).append('\n');
    }
    Files.writeString(g.resolve("features.csv"), f);
    Files.writeString(g.resolve("edges.csv"), e);
    Files.writeString(g.resolve("labels.csv"), l);
    Path m = dir.resolve("gcn.lotta");
    CliTest.Run r = CliTest.run("graph", "train", "--data", "csv:" + g, "--hidden", "8", "--rank", "2", "--epochs",
        "60", "--train-fraction", "0.5", "--val-fraction", "0.2", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(number(r.out(), "test_accuracy") > 0.8, r.out());
    CliTest.Run p = CliTest.run("graph", "predict", m.toString());
    assertEquals(61, p.out().trim().split("\n").length, "a header and one line per node");

    Files.writeString(g.resolve("edges.csv"), e + "n3,n99\n");
    Path bad = dir.resolve("bad.lotta");
    CliTest.Run missing = CliTest.run("graph", "train", "--data", "csv:" + g, "--hidden", "8", "-o", bad.toString());
    assertEquals(2, missing.code(), missing.err());
    assertTrue(missing.err().contains("edges.csv line 61") && missing.err().contains("n99"), missing.err());
    assertEquals(1, missing.err().trim().split("\n").length, "one line: " + missing.err());
    Files.writeString(g.resolve("edges.csv"), e);
    Files.writeString(g.resolve("labels.csv"), "id,label\n");
    CliTest.Run noLabels = CliTest.run("graph", "train", "--data", "csv:" + g, "--hidden", "8", "-o", bad.toString());
    assertTrue(noLabels.code() == 1 || noLabels.code() == 2, noLabels.err());
    assertTrue(noLabels.err().contains("labels.csv"), noLabels.err());
    CliTest.Run wrongTask = CliTest.run("graph", "train", "--model", "gin", "--data", "sbm:nodes=100,blocks=2",
        "-o", bad.toString());
    assertEquals(2, wrongTask.code(), wrongTask.err());
    assertTrue(wrongTask.err().contains("node task"), wrongTask.err());
    CliTest.Run badKey = CliTest.run("graph", "train", "--data", "sbm:size=3", "-o", bad.toString());
    assertEquals(2, badKey.code());
    assertTrue(badKey.err().contains("size=3"), badKey.err());
    assertFalse(Files.exists(bad), "no artifact from a failed run");
  }
}
