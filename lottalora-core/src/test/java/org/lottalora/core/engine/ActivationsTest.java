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

  @Test
  void floatExpIsWithinAMillionthOfTheJdkAndSaturates() {
    for (float x = -80f; x <= 88f; x += 0.0137f) { // below e^-80 values near float underflow lose digits
      double want = Math.exp(x);
      assertEquals(want, Activations.exp(x), 1e-6 * want, "exp " + x);
    }
    assertEquals(0f, Activations.exp(-100f));
    assertEquals(0f, Activations.exp(Float.NEGATIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, Activations.exp(100f));
    assertEquals(1f, Activations.exp(0f));
    assertEquals(Float.NaN, Activations.exp(Float.NaN));
    assertEquals(1f, Activations.tanh(50f));
    assertEquals(-1f, Activations.tanh(-50f));
    assertEquals(0f, Activations.sigmoid(-200f));
    assertEquals(1f, Activations.sigmoid(200f));
    for (float u = -8f; u <= 8f; u += 0.01f) {
      assertEquals(Math.tanh(u), Activations.tanh(u), 1e-6, "tanh " + u);
      assertEquals(1 / (1 + Math.exp(-u)), Activations.sigmoid(u), 1e-6, "sigmoid " + u);
    }
  }
}
