package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Global-norm clipping scales every gradient of a group by max / norm above the threshold and leaves it alone at it. */
class GradientClippingTest {
  @Test
  void clippingScalesTheGlobalNormDownToTheThresholdOnly() {
    Param p = new Param("p", new float[2]);
    Param q = new Param("q", new float[1]);
    p.g[0] = 3;
    p.g[1] = 0;
    q.g[0] = 4;
    assertEquals(5, GradientClipping.clipGlobalNorm(List.of(p, q), 1.0), 1e-9);
    assertEquals(0.6f, p.g[0], 1e-6);
    assertEquals(0.8f, q.g[0], 1e-6);
    assertEquals(1, GradientClipping.clipGlobalNorm(List.of(p, q), 1.0), 1e-6);
    assertEquals(0.6f, p.g[0], 1e-6, "a norm at the threshold is left alone");
    assertEquals(0.8f, q.g[0], 1e-6);
  }
}
