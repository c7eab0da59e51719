package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Bit-stability, slice independence and the statistics of every init family. */
class BackboneTest {

  @Test
  void normalValuesMatchNumpyReference() {
    // benchmarks/scripts/philox_numpy_check.py: seed 42, "layers.0.weight", shape [4,16], sigma = 1/4
    TensorSpec t = TensorSpec.of("layers.0.weight", new int[] {4, 16}, InitSpec.DEFAULT);
    float[] v = Backbone.regenerate(42, List.of(t), 1).get("layers.0.weight");
    float[] expected = {-0.0018821432022377849f, -0.3336845934391022f, 0.6345188617706299f,
        0.49804022908210754f, 0.37317389249801636f, -0.07772695273160934f, 0.2258283495903015f,
        0.0315898135304451f};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(v[i]), "element " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(InitFamily.class)
  void sameBitsOnOneAndManyThreads(InitFamily family) {
    List<TensorSpec> ts = new ArrayList<>();
    ts.add(TensorSpec.of("a.weight", new int[] {70, 40}, InitSpec.of(family)));
    if (!family.isGlobal()) {
      ts.add(TensorSpec.of("b.weight", new int[] {3, 20000}, InitSpec.of(family)));
    }
    Backbone one = Backbone.regenerate(11, ts, 1);
    Backbone four = Backbone.regenerate(11, ts, 4);
    for (TensorSpec t : ts) {
      assertEquals(Backbone.sha256(one.get(t.name())), Backbone.sha256(four.get(t.name())));
    }
  }

  @ParameterizedTest
  @EnumSource(InitFamily.class)
  void anySliceEqualsTheWholeTensor(InitFamily family) {
    if (family.isGlobal()) {
      return;
    }
    TensorSpec t = TensorSpec.of("w", new int[] {5, 13}, InitSpec.of(family));
    float[] whole = Backbone.regenerate(5, List.of(t), 1).get("w");
    float[] part = new float[17];
    Initializer.fillSlice(5, t, 23, part, part.length);
    for (int i = 0; i < part.length; i++) {
      assertEquals(whole[23 + i], part[i], 0f);
    }
  }

  @Test
  void differentSeedsAndNamesGiveDifferentTensors() {
    TensorSpec a = TensorSpec.of("a", new int[] {8, 8}, InitSpec.DEFAULT);
    TensorSpec b = TensorSpec.of("b", new int[] {8, 8}, InitSpec.DEFAULT);
    Backbone s1 = Backbone.regenerate(1, List.of(a, b), 1);
    Backbone s2 = Backbone.regenerate(2, List.of(a, b), 1);
    assertTrue(!Backbone.sha256(s1.get("a")).equals(Backbone.sha256(s1.get("b"))));
    assertTrue(!Backbone.sha256(s1.get("a")).equals(Backbone.sha256(s2.get("a"))));
  }

  @Test
  void familyStatisticsMatchTheirDefinitions() {
    int fanIn = 400;
    double f = 1 / Math.sqrt(fanIn);
    assertMoments("normal", 0, f, 0.01);
    assertMoments("uniform", 0, f / Math.sqrt(3), 0.01);
    assertMoments("kaiming_normal", 0, Math.sqrt(2.0 / fanIn), 0.01);
    assertMoments("kaiming_uniform", 0, 1 / Math.sqrt(fanIn) / Math.sqrt(3), 0.01);
    assertMoments("xavier_normal", 0, Math.sqrt(2.0 / (fanIn + 250)), 0.01);
    assertMoments("laplace", 0, 0.1 * Math.sqrt(2), 0.01);
    assertMoments("exponential", 0, 0.1, 0.015);
    assertMoments("beta", 0, 0.1 * Math.sqrt(1.0 / 5), 0.01); // Beta(2,2) on [-1,1] has var 1/5
    assertMoments("student_t", 0, f * Math.sqrt(3), 0.05);
    assertMoments("gaussian_mixture", 0, Math.sqrt(0.9 * 0.0025 + 0.1 * 0.25), 0.02);
    assertMoments("sparse_normal", 0, f * Math.sqrt(0.2), 0.015);
    assertMoments("truncated_normal", 0, f * 0.8796, 0.01); // sd of N(0,1) truncated at +-2
    assertMoments("binary", 0, f, 0.01);
    assertMoments("quantized8", 0, f, 0.01);
    float[] er = values("sparse_erdos_renyi");
    int nz = 0;
    for (float v : er) {
      nz += v != 0 ? 1 : 0;
      assertTrue(v == 0 || v == (float) f);
    }
    assertEquals(0.2, nz / (double) er.length, 0.01);
    for (float v : values("cauchy")) {
      assertTrue(Math.abs(v) <= 1.0f + 1e-6f);
    }
    for (float v : values("truncated_normal")) {
      assertTrue(Math.abs(v) <= 2 * f + 1e-6);
    }
    assertTrue(distinct(values("quantized2")) <= 4);
    assertTrue(distinct(values("quantized4")) <= 16);
  }

  @Test
  void orthogonalRowsAreOrthonormal() {
    TensorSpec t = TensorSpec.of("q", new int[] {6, 20}, InitSpec.of(InitFamily.ORTHOGONAL));
    float[] q = Backbone.regenerate(1, List.of(t), 1).get("q");
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        double dot = 0;
        for (int c = 0; c < 20; c++) {
          dot += q[i * 20 + c] * q[j * 20 + c];
        }
        assertEquals(i == j ? 1 : 0, dot, 1e-5);
      }
    }
  }

  @Test
  void spectralRadiusIsScaledToRho() {
    int n = 60;
    TensorSpec t = TensorSpec.of("r", new int[] {n, n}, InitSpec.parse("spectral_radius:rho=0.9"));
    float[] w = Backbone.regenerate(1, List.of(t), 1).get("r");
    double[] wd = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      wd[i] = w[i];
    }
    assertEquals(0.9, Initializer.spectralRadius(wd, n), 0.02);
  }

  @Test
  void badSpecsAreRejectedWithTheirName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InitSpec.parse("gauss"));
    assertTrue(e.getMessage().contains("unknown init family 'gauss'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> InitSpec.parse("cauchy:s=-1"));
    assertTrue(e.getMessage().contains("'s' of 'cauchy' must be > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> InitSpec.parse("normal:rho=1"));
    assertTrue(e.getMessage().contains("has no parameter 'rho'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> InitSpec.parse("student_t:nu=2.5"));
    assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("x", new int[] {0, 3}, InitSpec.DEFAULT));
  }

  @Test
  void canonicalFormRoundTrips() {
    InitSpec s = InitSpec.parse("Cauchy: clip=5, s=0.2");
    assertEquals("cauchy:clip=5.0,s=0.2", s.canonical());
    assertEquals(s, InitSpec.parse(s.canonical()));
    assertEquals(23, InitFamily.values().length, "the paper's 22 scaffold families and zeros");
  }

  private static float[] values(String init) {
    TensorSpec t = TensorSpec.of("w", new int[] {250, 400}, InitSpec.parse(init));
    return Backbone.regenerate(99, List.of(t), 2).get("w");
  }

  private static void assertMoments(String init, double mean, double sd, double relTol) {
    float[] v = values(init);
    double s = 0;
    double s2 = 0;
    for (float x : v) {
      s += x;
      s2 += (double) x * x;
    }
    double m = s / v.length;
    double var = s2 / v.length - m * m;
    assertEquals(mean, m, 4 * sd / Math.sqrt(v.length) + 1e-9, init + " mean");
    assertEquals(sd, Math.sqrt(var), sd * Math.max(relTol, 0.01) + 1e-9, init + " sd");
  }

  private static int distinct(float[] v) {
    return (int) java.util.stream.IntStream.range(0, v.length).mapToDouble(i -> v[i]).distinct().count();
  }

  @Test
  void regeneratingIntoAReusedBufferGivesTheSameBitsOnAnyThreadCount() {
    float[] buf = new float[70_000];
    for (String init : new String[] {"normal", "kaiming_uniform", "truncated_normal", "orthogonal", "student_t"}) {
      TensorSpec t = TensorSpec.of("layers.1.weight", new int[] {200, 300}, InitSpec.parse(init));
      float[] reference = Backbone.regenerate(5, java.util.List.of(t), 1).get(t.name());
      for (int threads = 1; threads <= 3; threads++) {
        java.util.Arrays.fill(buf, Float.NaN);
        Backbone.regenerateInto(5, t, buf, threads);
        org.junit.jupiter.api.Assertions.assertArrayEquals(reference, java.util.Arrays.copyOf(buf, t.size()),
            init + " on " + threads + " threads");
        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(buf[t.size()]), "nothing written past the tensor");
      }
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Backbone.regenerateInto(5,
        TensorSpec.of("w", new int[] {300, 300}, InitSpec.DEFAULT), buf, 1));
  }
}
