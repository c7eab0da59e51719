package org.lottalora.models.decision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Draws;

/**
 * The tasks against their published equations (reference values from an independent Python transcription of
 * Gymnasium's CartPole-v1 and Pendulum-v1), their seeding, limits and refusals, and the reference returns.
 */
class EnvironmentsTest {
  @Test
  void cartPoleStepIsGymnasiumsEulerStep() {
    Environment.Step right = CartPole.at(0.01, -0.02, 0.03, 0.04).step(new float[] {1});
    assertArrayEquals(new float[] {0.0096f, 0.17467919574755525f, 0.0308f, -0.24306871796000815f}, right.state(),
        1e-7f);
    assertEquals(1.0, right.reward());
    assertFalse(right.done());
    Environment.Step left = CartPole.at(0.01, -0.02, 0.03, 0.04).step(new float[] {0});
    assertArrayEquals(new float[] {0.0096f, -0.21553901710278936f, 0.0308f, 0.3419952237760392f}, left.state(),
        1e-7f);
  }

  @Test
  void cartPoleEndsPastTwelveDegreesOrTheTrackOrFiveHundredSteps() {
    assertTrue(CartPole.at(0, 0, 0.2094, 1.0).step(new float[] {1}).done(), "theta passes 12 degrees");
    assertTrue(CartPole.at(2.399, 1.0, 0, 0).step(new float[] {1}).done(), "x passes 2.4");
    Trajectories.Episode e = Trajectories.play(new CartPole(), new CartPole().expert(), new Draws(3, "t"));
    assertEquals(500, e.length(), "the expert balances until the time limit");
    assertFalse(e.terminal(), "a time limit is not a terminal state");
    Environment c = CartPole.at(0, 0, 0.2094, 1.0);
    c.step(new float[] {1});
    assertThrows(IllegalArgumentException.class, () -> c.step(new float[] {1}), "a step after the end");
  }

  @Test
  void pendulumStepIsGymnasiumsWithCostAndSpeedClip() {
    Environment.Step s = Pendulum.at(0.5, -0.3).step(new float[] {1.5f});
    assertArrayEquals(new float[] {0.8706724746989368f, 0.4918632348545977f, 0.28456915395315224f}, s.state(),
        1e-6f);
    assertEquals(-0.26125, s.reward(), 1e-9);
    Environment.Step fast = Pendulum.at(3.0, 7.9).step(new float[] {2f});
    assertEquals(8f, fast.state()[2], "theta' is clipped to 8");
    assertEquals(-15.245, fast.reward(), 1e-9);
    assertEquals(-Math.PI, Pendulum.normalize(Math.PI), 1e-12);
    assertEquals(0.5, Pendulum.normalize(0.5 + 4 * Math.PI), 1e-12);
  }

  @Test
  void actionsOutsideTheRangeAreRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pendulum.at(0, 0).step(new float[] {2.5f}));
    assertTrue(e.getMessage().contains("outside pendulum's range [-2.0, 2.0]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CartPole.at(0, 0, 0, 0).step(new float[] {0.5f}));
    assertTrue(e.getMessage().contains("not an index"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CartPole.at(0, 0, 0, 0).step(new float[] {2}));
    e = assertThrows(IllegalArgumentException.class, () -> Environment.of("hopper"));
    assertTrue(e.getMessage().contains("cartpole, pendulum"), e.getMessage());
  }

  @Test
  void aSeedGivesTheSameEpisodeBitForBitAndAnotherSeedAnother() {
    for (String id : Environment.IDS) {
      Environment env = Environment.of(id);
      Trajectories a = Trajectories.generate(env, "medium", 3, 11);
      Trajectories b = Trajectories.generate(env, "medium", 3, 11);
      Trajectories c = Trajectories.generate(env, "medium", 3, 12);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(a.episodes().get(i).rewards(), b.episodes().get(i).rewards());
        assertArrayEquals(a.episodes().get(i).states()[a.episodes().get(i).length() - 1],
            b.episodes().get(i).states()[b.episodes().get(i).length() - 1]);
      }
      assertFalse(java.util.Arrays.equals(a.episodes().get(0).states()[0], c.episodes().get(0).states()[0]));
    }
  }

  @Test
  void storedReferenceReturnsAreWhatTheToolkitMeasures() {
    for (String id : Environment.IDS) {
      Environment env = Environment.of(id);
      assertEquals(ReferenceScores.random(env), env.randomScore(), 0.01, id + " random");
      assertEquals(ReferenceScores.expert(env), env.expertScore(), 0.01, id + " expert");
      assertEquals(0, env.normalizedScore(env.randomScore()), 1e-9);
      assertEquals(100, env.normalizedScore(env.expertScore()), 1e-9);
    }
  }

  @Test
  void qualitiesAreOrderedAsTheirNamesSay() {
    for (String id : Environment.IDS) {
      Environment env = Environment.of(id);
      double random = Trajectories.generate(env, "random", 40, 5).meanReturn();
      double replay = Trajectories.generate(env, "medium-replay", 40, 5).meanReturn();
      double medium = Trajectories.generate(env, "medium", 40, 5).meanReturn();
      double mixed = Trajectories.generate(env, "medium-expert", 40, 5).meanReturn();
      double expert = Trajectories.generate(env, "expert", 40, 5).meanReturn();
      assertTrue(random < replay && replay < medium && medium < mixed && mixed < expert,
          id + ": " + random + " " + replay + " " + medium + " " + mixed + " " + expert);
      double norm = env.normalizedScore(medium);
      assertTrue(norm > 25 && norm < 75, id + " medium scores " + norm + ", not 'medium'");
    }
  }
}
