package org.lottalora.models.snn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * STDP, Hebbian, reward-modulated and delay rules on hand-built spike trains: one pre input, one post threshold
 * unit whose spikes a teacher current forces at chosen steps (the 0.5 synapse cannot fire it).
 */
class LearningRulesTest {
  private static final double TC = 20;

  /** Runs pre spikes at {@code preAt} and forced post spikes at {@code postAt}; returns the final weight. */
  static Network pair(RuleSpec rule, int steps, Set<Integer> preAt, Set<Integer> postAt, double reward,
      Object... extra) {
    Object[] kv = new Object[4 + extra.length];
    kv[0] = "w";
    kv[1] = 0.5;
    kv[2] = "delay_min";
    kv[3] = 1;
    System.arraycopy(extra, 0, kv, 4, extra.length);
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("pre", "input", 1), NodeSpec.of("post",
        "mcculloch-pitts", 1, "thresh", 100.0)), List.of(ConnectionSpec.of("c", "pre", "post", "dense", rule, kv)),
        1.0);
    Network net = Network.build(spec, 1);
    net.learning(true);
    net.reward(reward);
    int[][] sp = new int[steps][];
    for (int t = 0; t < steps; t++) {
      sp[t] = preAt.contains(t) ? new int[] {0} : new int[0];
    }
    net.run(steps, Map.of("pre", new SpikeTrain[] {new SpikeTrain(steps, 1, sp)}),
        (t, layer, in) -> in[0] += postAt.contains(t) ? 1000f : 0f, List.of());
    return net;
  }

  private static float w(Network net) {
    return net.connection("c").weightsCanonical()[0];
  }

  @Test
  void postPrePotentiatesCausalAndDepressesAntiCausalPairs() {
    RuleSpec r = RuleSpec.of("post-pre", "nu_pre", 0.1, "nu_post", 0.2);
    float causal = w(pair(r, 6, Set.of(0), Set.of(3), 0));
    assertEquals(0.5 + 0.2 * Math.exp(-3 / TC), causal, 1e-6, "post 3 steps after pre: + nu_post x_pre");
    float anti = w(pair(r, 6, Set.of(3), Set.of(0), 0));
    assertEquals(0.5 - 0.1 * Math.exp(-3 / TC), anti, 1e-6, "pre 3 steps after post: - nu_pre x_post");
  }

  @Test
  void aBatchRunsRowsIndependentlyAndSumsTheirUpdates() {
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("pre", "input", 3), NodeSpec.of("post", "lif", 2,
        "tc_decay", 20.0)), List.of(ConnectionSpec.of("c", "pre", "post", "dense", RuleSpec.of("post-pre", "nu_pre",
        0.01, "nu_post", 0.02), "w", 7)), 1.0);
    int[][] sp = {{0, 1}, {2}, {0, 1, 2}, {}, {1}};
    SpikeTrain t = new SpikeTrain(5, 3, sp);
    SpikeTrain quiet = new SpikeTrain(5, 3, new int[5][0]);
    Network one = Network.build(spec, 1);
    one.learning(true);
    Monitor m1 = new Monitor("post", true);
    one.run(5, Map.of("pre", new SpikeTrain[] {t}), null, List.of(m1));
    Network two = Network.build(spec, 1, 2, 1);
    two.learning(true);
    Monitor m2 = new Monitor("post", true);
    two.run(5, Map.of("pre", new SpikeTrain[] {t, quiet}), null, List.of(m2));
    assertTrue(m1.spikeCount() > 0, "the train drives the layer");
    assertEquals(java.util.Arrays.toString(m1.firingOrder(0)), java.util.Arrays.toString(m2.firingOrder(0)));
    assertEquals(0, m2.firingOrder(1).length, "the silent row stays silent");
    float[] w1 = one.connection("c").weightsCanonical();
    float[] w2 = two.connection("c").weightsCanonical();
    for (int k = 0; k < w1.length; k++) {
      assertEquals(w1[k], w2[k], 1e-6, "a silent row adds nothing to the summed update");
    }
    Network twin = Network.build(spec, 1, 2, 1);
    twin.learning(true);
    twin.run(5, Map.of("pre", new SpikeTrain[] {t, t}), null, List.of());
    float[] w3 = twin.connection("c").weightsCanonical();
    for (int k = 0; k < w1.length; k++) {
      assertEquals(7 + 2 * (w1[k] - 7), w3[k], 1e-5, "two equal rows: twice the update");
    }
  }

  @Test
  void weightDependentRuleScalesByTheDistanceToTheBounds() {
    RuleSpec r = RuleSpec.of("weight-dependent", "nu_pre", 0.1, "nu_post", 0.2);
    float up = w(pair(r, 6, Set.of(0), Set.of(3), 0, "wmin", 0, "wmax", 2));
    assertEquals(0.5 + 0.2 * Math.exp(-3 / TC) * (2 - 0.5), up, 1e-6);
    float down = w(pair(r, 6, Set.of(3), Set.of(0), 0, "wmin", 0.25, "wmax", 2));
    assertEquals(0.5 - 0.1 * Math.exp(-3 / TC) * (0.5 - 0.25), down, 1e-6);
    assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.of("c", "a", "b", "dense", r, "w", 1),
        "the weight-dependent rule needs bounds");
  }

  @Test
  void hebbianPotentiatesBothOrdersAndBoundsClamp() {
    RuleSpec r = RuleSpec.of("hebbian", "nu_pre", 0.1, "nu_post", 0.2);
    assertEquals(0.5 + 0.1 * Math.exp(-3 / TC), w(pair(r, 6, Set.of(3), Set.of(0), 0)), 1e-6);
    assertEquals(0.55f, w(pair(RuleSpec.of("hebbian", "nu_pre", 0, "nu_post", 5), 6, Set.of(0), Set.of(3), 0, "wmax",
        0.55)), "clamped at wmax");
  }

  @Test
  void rewardModulatedStdpNeedsReward() {
    RuleSpec r = RuleSpec.of("mstdp", "nu", 0.1);
    float rewarded = w(pair(r, 6, Set.of(0), Set.of(2), 1.0));
    // p+ of the pre spike at step 0 has decayed twice at the post spike of step 2; applied the step after
    assertEquals(0.5 + 0.1 * Math.exp(-2 / TC), rewarded, 1e-6);
    assertEquals(0.5f, w(pair(r, 6, Set.of(0), Set.of(2), 0.0)), "no reward, no change");
    float punished = w(pair(r, 6, Set.of(0), Set.of(2), -1.0));
    assertEquals(0.5 - 0.1 * Math.exp(-2 / TC), punished, 1e-6);
  }

  @Test
  void normalisationRescalesEachPostNeuronsInputsAfterALearningRun() {
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("pre", "input", 4), NodeSpec.of("post", "lif", 3)),
        List.of(ConnectionSpec.of("c", "pre", "post", "dense", RuleSpec.of("post-pre"), "w_lo", 0, "w_hi", 1,
            "norm", 2.0)), 1.0);
    Network net = Network.build(spec, 3);
    net.learning(true);
    int[][] sp = {{0, 1}, {2}, {3}};
    net.run(3, Map.of("pre", new SpikeTrain[] {new SpikeTrain(3, 4, sp)}), null, List.of());
    float[] w = net.connection("c").weightsCanonical();
    for (int j = 0; j < 3; j++) {
      double sum = 0;
      for (int i = 0; i < 4; i++) {
        sum += w[j * 4 + i];
      }
      assertEquals(2.0, sum, 1e-5, "post " + j);
    }
  }

  @Test
  void aDelayedSpikeArrivesExactlyDelayStepsLater() {
    for (int d = 1; d <= 5; d++) {
      NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("pre", "input", 1), NodeSpec.of("post",
          "mcculloch-pitts", 1, "thresh", 1.0)), List.of(ConnectionSpec.of("c", "pre", "post", "dense", RuleSpec.NONE,
          "w", 1, "delay_min", d, "delay_max", d)), 1.0);
      Network net = Network.build(spec, 1);
      int[][] sp = new int[10][0];
      sp[2] = new int[] {0};
      Monitor m = new Monitor("post", true);
      net.run(10, Map.of("pre", new SpikeTrain[] {new SpikeTrain(10, 1, sp)}), null, List.of(m));
      assertEquals(1, m.spikeCount());
      assertEquals(2 + d, m.time(0), "delay " + d);
    }
  }

  @Test
  void delayStdpMovesDelaysTowardsThePostSpike() {
    // random delays in [1, 8]; pre spikes at step 2, post forced at step 8: every delay should drift towards 6
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("pre", "input", 1), NodeSpec.of("post",
        "mcculloch-pitts", 1, "thresh", 100.0)), List.of(ConnectionSpec.of("c", "pre", "post", "dense",
        RuleSpec.of("delay-stdp", "window", 8), "w", 0.1, "delay_min", 1, "delay_max", 8)), 1.0);
    Network net = Network.build(spec, 5);
    net.learning(true);
    int[][] sp = new int[12][0];
    sp[2] = new int[] {0};
    for (int rep = 0; rep < 10; rep++) {
      int before = net.connection("c").delaysCanonical()[0];
      net.reset();
      net.run(12, Map.of("pre", new SpikeTrain[] {new SpikeTrain(12, 1, sp)}),
          (t, layer, in) -> in[0] += t == 8 ? 1000f : 0f, List.of());
      int after = net.connection("c").delaysCanonical()[0];
      assertEquals(before + Integer.signum(6 - before), after, "one step towards arrival at the post spike");
    }
    assertEquals(6, net.connection("c").delaysCanonical()[0]);
  }

  @Test
  void badConnectionSettingsNameTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.of("c", "a", "b",
        "dense", RuleSpec.NONE, "wmin", 1, "wmax", 0));
    assertTrue(e.getMessage().contains("wmin (1.0) > wmax (0.0)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(List.of(NodeSpec.of("a", "input", 3),
        NodeSpec.of("b", "lif", 4)), List.of(ConnectionSpec.of("c", "a", "b", "one-to-one", RuleSpec.NONE, "w", 1)),
        1.0));
    assertTrue(e.getMessage().contains("joins layers of 3 and 4 neurons"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(List.of(NodeSpec.of("a", "input", 64),
        NodeSpec.of("b", "lif", 10)), List.of(ConnectionSpec.of("c", "a", "b", "local", RuleSpec.NONE, "w", 1,
        "in_height", 8, "in_width", 8, "kernel", 4, "stride", 2, "filters", 2)), 1.0));
    assertTrue(e.getMessage().contains("2 filters x 9 windows = 18 outputs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(List.of(NodeSpec.of("a", "input", 2)),
        List.of(), 0));
    assertTrue(e.getMessage().contains("dt must be > 0"), e.getMessage());
    NetworkSpec longDelay = new NetworkSpec(List.of(NodeSpec.of("a", "input", 1), NodeSpec.of("b", "lif", 1)),
        List.of(ConnectionSpec.of("c", "a", "b", "dense", RuleSpec.NONE, "w", 1, "delay_min", 1, "delay_max", 50)),
        1.0);
    e = assertThrows(IllegalArgumentException.class, () -> Network.build(longDelay, 1).run(20, Map.of(), null,
        List.of()));
    assertTrue(e.getMessage().contains("longer than the simulation"), e.getMessage());
  }

  @Test
  void localConnectionsOnlyReachTheirWindow() {
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("a", "input", 16), NodeSpec.of("b", "lif", 8)),
        List.of(ConnectionSpec.of("c", "a", "b", "local", RuleSpec.NONE, "w", 1, "in_height", 4, "in_width", 4,
            "kernel", 3, "stride", 1, "filters", 2)), 1.0);
    float[] w = Network.build(spec, 1).connection("c").weightsCanonical();
    // post 0 = filter 0, window (0,0): pixels rows 0-2, cols 0-2
    for (int i = 0; i < 16; i++) {
      boolean inside = i / 4 < 3 && i % 4 < 3;
      assertEquals(inside ? 1f : 0f, w[i], "pixel " + i);
    }
    // post 7 = filter 1, window (1,1): rows 1-3, cols 1-3
    for (int i = 0; i < 16; i++) {
      assertEquals(i / 4 >= 1 && i % 4 >= 1 ? 1f : 0f, w[7 * 16 + i], "pixel " + i);
    }
  }
}
