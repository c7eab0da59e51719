package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The exp-based tanh and sigmoid against the JDK's, over the range a network meets and at the saturated ends. */
class ActivationsTest {
  @Test
  void tanhAndSigmoidAgreeWithTheJdk() {
    for (double u = -30; u <= 30; u += 0.01) {
      assertEquals(Math.tanh(u), Activations.tanh(u), 4 * Math.ulp(1.0), "tanh " + u);
      assertEquals(1 / (1 + Math.exp(-u)), Activations.sigmoid(u), 0.0, "sigmoid " + u);
    }
    assertEquals(1.0, Activations.tanh(1e6), 0.0);
    assertEquals(-1.0, Activations.tanh(-1e6), 0.0);
    assertEquals(0.0, Activations.tanh(0), 0.0);
  }
}
