package org.lottalora.models.decision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.models.Lotta;

/**
 * The dt family through the contract: a short run learns to act better than its random start on the medium-expert
 * mixture, its artifact reloads to the same rollouts, eval and predict answer, the same settings give the same
 * result, and bad settings are refused.
 */
class DtFamilyTest {
  @TempDir
  Path dir;

  static RunSpec run(String dataset, int rank, Map<String, String> extra) {
    return run(dataset, rank, extra, false);
  }

  static RunSpec run(String dataset, int rank, Map<String, String> extra, boolean rsLora) {
    Family f = FamilyRegistry.get("dt");
    Map<String, String> given = new TreeMap<>(Map.of("dataset", dataset, "epochs", "2", "windows", "512",
        "eval-episodes", "3", "episodes", "30"));
    given.putAll(extra);
    Map<String, String> all = f.resolve(given);
    return new RunSpec(all.get("dataset"), 0, 0, "dt", new int[0], rank == 0, Math.max(rank, 1), 2.0 * rank, rsLora,
        0, "normal", Integer.parseInt(all.get("epochs")), Integer.parseInt(all.get("batch")),
        Double.parseDouble(all.get("lr")), Double.parseDouble(all.get("wd")), "fixed", f.own(all));
  }

  @Test
  void aRunLearnsReloadsAndAnswersEvalAndPredict() throws Exception {
    Family f = FamilyRegistry.get("dt");
    RunSpec r = run("cartpole-medium-expert", 4, Map.of());
    Path art = dir.resolve("dt.lotta");
    RunResult res = f.run(r, art, Progress.silent());
    assertTrue(res.testAccuracy() > 0.3, "normalized score / 100 after a short run: " + res.testAccuracy());
    assertNotNull(res.scaffoldRemovedAccuracy());
    assertTrue(res.trainableFraction() < 0.15, "adapters, embeddings, norms and head: " + res.trainableFraction());
    assertEquals(8, res.betas().size(), "W_Q, W_K, W_V, W_O of two blocks");
    DtModel m = Lotta.load(art, DtModel.class);
    assertEquals("cartpole", m.environment().id());
    assertEquals(500.0, m.defaultTarget());
    Map<String, Double> ev = f.evaluate(ArtifactCodec.open(art), art.toString(), Map.of()).orElseThrow();
    assertEquals(100 * res.testAccuracy(), ev.get("normalized_score"), 1e-9, "eval repeats the run's rollouts");
    assertEquals(ev.get("mean_return"), m.rollout(500, 3, 0).meanReturn(), 1e-9);
    Path prefix = dir.resolve("prefix.csv");
    Files.writeString(prefix, "# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n"
        + "0,0,0,0,0.05,0.3,1,1,0\n0,1,0,0.1,0.06,0.2,,,\n");
    List<Map<String, Object>> p = f.predict(ArtifactCodec.open(art), art.toString(), prefix,
        Map.of("target", "450")).orElseThrow();
    assertEquals(1, p.size());
    assertEquals(1, p.get(0).get("step"));
    assertEquals(1, p.get(0).get("action"), "the pole leans right and turns right: push right");
    StringBuilder longer = new StringBuilder("# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n");
    for (int t = 0; t < 12; t++) {
      longer.append("0,").append(t).append(",0,0,0,0,").append(t < 11 ? "1,1,0" : ",,").append('\n');
    }
    Files.writeString(prefix, longer.toString());
    LottaException e = assertThrows(LottaException.class, () -> f.predict(ArtifactCodec.open(art),
        art.toString(), prefix, Map.of()));
    assertTrue(e.getMessage().contains(prefix + " episode 0: a prefix of 12 steps (steps 0..11) is longer than the "
        + "model's context of 10 steps"), e.getMessage());
    assertEquals(1, f.predict(ArtifactCodec.open(art), art.toString(), prefix, Map.of("truncate", "true"))
        .orElseThrow().size());
    assertThrows(IllegalArgumentException.class, () -> f.predict(ArtifactCodec.open(art), art.toString(), prefix,
        Map.of("temperature", "2")));
  }

  @Test
  void theSameSettingsGiveTheSameArtifactBits() throws Exception {
    Family f = FamilyRegistry.get("dt");
    RunSpec r = run("pendulum-medium", 2, Map.of("epochs", "1", "windows", "128", "eval-episodes", "1"));
    RunResult a = f.run(r, dir.resolve("a.lotta"), Progress.silent());
    RunResult b = f.run(r, dir.resolve("b.lotta"), Progress.silent());
    assertEquals(a.testAccuracy(), b.testAccuracy());
    DtModel ma = Lotta.load(dir.resolve("a.lotta"), DtModel.class);
    DtModel mb = Lotta.load(dir.resolve("b.lotta"), DtModel.class);
    ma.model().trained().forEach((k, v) -> assertArrayEquals(v, mb.model().trained().get(k), k));
  }

  @Test
  void badSettingsAreRefusedInOneLine() {
    Family f = FamilyRegistry.get("dt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.resolve(Map.of("widths",
        "64")));
    assertTrue(e.getMessage().startsWith("family dt does not take --widths; it takes --dataset"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> f.check(run("cartpole-great", 2, Map.of())));
    assertTrue(e.getMessage().contains("unknown dataset 'cartpole-great'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> f.check(run("cartpole-medium", 2,
        Map.of("target", "high"))));
    assertTrue(e.getMessage().contains("target is 'high'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> f.check(run("cartpole-medium", 2,
        Map.of("env", "pendulum"))));
    assertTrue(e.getMessage().contains("is a cartpole dataset; drop --env pendulum"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> f.check(run("cartpole-medium", 2,
        Map.of("width", "30", "heads", "4"))));
    assertTrue(e.getMessage().contains("not divisible by 4 heads"), e.getMessage());
    LottaException missing = assertThrows(LottaException.class, () -> f.check(run("no/such.csv", 2, Map.of())));
    assertTrue(missing.getMessage().contains("no/such.csv does not exist"), missing.getMessage());
  }

  @Test
  void rsLoraScalesByTheRootOfTheRankAndTravelsInTheArtifact() {
    Family f = FamilyRegistry.get("dt");
    RunSpec r = run("cartpole-medium", 4, Map.of("epochs", "1", "windows", "64", "eval-episodes", "1"), true);
    f.run(r, dir.resolve("rs.lotta"), Progress.silent());
    DtModel m = Lotta.load(dir.resolve("rs.lotta"), DtModel.class);
    assertTrue(m.model().spec().adapter().rsLora());
    assertEquals(8.0 / 2.0, m.model().spec().adapter().scaling(), 1e-12, "alpha 8 / sqrt(4)");
  }
}
