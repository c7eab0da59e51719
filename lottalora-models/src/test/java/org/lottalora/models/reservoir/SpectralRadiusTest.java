package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/** The sparse Arnoldi estimate against the exact dense eigenvalues, on reservoir-like and adversarial matrices. */
class SpectralRadiusTest {
  private static float[] draw(long seed, int n, double p) {
    TensorSpec t = TensorSpec.of("reservoir.0.W", new int[] {n, n},
        new InitSpec(InitFamily.SPARSE_NORMAL, Map.of("p", p, "sigma", 1.0, "fanin", 0.0)));
    return Backbone.regenerate(seed, java.util.List.of(t), 1).get("reservoir.0.W");
  }

  @Test
  void arnoldiMatchesTheExactSolverOnRandomReservoirs() {
    for (int n : new int[] {150, 400, 700}) {
      for (long seed : new long[] {0, 1, 2}) {
        float[] w = draw(seed, n, 0.1);
        double exact = SpectralRadius.of(w, n);
        double sparse = SpectralRadius.sparse(Csr.of(w, n, n, 1.0));
        assertEquals(exact, sparse, 1e-5 * exact, "n=" + n + " seed=" + seed);
      }
    }
  }

  @Test
  void arnoldiFindsAComplexPairAndANegativeTop() {
    // a rotation block (eigenvalues 0.6 +- 0.8i, magnitude 1) above a diagonal of smaller values, and a
    // negative dominant eigenvalue: the two cases power iteration gets wrong
    int n = 400;
    float[] w = new float[n * n];
    w[0] = 0.6f;
    w[1] = -0.8f;
    w[n] = 0.8f;
    w[n + 1] = 0.6f;
    for (int i = 2; i < n; i++) {
      w[i * n + i] = (float) (0.9 * i / n);
    }
    assertEquals(1.0, SpectralRadius.sparse(Csr.of(w, n, n, 1.0)), 1e-6);
    w[(n - 1) * n + n - 1] = -1.5f;
    assertEquals(1.5, SpectralRadius.sparse(Csr.of(w, n, n, 1.0)), 1e-6);
  }

  @Test
  void autoIsExactForSmallMatricesAndTheSameOnEveryCall() {
    float[] w = draw(3, 100, 0.2);
    Csr c = Csr.of(w, 100, 100, 1.0);
    assertEquals(SpectralRadius.of(w, 100), SpectralRadius.auto(c));
    float[] big = draw(4, 500, 0.1);
    Csr cb = Csr.of(big, 500, 500, 1.0);
    assertEquals(SpectralRadius.auto(cb), SpectralRadius.auto(cb));
    assertTrue(SpectralRadius.auto(cb) > 0);
  }
}
