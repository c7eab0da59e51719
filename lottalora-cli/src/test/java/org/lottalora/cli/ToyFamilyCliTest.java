package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.models.Lotta;
import org.lottalora.toy.ToyFamily;

/**
 * The family contract from outside: a toy family that exists only in this test's package plus one line in the
 * test's {@code META-INF/services} file is listed by the registry, trained, saved and reloaded by {@code lottalora
 * train}, loaded by {@link Lotta#load}, inspected, and swept into a report by {@code lottalora sweep}; options it
 * does not take are refused naming it.
 */
class ToyFamilyCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void aToyFamilyFromOnePackageAndOneRegistryLineTrainsReloadsAndSweeps() throws Exception {
    assertTrue(FamilyRegistry.ids().contains("toy"), FamilyRegistry.ids().toString());
    CliTest.Run listed = CliTest.run("families", "--json");
    assertEquals(0, listed.code(), listed.err());
    assertTrue(listed.out().contains("\"id\":\"toy\"") && listed.out().contains("\"temperature\":\"1\""),
        listed.out());

    Path m = dir.resolve("toy.lotta");
    CliTest.Run t = CliTest.run("train", "--family", "toy", "--rank", "4", "--epochs", "4", "--set",
        "temperature=0.5", "--out", m.toString(), "--json");
    assertEquals(0, t.code(), t.err() + t.out());
    double acc = number(t.out(), "test_accuracy");
    assertTrue(acc > 0.6, "a linear read-out of digits through an adapted random layer learns: " + t.out());
    assertTrue(t.out().contains("\"temperature\":\"0.5\""), t.out());

    Object loaded = Lotta.load(m);
    ToyFamily.ToyModel toy = Lotta.load(m, ToyFamily.ToyModel.class);
    assertEquals(0.5f, toy.temperature());
    assertTrue(loaded instanceof ToyFamily.ToyModel);
    CliTest.Run i = CliTest.run("inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("toy"), i.out());

    CliTest.Run wrong = CliTest.run("train", "--family", "toy", "--dropout", "0.1", "--out", dir.resolve("x.lotta")
        .toString());
    assertEquals(2, wrong.code());
    assertTrue(wrong.err().contains("family toy does not take --dropout"), wrong.err());
    CliTest.Run eval = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, eval.code(), eval.err());
    assertEquals(acc, number(eval.out(), "test_accuracy"), "eval scores the artifact as training did: " + eval.out());
    CliTest.Run predict = CliTest.run("predict", m.toString(), dir.resolve("none.csv").toString());
    assertEquals(2, predict.code());
    assertTrue(predict.err().contains("family toy has no `predict` of its own"), predict.err());
    CliTest.Run unknown = CliTest.run("train", "--family", "toy", "-o", dir.resolve("y.lotta").toString());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("Unknown option"), "[" + unknown.err() + "]");
    CliTest.Run wrongSet = CliTest.run("sweep", "--family", "toy", "--set", "depth=3", "--out",
        dir.resolve("bad").toString());
    assertEquals(2, wrongSet.code());
    assertTrue(wrongSet.err().contains("family toy does not take --depth"), wrongSet.err());
    assertFalse(Files.exists(dir.resolve("bad")), "a refused grid leaves no folder");

    Path sweep = dir.resolve("sweep");
    // its own setting is an option of the verbs too (declared from the registry), not only --set NAME=VALUE
    CliTest.Run s = CliTest.run("sweep", "--family", "toy", "--ranks", "1,4", "--seeds", "0", "--epochs", "3",
        "--temperature", "2", "--out", sweep.toString(), "--quiet");
    assertEquals(0, s.code(), s.err());
    String report = Files.readString(sweep.resolve("report.md"));
    assertTrue(report.contains("# Sweep report: toy"), report);
    assertTrue(report.contains("Family settings: temperature 2"), report);
    assertTrue(Files.exists(sweep.resolve("accuracy_vs_rank.png")));
    assertEquals(3, Files.readAllLines(sweep.resolve("runs.csv")).size() - 1, "full + 2 ranks");
  }

  @Test
  void aFamilyWithoutEvaluateOrPredictIsRefusedInOneLine() {
    Path m = dir.resolve("bare.lotta");
    CliTest.Run t = CliTest.run("train", "--family", "bare", "--rank", "2", "--epochs", "1", "--out", m.toString(),
        "--quiet");
    assertEquals(0, t.code(), t.err() + t.out());
    CliTest.Run eval = CliTest.run("eval", m.toString());
    assertEquals(2, eval.code());
    assertTrue(eval.err().contains("family bare has no `eval` of its own: load it with Lotta.load(path)"),
        eval.err());
    assertEquals(1, eval.err().strip().lines().count(), eval.err());
    CliTest.Run set = CliTest.run("eval", m.toString(), "--set", "temperature=2");
    assertEquals(2, set.code());
    assertTrue(set.err().contains("family bare's evaluation takes no settings; drop --set temperature"), set.err());
    CliTest.Run predict = CliTest.run("predict", m.toString(), m.toString());
    assertEquals(2, predict.code());
    assertTrue(predict.err().contains("family bare has no `predict` of its own"), predict.err());
  }
}
