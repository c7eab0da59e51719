package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  // the documented relative error of the array versions: each of the eight doublings costs digits in proportion to
  // the argument's size
  private static double bound(double argument) {
    return 4e-6 + 2e-7 * Math.abs(argument);
  }

  // the array versions over a grid long enough that the JIT compiles and vectorises the loops (run twice: the
  // second pass runs the compiled code), against the double-precision functions
  @Test
  void arrayVersionsAreWithinTheirDocumentedBoundAndSaturate() {
    int n = 40_001;
    float[] u = new float[n];
    for (int i = 0; i < n; i++) {
      u[i] = (i - 20_000) * 0.002f; // -40 .. 40
    }
    float[] sig = new float[n];
    float[] tanh = new float[n];
    float[] exp = new float[n];
    for (int pass = 0; pass < 2; pass++) {
      Activations.sigmoid(u, sig, 0, n);
      Activations.tanh(u, tanh, 0, n);
      Activations.expNonPositive(u, 40f, exp, 0, n); // e^(u - 40): arguments -80 .. 0
      for (int i = 0; i < n; i++) {
        double v = u[i];
        double s = 1 / (1 + Math.exp(-v));
        assertEquals(s, sig[i], bound(v) * s, "sigmoid " + v);
        double t = Math.tanh(v);
        assertEquals(t, tanh[i], bound(2 * v) * Math.abs(t) + 1e-30, "tanh " + v);
        double arg = -(double) (40f - u[i]); // the argument as the function forms it, in float
        double e = Math.exp(arg);
        assertEquals(e, exp[i], bound(arg) * e, "exp " + arg);
      }
    }
    float[] edge = {Float.NaN, 200f, -200f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 1e-20f};
    float[] out = new float[edge.length];
    Activations.sigmoid(edge, out, 0, edge.length);
    assertEquals(Float.NaN, out[0]);
    assertEquals(1f, out[1]);
    assertEquals(1f, out[3]);
    assertEquals(0f, out[2], 1e-38f); // saturates at e^-88
    assertEquals(0.5f, out[5]);
    Activations.tanh(edge, out, 0, edge.length);
    assertEquals(Float.NaN, out[0]);
    assertEquals(1f, out[1]);
    assertEquals(-1f, out[2]);
    assertEquals(-1f, out[4]);
    assertEquals(0f, out[5]);
    assertEquals(1e-20f, out[6], 1e-26f); // no cancellation near 0
    float[] at = {7f, 3f, 5f, 9f};
    float[] part = {-1f, -1f, -1f, -1f};
    Activations.sigmoid(at, part, 1, 3); // only [from, to)
    assertEquals(-1f, part[0]);
    assertEquals(1 / (1 + Math.exp(-3)), part[1], 1e-6);
    assertEquals(1 / (1 + Math.exp(-5)), part[2], 1e-6);
    assertEquals(-1f, part[3]);
    assertThrows(IllegalArgumentException.class, () -> Activations.tanh(at, at, 0, 4));
    Activations.expNonPositive(at, 9f, at, 0, 4); // in place is fine here
    assertEquals(Math.exp(-2), at[0], 1e-6);
  }

  /** The softmax exponential gives exactly 0 where e^x would be subnormal, for minus infinity too, never a subnormal. */
  @Test
  void expNonPositiveGivesZeroInsteadOfSubnormals() {
    float[] x = {0f, -10f, -87f, -87.32f, -87.34f, -88f, -100f, Float.NEGATIVE_INFINITY, Float.NaN};
    float[] out = new float[x.length];
    Activations.expNonPositive(x, 0f, out, 0, x.length);
    assertEquals(1f, out[0], 1e-6f);
    assertEquals(Math.exp(-10), out[1], 1e-5 * Math.exp(-10));
    assertEquals(Math.exp(-87), out[2], 2e-5 * Math.exp(-87));
    assertTrue(out[3] >= Float.MIN_NORMAL, "e^-87.32 is still a normal float: " + out[3]);
    for (int i = 4; i < 8; i++) {
      assertEquals(0f, out[i], 0f, "x = " + x[i]);
    }
    assertTrue(Float.isNaN(out[8]), "NaN stays NaN");
    for (float v = -87.5f; v < 0f; v += 0.001f) { // never a subnormal on the way down
      float[] one = {v};
      Activations.expNonPositive(one, 0f, one, 0, 1);
      assertTrue(one[0] == 0f || one[0] >= Float.MIN_NORMAL, "e^" + v + " = " + one[0]);
    }
  }
}
