package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Decision Transformer from the command line: a dataset written by {@code dt dataset}, trained by {@code train
 * --family dt}, scored by {@code eval} (rollouts), asked for an action by {@code predict}, rolled out at several
 * targets by {@code dt rollout}, swept by {@code sweep --family dt}; and bad trajectory files, prefixes longer
 * than the context and options the family does not take, each refused in one line.
 */
class DtCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*?\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void datasetTrainEvalPredictRolloutAndSweep() throws Exception {
    Path data = dir.resolve("pm.csv");
    CliTest.Run d = CliTest.run("dt", "dataset", "--env", "pendulum", "--quality", "medium-expert", "--episodes",
        "12", "--out", data.toString(), "--json");
    assertEquals(0, d.code(), d.err());
    assertEquals(12, (int) number(d.out(), "episodes"));
    assertTrue(Files.readString(data).startsWith("# lottalora trajectories v1\n# env=pendulum\n"));

    Path m = dir.resolve("dt.lotta");
    CliTest.Run t = CliTest.run("train", "--family", "dt", "--dataset", data.toString(), "--rank", "2", "--epochs",
        "1", "--windows", "128", "--eval-episodes", "2", "--out", m.toString(), "--json");
    assertEquals(0, t.code(), t.err() + t.out());
    assertTrue(t.out().contains("\"score_name\":\"normalized score / 100\""), t.out());
    double score = number(t.out(), "test_accuracy");

    CliTest.Run e = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(100 * score, number(e.out(), "normalized_score"), 1e-9, e.out());
    CliTest.Run e2 = CliTest.run("eval", m.toString(), "--set", "target=-900", "--set", "eval-episodes=1",
        "--json");
    assertEquals(0, e2.code(), e2.err());
    assertEquals(-900, number(e2.out(), "target_return"), 1e-9, e2.out());
    CliTest.Run badSet = CliTest.run("eval", m.toString(), "--set", "split=val");
    assertEquals(2, badSet.code());
    assertTrue(badSet.err().contains("dt eval takes --set target=RETURN"), badSet.err());

