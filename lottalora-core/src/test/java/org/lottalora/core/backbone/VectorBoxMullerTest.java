package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The SIMD generator ({@link VectorBoxMuller}: Philox blocks and Box-Muller in lanes) equals the scalar one bit for
 * bit. Its Box-Muller equals the per-pair reference ({@link Stream#normalPair}, itself
 * fdlibm and so StrictMath) bit for bit: on millions of stream words, and on words crafted to land on every boundary
 * where fdlibm changes formula (octant edges, multiples of pi/2, |y| = 0.3 and 0.78125 in the cosine kernel, the
 * log's sqrt(2) normalisation edge, its i > 0 window, powers of two, the top word). The test JVM adds the Vector API
 * module (the build's surefire argLine), so the SIMD path is the one {@link Stream} uses here.
 */
class VectorBoxMullerTest {
  private static final double TWO_PI = 2.0 * Math.PI;

  @Test
  void theStreamSwitchesToTheSimdPathOnceItIsWarm() throws InterruptedException {
    assertTrue(Stream.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the SIMD path is available");
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (!Stream.vectorJudged() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(Stream.vectorJudged(), "the warm-up thread decides within its minute");
    // on this project's machines (AVX-512) SIMD wins; a CPU whose vector multiply is not compiled keeps scalar
    org.junit.jupiter.api.Assumptions.assumeTrue(Stream.vectorReady(), "SIMD measured no faster here: scalar stays");
    Stream s = new Stream(3L, "after.warmup");
    double[] z = new double[4096];
    s.normals(0, z, z.length); // through the SIMD path now
    long[] w = new long[4096];
    s.words(0, w, w.length);
    double[] ref = new double[4096];
    Stream.scalarPairs(w, 2048, ref);
    for (int i = 0; i < z.length; i++) {
      if (Double.doubleToRawLongBits(z[i]) != Double.doubleToRawLongBits(ref[i])) {
        throw new AssertionError("value " + i + ": " + z[i] + " vs " + ref[i]);
      }
    }
  }

  @Test
  void equalsThePerPairReferenceOnStreamWords() {
    Stream s = new Stream(12345L, "box-muller-test");
    int pairs = (1 << 16) + 5; // a tail of pairs that do not fill a vector
    long[] w = new long[2 * pairs];
    for (int chunk = 0; chunk < 32; chunk++) { // 2M pairs
      s.words((long) chunk * w.length, w, w.length);
      assertSimdEqualsReference(w, pairs);
    }
  }

  @Test
  void equalsThePerPairReferenceOnEveryBranchBoundary() {
    double[] angles = {Math.PI / 4, 3 * Math.PI / 4, Math.PI / 2, Math.PI, 3 * Math.PI / 2, TWO_PI,
        Math.PI / 2 - 0.3, Math.PI / 2 + 0.3, Math.PI - 0.3, Math.PI + 0.3, 3 * Math.PI / 2 - 0.3,
        3 * Math.PI / 2 + 0.3, TWO_PI - 0.3, 0.3, Math.PI / 2 - 0.78125, Math.PI / 2 + 0.78125,
        Math.PI - 0.78125, Math.PI + 0.78125, TWO_PI - 0.78125, 0.78125, 5 * Math.PI / 4, 7 * Math.PI / 4, 1e-9};
    double[] logs = {1.0, 0.5, 0.25, 0x1.0p-20, Math.sqrt(0.5), Math.sqrt(0.5) / 4, 0.75,
        Double.longBitsToDouble(0x3fe6147a00000000L), Double.longBitsToDouble(0x3fe6b85100000000L), 1e-16};
    long[] u1Words = new long[logs.length * 3];
    for (int i = 0; i < logs.length; i++) {
      long m = wordNear(logs[i]);
      u1Words[3 * i] = m;
      u1Words[3 * i + 1] = m - (1L << 11);
      u1Words[3 * i + 2] = m + (1L << 11);
    }
    u1Words[0] = -1L; // the top word: u = 1.0, log = 0
    int span = 3000;
    long[] w = new long[2 * (angles.length + u1Words.length) * 2 * span];
    int p = 0;
    for (double a : angles) {
      long center = wordNear(a / TWO_PI) >>> 11;
      for (int d = -span; d < span; d++) {
        // close neighbours, then a spread reaching about 2^-20 relative
        long step = d < 0 ? d : ((long) d * d) >> 4;
        long m = Math.max(0, Math.min((1L << 53) - 1, center + step));
        w[2 * p] = u1Words[p % u1Words.length];
        w[2 * p + 1] = m << 11 | (p & 0x7ff);
        p++;
      }
    }
    for (long u : u1Words) { // every log edge against many angles
      for (int d = 0; d < 2 * span; d++) {
        w[2 * p] = u + ((long) (d % 64) << 11);
        w[2 * p + 1] = (long) d * 0x9E3779B97F4A7C15L;
        p++;
      }
    }
    assertSimdEqualsReference(w, p);
  }

  @Test
  void philoxBlocksInLanesEqualTheScalarBlocks() {
    long[] keys = {0L, 42L, -1L, 0x8000000000000000L, Fnv1a64.hash("layers.0.weight"), 0x9E3779B97F4A7C15L};
    long[] starts = {0L, 1L, 123_456_789L, -5L, Long.MAX_VALUE - 20}; // counters wrap as the scalar j++ does
    for (long k0 : keys) {
      for (long k1 : keys) {
        for (long j0 : starts) {
          int count = 67; // eight vectors and a scalar tail
          long[] simd = new long[4 * count + 3];
          VectorBoxMuller.blocks(j0, count, k0, k1, simd, 3);
          long[] ref = new long[4];
          for (int b = 0; b < count; b++) {
            Philox4x64.block(j0 + b, 0L, 0L, 0L, k0, k1, ref, 0);
            for (int q = 0; q < 4; q++) {
              if (ref[q] != simd[3 + 4 * b + q]) {
                throw new AssertionError(String.format("key (%x, %x) block %d word %d: lanes %x, scalar %x", k0, k1,
                    j0 + b, q, simd[3 + 4 * b + q], ref[q]));
              }
            }
          }
        }
      }
    }
  }

  @Test
  void everyInitFamilyRegeneratesToTheSameBitsOnBothPathsAndOneToThreeThreads() throws InterruptedException {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (!Stream.vectorJudged() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    boolean was = Stream.vectorReady();
    try {
      for (InitFamily f : InitFamily.values()) {
        // 300 x 301: odd sizes, slices that end inside a block and a pair, several 16,384-value slices
        TensorSpec t = TensorSpec.of("blocks.2." + f.id(), new int[] {300, 301}, InitSpec.of(f));
        Stream.useVector(false);
        float[] scalar = Backbone.regenerate(11, java.util.List.of(t), 1).get(t.name());
        Stream.useVector(true);
        for (int threads = 1; threads <= 3; threads++) {
          float[] fast = Backbone.regenerate(11, java.util.List.of(t), threads).get(t.name());
          for (int i = 0; i < scalar.length; i++) {
            if (Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(fast[i])) {
              throw new AssertionError(f.id() + " on " + threads + " threads, value " + i + ": " + fast[i]
                  + " against scalar " + scalar[i]);
            }
          }
        }
      }
    } finally {
      Stream.useVector(was);
    }
  }

  @Test
  void scaledNormalsInLanesEqualTheScalarPathAtEveryStartAndLength() {
    boolean was = Stream.vectorReady();
    try {
      Stream s = new Stream(77L, "layers.3.weight");
      long[] starts = {0, 1, 2, 3, 4, 5, 31, 32, 33, 1000, (1L << 32) - 3, (1L << 40) + 1};
      int[] lengths = {0, 1, 3, 63, 64, 65, 66, 67, 95, 127, 128, 129, 1000, 4099};
      for (long start : starts) {
        for (int n : lengths) {
          assertSameScaledNormals(s, start, n, 5, 0.0625);
        }
      }
      assertSameScaledNormals(s, 13, 1 << 22, 0, 1.0 / 3); // 4M values from a start inside a block and a pair
    } finally {
      Stream.useVector(was);
    }
  }

  private static void assertSameScaledNormals(Stream s, long start, int n, int off, double scale) {
    float[] scalar = new float[off + n];
    float[] lanes = new float[off + n];
    Stream.useVector(false);
    s.scaledNormals(start, scalar, off, n, scale);
    Stream.useVector(true);
    s.scaledNormals(start, lanes, off, n, scale);
    for (int i = 0; i < off + n; i++) {
      if (Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(lanes[i])) {
        throw new AssertionError("start " + start + ", n " + n + ", value " + (i - off) + ": " + lanes[i]
            + " against scalar " + scalar[i]);
      }
    }
  }

  /** A word whose uniform is the double nearest {@code u} (in (0, 1)). */
  private static long wordNear(double u) {
    return ((long) (u * 0x1.0p53)) << 11;
  }

  private static void assertSimdEqualsReference(long[] w, int pairs) {
    double[] simd = new double[2 * pairs];
    VectorBoxMuller.pairs(w, pairs, simd);
    double[] ref = new double[2 * pairs];
    Stream.scalarPairs(w, pairs, ref);
    for (int p = 0; p < pairs; p++) {
      if (Double.doubleToRawLongBits(ref[2 * p]) != Double.doubleToRawLongBits(simd[2 * p])
          || Double.doubleToRawLongBits(ref[2 * p + 1]) != Double.doubleToRawLongBits(simd[2 * p + 1])) {
        throw new AssertionError(String.format("pair %d (words %016x %016x, u1 %s, theta %s): SIMD (%s, %s), "
            + "reference (%s, %s)", p, w[2 * p], w[2 * p + 1], Stream.uniform(w[2 * p]),
            TWO_PI * Stream.uniform(w[2 * p + 1]), simd[2 * p], simd[2 * p + 1], ref[2 * p], ref[2 * p + 1]));
      }
    }
  }
}
