package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pure-Java fdlibm ports agree with StrictMath bit for bit on the generator's whole input range. */
class FdLibmTest {
  @Test
  void logMatchesStrictMathOnUniformsAndEdges() {
    long[] w = new long[1 << 20];
    new Stream(99, "fdlibm/log").words(0, w, w.length);
    for (long x : w) {
      double u = Stream.uniform(x);
      assertBits(StrictMath.log(u), FdLibm.log(u), u);
    }
    double[] edges = {1.0, 0x1.0p-53, 0.5 * 0x1.0p-53, Double.MIN_NORMAL, Double.MIN_VALUE, 0.0, -1.0,
        Math.nextDown(1.0), Math.nextUp(1.0), 2.0, 1e300, Double.POSITIVE_INFINITY, Double.NaN, 0.75, 1.5};
    for (double e : edges) {
      assertBits(StrictMath.log(e), FdLibm.log(e), e);
    }
  }

  @Test
  void sinCosMatchStrictMathOnTheBoxMullerAngleRange() {
    long[] w = new long[1 << 20];
    new Stream(98, "fdlibm/sincos").words(0, w, w.length);
    double[] sc = new double[2];
    for (long x : w) {
      double t = 2.0 * Math.PI * Stream.uniform(x);
      FdLibm.sinCos(t, sc);
      assertBits(StrictMath.sin(t), sc[0], t);
      assertBits(StrictMath.cos(t), sc[1], t);
    }
    // the multiples of pi/2 and their neighbours, where the reduction takes its careful branches
    for (int n = 0; n <= 4; n++) {
      double c = n * Math.PI / 2;
      double t = c;
      for (int k = 0; k < 200; k++) {
        for (double v : new double[] {t, c - (t - c)}) {
          if (v >= 0) {
            FdLibm.sinCos(v, sc);
            assertBits(StrictMath.sin(v), sc[0], v);
            assertBits(StrictMath.cos(v), sc[1], v);
          }
        }
        t = Math.nextUp(t);
      }
    }
    for (double v : new double[] {1e-300, 0x1.0p-30, 0.3, 0.78, 0.79, 2.35, 2.36, 7.0, -1.0, 100.0}) {
      FdLibm.sinCos(v, sc);
      assertBits(StrictMath.sin(v), sc[0], v);
      assertBits(StrictMath.cos(v), sc[1], v);
    }
  }

  private static void assertBits(double expected, double actual, double input) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), "input " + input
        + " (" + Double.doubleToRawLongBits(input) + "): " + expected + " vs " + actual);
  }
}