    Path prefix = dir.resolve("prefix.csv");
    Files.writeString(prefix, "# env=pendulum\nepisode,step,s0,s1,s2,a0,reward,done\n0,3,1,0,0.1,0.5,-0.1,0\n"
        + "0,4,0.99,0.01,0.2,,,\n");
    CliTest.Run p = CliTest.run("predict", m.toString(), prefix.toString(), "--set", "target=-200", "--json");
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("\"step\":4") && p.out().contains("\"target_return\":-200.0"), p.out());
    double a = Double.parseDouble(p.out().replaceAll("(?s).*\"action\":\\[([0-9.eE-]+)\\].*", "$1"));
    assertTrue(a >= -2 && a <= 2, "a torque within the task's bounds: " + a);

    StringBuilder longer = new StringBuilder("# env=pendulum\nepisode,step,s0,s1,s2,a0,reward,done\n");
    for (int s = 0; s < 11; s++) {
      longer.append("0,").append(s).append(",1,0,0,").append(s < 10 ? "0,-1,0" : ",,").append('\n');
    }
    Files.writeString(prefix, longer.toString());
    CliTest.Run tooLong = CliTest.run("predict", m.toString(), prefix.toString());
    assertEquals(1, tooLong.code());
    assertTrue(tooLong.err().contains(prefix + " episode 0: a prefix of 11 steps (steps 0..10) is longer than the "
        + "model's context of 10 steps"), tooLong.err());
    assertEquals(1, tooLong.err().strip().lines().count(), tooLong.err());

    CliTest.Run v = CliTest.run("verify", m.toString());
    assertEquals(0, v.code(), v.err() + v.out());
    assertTrue(v.out().contains("dt model") && v.out().contains("verified"), v.out());
    Path half = dir.resolve("dt16.lotta");
    CliTest.Run c = CliTest.run("convert", m.toString(), "--dtype", "fp16", "-o", half.toString());
    assertEquals(0, c.code(), c.err());
    CliTest.Run i = CliTest.run("inspect", half.toString());
    assertTrue(i.out().contains("settings   ") && i.out().contains("env pendulum"), i.out());
    assertTrue(i.out().contains("training   " + data + " (2,400 rows), 1 epochs, batch 32"), i.out());

    CliTest.Run r = CliTest.run("dt", "rollout", m.toString(), "--targets", "-1000,-150", "--episodes", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("-1000.0") && r.out().contains("-150.0"), r.out());

    Path sweep = dir.resolve("sweep");
    CliTest.Run s = CliTest.run("sweep", "--family", "dt", "--dataset", data.toString(), "--ranks", "1", "--seeds",
        "0", "--epochs", "1", "--windows", "64", "--eval-episodes", "1", "--out", sweep.toString(), "--quiet");
    assertEquals(0, s.code(), s.err());
    String report = Files.readString(sweep.resolve("report.md"));
    assertTrue(report.contains("# Sweep report: dt") && report.contains("normalized score / 100"), report);
    assertEquals(2, Files.readAllLines(sweep.resolve("runs.csv")).size() - 1, "full + rank 1");
  }

  @Test
  void badTrajectoryFilesAndOptionsAreRefusedInOneLine() throws Exception {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n0,0,0,0,0,0,1,1,0\n"
        + "0,1,0,0,0,0,1,nan,0\n");
    CliTest.Run r = CliTest.run("train", "--family", "dt", "--dataset", bad.toString(), "--out",
        dir.resolve("x.lotta").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains(bad + " line 4 (episode 0, step 1): reward is nan; every value must be finite"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(dir.resolve("x.lotta")));

    Files.writeString(bad, "# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n0,0,0,0,0,0,1,1,0\n"
        + "0,2,0,0,0,0,3,1,0\n");
    CliTest.Run check = CliTest.run("dt", "dataset", "--check", bad.toString());
    assertEquals(1, check.code());
    assertTrue(check.err().contains("line 4 (episode 0, step 2): expected step 1 (steps 1..1 are missing)"),
        check.err());

    CliTest.Run widths = CliTest.run("train", "--family", "dt", "--widths", "64", "--out",
        dir.resolve("y.lotta").toString());
    assertEquals(2, widths.code());
    assertTrue(widths.err().contains("family dt does not take --widths"), widths.err());
    CliTest.Run quality = CliTest.run("dt", "dataset", "--quality", "superb", "--out",
        dir.resolve("q.csv").toString());
    assertEquals(2, quality.code());
    assertTrue(quality.err().contains("the qualities are random, medium-replay, medium, medium-expert, expert"),
        quality.err());
    CliTest.Run context = CliTest.run("train", "--family", "dt", "--context", "600", "--out",
        dir.resolve("z.lotta").toString());
    assertEquals(2, context.code());
    assertTrue(context.err().contains("context of 600 steps is longer than cartpole's 500-step episodes"),
        context.err());
  }

  @Test
  void aCheckpointedRunResumesToTheSameModelAndRefusesAnotherRun() throws Exception {
    Path ck = dir.resolve("dt.ckpt");
    String[] run = {"train", "--family", "dt", "--dataset", "cartpole-medium", "--episodes", "12", "--epochs", "2",
        "--windows", "64", "--eval-episodes", "2", "--rank", "2", "--checkpoint", ck.toString(), "--json"};
    java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(run));
    a.addAll(java.util.List.of("--out", dir.resolve("a.lotta").toString()));
    CliTest.Run first = CliTest.run(a.toArray(new String[0]));
    assertEquals(0, first.code(), first.err());
    assertTrue(Files.isRegularFile(ck), "a checkpoint after every epoch");
    java.util.List<String> b = new java.util.ArrayList<>(java.util.List.of(run));
    b.addAll(java.util.List.of("--out", dir.resolve("b.lotta").toString(), "--resume"));
    CliTest.Run resumed = CliTest.run(b.toArray(new String[0]));
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(number(first.out(), "test_accuracy"), number(resumed.out(), "test_accuracy"),
        "resumed after its last epoch: the same model");
    java.util.List<String> c = new java.util.ArrayList<>(java.util.List.of(run));
    c.addAll(java.util.List.of("--out", dir.resolve("c.lotta").toString(), "--resume", "--lr", "1e-2"));
    CliTest.Run other = CliTest.run(c.toArray(new String[0]));
    assertEquals(1, other.code());
    assertTrue(other.err().contains("belongs to another run"), other.err());
    assertFalse(Files.exists(dir.resolve("c.lotta")));
    Path dck = dir.resolve("dense.ckpt"); // the dense families are on the one loop too: they checkpoint alike
    CliTest.Run dense = CliTest.run("train", "--family", "mlp", "--epochs", "2", "--checkpoint", dck.toString(),
        "--out", dir.resolve("d.lotta").toString(), "--quiet", "--json");
    assertEquals(0, dense.code(), dense.err());
    assertTrue(Files.isRegularFile(dck));
    CliTest.Run denseAgain = CliTest.run("train", "--family", "mlp", "--epochs", "2", "--checkpoint", dck.toString(),
        "--resume", "--out", dir.resolve("d2.lotta").toString(), "--quiet", "--json");
    assertEquals(0, denseAgain.code(), denseAgain.err());
    assertEquals(number(dense.out(), "test_accuracy"), number(denseAgain.out(), "test_accuracy"));
    CliTest.Run noFile = CliTest.run("train", "--family", "dt", "--resume", "--out", dir.resolve("e.lotta")
        .toString());
    assertEquals(2, noFile.code());
    assertTrue(noFile.err().contains("--resume needs --checkpoint FILE"), noFile.err());
  }
}
