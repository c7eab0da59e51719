package org.lottalora.models.snn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each neuron model against its closed-form or hand-computed trajectory. */
class NeuronModelsTest {
  private static float[] constant(int n, float v) {
    float[] x = new float[n];
    java.util.Arrays.fill(x, v);
    return x;
  }

  @Test
  void lifRelaxesAsTheClosedFormBelowThreshold() {
    Nodes lif = Nodes.create(NodeSpec.of("l", "lif", 1, "tc_decay", 10.0), 1, 1.0);
    double decay = Math.exp(-0.1);
    float input = 1.0f;
    for (int t = 1; t <= 8; t++) {
      lif.step(constant(1, input));
      double expected = -65 + input * (1 - Math.pow(decay, t)) / (1 - decay);
      assertEquals(expected, lif.voltage()[0], 1e-4, "step " + t);
      assertEquals(0f, lif.spikes()[0]);
    }
  }

  @Test
  void lifSpikesResetsAndIgnoresInputWhileRefractory() {
    Nodes lif = Nodes.create(NodeSpec.of("l", "lif", 1, "rest", -65.0, "reset", -70.0, "thresh", -52.0, "refrac",
        3.0), 1, 1.0);
    lif.step(constant(1, 20f));
    assertEquals(1f, lif.spikes()[0]);
    assertEquals(-70f, lif.voltage()[0]);
    float v = -70f;
    float decay = (float) Math.exp(-1 / 100.0);
    for (int t = 0; t < 3; t++) {
      lif.step(constant(1, 20f));
      v = decay * (v + 65) - 65;
      assertEquals(v, lif.voltage()[0], 1e-4, "refractory step " + t + ": input ignored, only the leak acts");
      assertEquals(0f, lif.spikes()[0]);
    }
    lif.step(constant(1, 20f));
    assertEquals(1f, lif.spikes()[0], "input counts again after 3 ms");
  }

  @Test
  void ifFiresAfterExactlyTheStepsItNeeds() {
    Nodes n = Nodes.create(NodeSpec.of("i", "if", 1, "thresh", -52.0, "reset", -65.0, "refrac", 0.0), 1, 1.0);
    int t = 0;
    do {
      n.step(constant(1, 3f));
      t++;
    } while (n.spikes()[0] == 0);
    assertEquals(5, t, "13 mV at 3 mV per step: the 5th step crosses");
    assertEquals(-65f, n.voltage()[0]);
  }

  @Test
  void adaptiveThresholdGrowsOnlyWhileLearningAndOneSpikeWins() {
    AdaptiveLifNodes a = (AdaptiveLifNodes) Nodes.create(NodeSpec.of("e", "adaptive-lif", 3, "theta_plus", 0.5,
        "refrac", 0.0), 1, 1.0);
    a.learning(true);
    a.step(new float[] {20f, 30f, 1f});
    assertArrayEquals(new float[] {0, 1, 0}, a.spikes(), "one spike: the largest overshoot");
    float decay = (float) Math.exp(-1 / 1e7);
    assertEquals(0.5f, a.theta()[0], 1e-6, "every crossing neuron adapts");
    assertEquals(0.5f, a.theta()[1], 1e-6);
    assertEquals(0f, a.theta()[2]);
    a.learning(false);
    a.reset();
    a.step(new float[] {13.2f, 0f, 0f});
    assertEquals(0f, a.spikes()[0], "-52 + theta 0.5 is not reached by 13.2 mV");
    assertEquals(0.5f, a.theta()[0], 1e-6, "fixed while not learning, kept over reset");
    a.learning(true);
    a.step(new float[] {0f, 0f, 0f});
    assertEquals(0.5f * decay, a.theta()[0], 1e-7, "decays while learning");
  }

  @Test
  void izhikevichMatchesTheHandComputedFirstStep() {
    IzhikevichNodes z = (IzhikevichNodes) Nodes.create(NodeSpec.of("z", "izhikevich", 1), 1, 1.0);
    z.step(constant(1, 10f));
    // two half steps of v from (-65, -13), then u: see the class comment
    double v = -65 + 0.5 * (0.04 * 65 * 65 - 5 * 65 + 140 + 13 + 10);
    v = v + 0.5 * (0.04 * v * v + 5 * v + 140 + 13 + 10);
    double u = -13 + 0.02 * (0.2 * v + 13);
    assertEquals(-58.105, v, 1e-9);
    assertEquals(v, z.voltage()[0], 1e-3);
    assertEquals(u, z.recovery()[0], 1e-4);
    int spikes = 0;
    for (int t = 0; t < 1000; t++) {
      z.step(constant(1, 10f));
      spikes += (int) z.spikes()[0];
    }
    assertTrue(spikes > 5 && spikes < 30, "regular spiking at I = 10 fires tonically: " + spikes + " spikes/s");
  }

  @Test
  void mcCullochPittsIsAThresholdAndTracesDecay() {
    Nodes m = Nodes.create(NodeSpec.of("m", "mcculloch-pitts", 3, "thresh", 1.0, "tc_trace", 10.0), 1, 1.0);
    m.step(new float[] {0.99f, 1f, 5f});
    assertArrayEquals(new float[] {0, 1, 1}, m.spikes());
    assertArrayEquals(new float[] {0, 1, 1}, m.traces());
    m.step(new float[] {0f, 0f, 1f});
    float d = (float) Math.exp(-0.1);
    assertArrayEquals(new float[] {0, d, 1}, m.traces(), "decay, reset to 1 on a spike");
  }

  @Test
  void badSettingsNameTheSetting() {
    assertThrows(IllegalArgumentException.class, () -> Nodes.create(NodeSpec.of("l", "lif", 1), 1, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeSpec.of("l", "lif", 1, "tc_decay", -1.0));
    assertTrue(e.getMessage().contains("tc_decay must be > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("l", "lif", 1, "thresh", -70.0));
    assertTrue(e.getMessage().contains("reset"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("l", "lif", 1, "theta_plus", 1.0));
    assertTrue(e.getMessage().contains("no parameter 'theta_plus'"), e.getMessage());
  }
}
