package org.lottalora.models.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.sweep.SweepConfig;
import org.lottalora.core.sweep.SweepReport;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.models.LottaModel;

/** A small sweep end to end: parallel workers, resume after a kill, a corrupt record rerun alone, the report. */
class SweepRunnerTest {
  @TempDir
  Path dir;

  static SweepConfig config() {
    return new SweepConfig("digits", 0, 400, "mlp", new int[] {16}, List.of(1, 2), List.of(0L, 1L),
        List.of("normal:fanin=1.0,sigma=1.0"), List.of(1.0), List.of(false), true, 2, 32, 1e-2, 0);
  }

  @Test
  void runsInParallelResumesAndRerunsOnlyWhatIsMissingOrCorrupt() throws Exception {
    SweepStore store = SweepStore.open(dir, config());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SweepRunner.Summary first = SweepRunner.run(store, 2, new PrintStream(log, true));
    assertEquals(6, first.total());
    assertEquals(6, first.ran());
    assertTrue(log.toString().contains("[6/6]"), log.toString());
    List<RunResult> before = store.results();
    assertEquals(6, before.size());
    for (RunResult r : before) {
      assertTrue(Files.exists(store.artifact(r.spec())), "every run leaves its artifact");
    }
    // the artifact loads and predicts as the run measured
    RunResult some = before.get(2);
    LottaModel m = LottaModel.load(store.artifact(some.spec()));
    assertEquals(some.testAccuracy(), m.accuracy(RunTask.data(some.spec()).test()), 1e-12);

    // a killed sweep: one run never finished, one left a torn record
    RunSpec missing = store.config().runs().get(1);
    RunSpec torn = store.config().runs().get(4);
    Files.delete(store.runDir(missing).resolve("result.json"));
    Files.writeString(store.runDir(torn).resolve("result.json"), "{\"id\": \"tr");
    ByteArrayOutputStream log2 = new ByteArrayOutputStream();
    SweepRunner.Summary again = SweepRunner.run(SweepStore.open(dir, config()), 2, new PrintStream(log2, true));
    assertEquals(2, again.ran());
    assertEquals(4, again.skipped());
    assertEquals(1, again.rerun());
    assertTrue(log2.toString().contains("unreadable result"), log2.toString());
    // same spec, same result, whichever worker ran it and in whatever order
    List<RunResult> after = store.results();
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i).testAccuracy(), after.get(i).testAccuracy(), 0.0, before.get(i).id());
      assertEquals(before.get(i).testLoss(), after.get(i).testLoss(), 0.0, before.get(i).id());
    }
    assertEquals(0, SweepRunner.run(store, 2, null).ran(), "a finished sweep runs nothing");

    List<org.lottalora.core.sweep.Pca.Count> pca = PcaAnalysis.of(store, List.of(0.99, 0.9));
    // input, one hidden layer's activations and its weight change, for each of the two full runs
    assertEquals(1 + 2 * 2, pca.size());
    assertEquals(64, pca.get(0).dims());
    assertTrue(pca.get(0).components().get(0.9) <= pca.get(0).components().get(0.99));
    for (RunResult r : after) {
      if (r.spec().full()) {
        assertEquals(null, r.scaffoldRemovedAccuracy());
      } else {
        // the adapters alone, without the scaffold they were trained on, are a much worse model
        assertTrue(r.scaffoldRemovedAccuracy() < r.testAccuracy(), r.toString());
      }
    }
    String md = SweepReport.write(store, List.of(0.01, 0.5), List.of(0.1), pca, 0, "test").markdown();
    assertTrue(md.contains("layers.0 weight change"), md);
    assertTrue(md.contains("| full |") && md.contains("r*"), md);
    assertTrue(md.contains("not reached within ranks 1-2") || md.matches("(?s).*\\| [12] \\|.*"), md);
    for (String f : List.of("report.md", "report.json", "runs.csv", "accuracy_vs_rank.png", "accuracy_vs_rank.svg",
        "beta_vs_rank.png", "accuracy_vs_trainable.svg")) {
      assertTrue(Files.size(dir.resolve(f)) > 100, f);
    }
    assertEquals(7, Files.readAllLines(dir.resolve("runs.csv")).size());
  }

  @Test
  void aZeroScaffoldTrainsOnlyTheAdapters() {
    SweepConfig zero = new SweepConfig("digits", 0, 400, "mlp", new int[] {16}, List.of(4), List.of(0L),
        List.of("zeros"), List.of(1.0), List.of(false), false, 2, 32, 1e-2, 0);
    SweepStore store = SweepStore.open(dir, zero);
    SweepRunner.run(store, 1, null);
    RunResult r = store.results().get(0);
    // with W_seed = 0 removing it changes nothing, and beta (which only scales W_seed) gets no gradient
    assertEquals(r.testAccuracy(), r.scaffoldRemovedAccuracy(), 1e-12);
    assertEquals(1.0f, r.betas().get("layers.0"), 0f);
  }

  @Test
  void aRankAboveALayerWidthIsCappedThereAndRuns() {
    // 64 -> 4 -> 10 at rank 8: both layers take min(8, d_in, d_out) = 4, as every family caps it
    SweepConfig grid = new SweepConfig("digits", 0, 200, "mlp", new int[] {4}, List.of(1, 8), List.of(0L),
        List.of("normal"), List.of(1.0), List.of(false), false, 1, 32, 1e-2, 0);
    SweepStore store = SweepStore.open(dir, grid);
    SweepRunner.run(store, 1, null);
    assertEquals(2, store.results().size());
    RunResult r8 = store.results().stream().filter(r -> r.spec().rank() == 8).findFirst().orElseThrow();
    assertEquals(null, r8.failure());
    // trainable: A and B of rank 4 over 64 -> 4, plus beta, and the full head 4 -> 10
    assertEquals(4 * (64 + 4) + 1 + 4 * 10 + 10, r8.trainableParams());
  }
}
