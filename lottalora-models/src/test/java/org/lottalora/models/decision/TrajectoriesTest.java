package org.lottalora.models.decision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;

/** The trajectory CSV: round trips, and every refusal names the file, line, episode and step. */
class TrajectoriesTest {
  @TempDir
  Path dir;

  @Test
  void writeThenReadGivesTheSameEpisodesPlainAndGzipped() {
    for (String name : new String[] {"p.csv", "p.csv.gz"}) {
      Trajectories t = Trajectories.generate(new Pendulum(), "medium-replay", 4, 2);
      Path f = dir.resolve(name);
      t.write(f);
      Trajectories back = Trajectories.read(f, null);
      assertEquals("pendulum", back.env().id());
      assertEquals(t.episodes().size(), back.episodes().size());
      for (int i = 0; i < 4; i++) {
        assertArrayEquals(t.episodes().get(i).rewards(), back.episodes().get(i).rewards());
        assertArrayEquals(t.episodes().get(i).actions()[7], back.episodes().get(i).actions()[7]);
        assertArrayEquals(t.episodes().get(i).states()[199], back.episodes().get(i).states()[199]);
      }
      assertTrue(back.description().contains("quality=medium-replay"), back.description().toString());
    }
    Trajectories c = Trajectories.generate(new CartPole(), "random", 3, 2);
    Path f = dir.resolve("c.csv");
    c.write(f);
    Trajectories back = Trajectories.read(f, "cartpole");
    assertTrue(back.episodes().get(0).terminal(), "a fallen pole is a terminal state");
    assertEquals(c.meanReturn(), back.meanReturn(), 1e-9);
  }

  @Test
  void returnsToGoSumTheRestOfTheEpisode() {
    Trajectories.Episode e = new Trajectories.Episode(new float[3][1], new float[3][1], new float[] {1, 2, 4}, true);
    assertArrayEquals(new float[] {7, 6, 4}, e.returnsToGo());
    assertEquals(7, e.total());
  }

  private String refusal(String body) throws Exception {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, body);
    LottaException e = assertThrows(LottaException.class, () -> Trajectories.read(f, null));
    assertFalse(e.getMessage().contains("\n"), "one line");
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    return e.getMessage();
  }

  private static final String HEAD = "# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n";

  @Test
  void badFilesAreRefusedNamingTheLineEpisodeAndStep() throws Exception {
    assertTrue(refusal(HEAD + "0,0,0,0,0,0,1,1,0\n0,1,0,0,0,0,1,1,0\n0,3,0,0,0,0,1,1,1\n")
        .contains("line 5 (episode 0, step 3): expected step 2 (steps 2..2 are missing)"));
    assertTrue(refusal(HEAD + "0,0,0,0,0,0,2,1,0\n").contains("line 3 (episode 0, step 0): action 2.0 is outside "
        + "cartpole's range {0..1}"));
    assertTrue(refusal(HEAD + "0,0,0,0,0,0,1,NaN,0\n").contains("line 3 (episode 0, step 0): reward is NaN"));
    assertTrue(refusal(HEAD + "0,0,0,0,0,0,1,1,1\n0,1,0,0,0,0,1,1,0\n").contains("after the episode's done=1"));
    assertTrue(refusal(HEAD + "0,0,0,0,0,0,1,1,0\n2,0,0,0,0,0,1,1,0\n").contains("episode 2 follows episode 0"));
    assertTrue(refusal(HEAD + "0,0,0,0,0,1,1,0\n").contains("8 columns, the header has 9"));
    assertTrue(refusal("episode,step,s0,s1,s2,s3,a0,reward,done\n").contains("does not name its environment"));
    assertTrue(refusal("# env=pendulum\n" + HEAD.substring(HEAD.indexOf('\n') + 1)).contains("expected the header "
        + "'episode,step,s0,s1,s2,a0,reward,done'"));
    assertTrue(refusal(HEAD).contains("no steps after the header"));
    assertTrue(refusal("# env=pendulum\nepisode,step,s0,s1,s2,a0,reward,done\n0,0,1,0,0,-2.5,-1,0\n")
        .contains("action -2.5 is outside pendulum's range [-2.0, 2.0]"));
    LottaException missing = assertThrows(LottaException.class, () -> Trajectories.read(dir.resolve("no.csv"),
        null));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
  }

  @Test
  void prefixesMayStartLateAndLeaveTheLastActionEmpty() throws Exception {
    Path f = dir.resolve("prefix.csv");
    Files.writeString(f, "# env=pendulum\nepisode,step,s0,s1,s2,a0,reward,done\n0,40,1,0,0.1,0.5,-0.2,0\n"
        + "0,41,0.9,0.1,0.2,,,\n1,0,0,1,0,,,\n");
    var prefixes = Trajectories.readPrefixes(f, new Pendulum());
    assertEquals(2, prefixes.size());
    assertEquals(40, prefixes.get(0).firstStep());
    assertEquals(2, prefixes.get(0).states().length);
    assertEquals(1, prefixes.get(0).actions().length);
    assertEquals(0, prefixes.get(1).actions().length);
    Files.writeString(f, "# env=pendulum\nepisode,step,s0,s1,s2,a0,reward,done\n0,0,1,0,0.1,,,\n0,1,1,0,0,1,0,0\n");
    LottaException e = assertThrows(LottaException.class, () -> Trajectories.readPrefixes(f, new Pendulum()));
    assertTrue(e.getMessage().contains("line 3 (episode 0, step 0): a step without an action must be its "
        + "episode's last"), e.getMessage());
    LottaException other = assertThrows(LottaException.class, () -> Trajectories.readPrefixes(f, new CartPole()));
    assertTrue(other.getMessage().contains("holds pendulum trajectories, not cartpole"), other.getMessage());
  }
}
