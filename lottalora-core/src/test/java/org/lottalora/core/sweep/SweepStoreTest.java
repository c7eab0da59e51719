package org.lottalora.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;

/** The sweep folder: grid expansion, run identity, resume state, refusal to mix configs, corrupt records. */
class SweepStoreTest {
  @TempDir
  Path dir;

  static SweepConfig config(List<Integer> ranks) {
    return new SweepConfig("digits", 0, 0, "mlp", new int[] {16}, ranks, List.of(0L, 1L), List.of("normal"),
        List.of(1.0), List.of(false), true, 2, 32, 0.01, 0);
  }

  @Test
  void theGridHasEveryRunOnceWithStableIds() {
    List<RunSpec> runs = config(List.of(4, 1, 2)).runs();
    assertEquals(2 * (1 + 3), runs.size());
    assertTrue(runs.get(0).full());
    assertEquals(1, runs.get(1).rank(), "ranks in ascending order");
    assertEquals(runs.size(), runs.stream().map(RunSpec::id).distinct().count());
    assertEquals(runs, config(List.of(4, 1, 2)).runs(), "the same config gives the same runs");
    assertNotEquals(runs.get(1).id(), config(List.of(4, 1, 2)).runs().get(1).id().replace("r1", "r2"));
  }

  @Test
  void emptyOrInvalidGridsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SweepConfig("d", 0, 0, "mlp",
        new int[] {8}, List.of(), List.of(0L), List.of("normal"), List.of(1.0), List.of(false), false, 1, 8, 0.1, 0));
    assertTrue(e.getMessage().startsWith("empty grid"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SweepConfig("d", 0, 0, "mlp", new int[] {8}, List.of(1),
        List.of(), List.of("normal"), List.of(1.0), List.of(false), true, 1, 8, 0.1, 0));
    assertThrows(IllegalArgumentException.class, () -> config(List.of(0)));
  }

  @Test
  void resumeStateFollowsTheResultFiles() throws Exception {
    SweepStore s = SweepStore.open(dir, config(List.of(1, 2)));
    RunSpec r = s.config().runs().get(1);
    assertEquals(SweepStore.Status.TODO, s.status(r));
    s.write(new RunResult(r.id(), r, 0.8, 0.5, 0.81, 2, 10, 100, Map.of("layers.0", 1.1f), 3.0, null, 0.5));
    assertEquals(SweepStore.Status.DONE, s.status(r));
    assertEquals(0.8, s.results().get(0).testAccuracy());
    // reopening with the same config keeps the state
    assertEquals(SweepStore.Status.DONE, SweepStore.open(dir, config(List.of(1, 2))).status(r));
    // a torn or foreign record is corrupt, and says why
    Path f = s.runDir(r).resolve("result.json");
    String text = Files.readString(f);
    Files.writeString(f, text.substring(0, text.length() / 2));
    assertEquals(SweepStore.Status.CORRUPT, s.status(r));
    assertTrue(!s.whyCorrupt(r).isEmpty());
    RunSpec other = s.config().runs().get(2);
    Files.writeString(f, text.replace(r.id(), other.id()));
    assertEquals(SweepStore.Status.CORRUPT, s.status(r));
  }

  @Test
  void aFolderOfAnotherSweepIsRefusedNamingTheDifference() {
    SweepStore.open(dir, config(List.of(1, 2)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SweepStore.open(dir, config(List.of(1, 2, 4))));
    assertTrue(e.getMessage().contains("ranks: [1, 2, 4] asked, folder has [1, 2]"), e.getMessage());
    assertThrows(LottaException.class, () -> SweepStore.existing(dir.resolve("nothing")));
  }
}
