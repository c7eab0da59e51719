package org.lottalora.core.backbone;

/**
 * Pure-Java ports of the fdlibm 5.3 routines the generator needs ({@code __ieee754_log}, {@code sin},
 * {@code cos} with {@code __kernel_sin}, {@code __kernel_cos} and the medium branch of
 * {@code __ieee754_rem_pio2}), bit-identical to {@code StrictMath}, which Java specifies as fdlibm. On Java 17
 * {@code StrictMath.log/sin/cos} are JNI calls that dominate the cost of normal draws; these are JIT-compiled.
 * {@link #sinCos} shares one argument reduction between sine and cosine. Inputs outside the ranges handled
 * here fall back to {@code StrictMath}. Tests compare both on millions of inputs.
 */
final class FdLibm {
  private FdLibm() {}

  static final double LN2_HI = 6.93147180369123816490e-01;
  static final double LN2_LO = 1.90821492927058770002e-10;
  static final double LG1 = 6.666666666666735130e-01;
  static final double LG2 = 3.999999999940941908e-01;
  static final double LG3 = 2.857142874366239149e-01;
  static final double LG4 = 2.222219843214978396e-01;
  static final double LG5 = 1.818357216161805012e-01;
  static final double LG6 = 1.531383769920937332e-01;
  static final double LG7 = 1.479819860511658591e-01;

  private static int hi(double x) {
    return (int) (Double.doubleToRawLongBits(x) >>> 32);
  }

  private static int lo(double x) {
    return (int) Double.doubleToRawLongBits(x);
  }

  private static double withHi(double x, int hi) {
    return Double.longBitsToDouble(((long) hi << 32) | (Double.doubleToRawLongBits(x) & 0xffffffffL));
  }

  /** {@code StrictMath.log(x)} for normal positive finite x; other inputs go to StrictMath. */
  static double log(double x) {
    int hx = hi(x);
    if (hx < 0x00100000 || hx >= 0x7ff00000) {
      return StrictMath.log(x); // zero, negative, subnormal, inf, NaN
    }
    int k = (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int i = (hx + 0x95f64) & 0x100000;
    x = withHi(x, hx | (i ^ 0x3ff00000)); // normalize x or x/2
    k += i >> 20;
    double f = x - 1.0;
    if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^-20
      if (f == 0.0) {
        if (k == 0) {
          return 0.0;
        }
        double dk = k;
        return dk * LN2_HI + dk * LN2_LO;
      }
      double r = f * f * (0.5 - 0.33333333333333333 * f);
      if (k == 0) {
        return f - r;
      }
      double dk = k;
      return dk * LN2_HI - ((r - dk * LN2_LO) - f);
    }
    double s = f / (2.0 + f);
    double dk = k;
    double z = s * s;
    i = hx - 0x6147a;
    double w = z * z;
    int j = 0x6b851 - hx;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    i |= j;
    double r = t2 + t1;
    if (i > 0) {
      double hfsq = 0.5 * f * f;
      if (k == 0) {
        return f - (hfsq - s * (hfsq + r));
      }
      return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }
    if (k == 0) {
      return f - s * (f - r);
    }
    return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
  }

  static final double S1 = -1.66666666666666324348e-01;
  static final double S2 = 8.33333333332248946124e-03;
  static final double S3 = -1.98412698298579493134e-04;
  static final double S4 = 2.75573137070700676789e-06;
  static final double S5 = -2.50507602534068634195e-08;
  static final double S6 = 1.58969099521155010221e-10;

  private static double kernelSin(double x, double y, boolean hasTail) {
    int ix = hi(x) & 0x7fffffff;
    if (ix < 0x3e400000 && (int) x == 0) {
      return x;
    }
    double z = x * x;
    double v = z * x;
    double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    if (!hasTail) {
      return x + v * (S1 + z * r);
    }
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
  }

  static final double C1 = 4.16666666666666019037e-02;
  static final double C2 = -1.38888888888741095749e-03;
  static final double C3 = 2.48015872894767294178e-05;
  static final double C4 = -2.75573143513906633035e-07;
  static final double C5 = 2.08757232129817482790e-09;
  static final double C6 = -1.13596475577881948265e-11;

  private static double kernelCos(double x, double y) {
    int ix = hi(x) & 0x7fffffff;
    if (ix < 0x3e400000 && (int) x == 0) {
      return 1.0;
    }
    double z = x * x;
    double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    if (ix < 0x3FD33333) {
      return 1.0 - (0.5 * z - (z * r - x * y));
    }
    double qx = ix > 0x3fe90000 ? 0.28125 : Double.longBitsToDouble((long) (ix - 0x00200000) << 32);
    double hz = 0.5 * z - qx;
    double a = 1.0 - qx;
    return a - (hz - (z * r - x * y));
  }

  static final double INVPIO2 = 6.36619772367581382433e-01;
  static final double PIO2_1 = 1.57079632673412561417e+00;
  static final double PIO2_1T = 6.07710050650619224932e-11;
  private static final double PIO2_2 = 6.07710050630396597660e-11;
  private static final double PIO2_2T = 2.02226624879595063154e-21;
  private static final double PIO2_3 = 2.02226624871116645580e-21;
  private static final double PIO2_3T = 8.47842766036889956997e-32;
  /** High words of n * pi/2 for n = 1..4 (the start of fdlibm's npio2_hw table). */
  private static final int[] NPIO2_HW = {0x3FF921FB, 0x400921FB, 0x4012D97C, 0x401921FB};

  /**
   * Sine into {@code out[0]} and cosine into {@code out[1]}, bit-identical to {@code StrictMath.sin/cos},
   * for {@code 0 <= x <= 2 pi + 0.1} (the Box-Muller angle); other inputs use StrictMath.
   */
  static void sinCos(double x, double[] out) {
    int hx = hi(x);
    int ix = hx & 0x7fffffff;
    if (hx < 0 || ix > 0x401A0000) { // negative or beyond about 6.5
      out[0] = StrictMath.sin(x);
      out[1] = StrictMath.cos(x);
      return;
    }
    if (ix <= 0x3fe921fb) { // |x| <= pi/4: no reduction
      out[0] = kernelSin(x, 0.0, false);
      out[1] = kernelCos(x, 0.0);
      return;
    }
    double y0;
    double y1;
    int n;
    if (ix < 0x4002d97c) { // |x| < 3pi/4: n = 1
      double z = x - PIO2_1;
      if (ix != 0x3ff921fb) {
        y0 = z - PIO2_1T;
        y1 = (z - y0) - PIO2_1T;
      } else {
        z -= PIO2_2;
        y0 = z - PIO2_2T;
        y1 = (z - y0) - PIO2_2T;
      }
      n = 1;
    } else {
      double t = x;
      n = (int) (t * INVPIO2 + 0.5);
      double fn = n;
      double r = t - fn * PIO2_1;
      double w = fn * PIO2_1T;
      if (n < 32 && n - 1 < NPIO2_HW.length && ix != NPIO2_HW[n - 1]) {
        y0 = r - w;
      } else {
        int j = ix >> 20;
        y0 = r - w;
        int i = j - ((hi(y0) >> 20) & 0x7ff);
        if (i > 16) {
          t = r;
          w = fn * PIO2_2;
          r = t - w;
          w = fn * PIO2_2T - ((t - r) - w);
          y0 = r - w;
          i = j - ((hi(y0) >> 20) & 0x7ff);
          if (i > 49) {
            t = r;
            w = fn * PIO2_3;
            r = t - w;
            w = fn * PIO2_3T - ((t - r) - w);
            y0 = r - w;
          }
        }
      }
      y1 = (r - y0) - w;
    }
    switch (n & 3) {
      case 0:
        out[0] = kernelSin(y0, y1, true);
        out[1] = kernelCos(y0, y1);
        break;
      case 1:
        out[0] = kernelCos(y0, y1);
        out[1] = -kernelSin(y0, y1, true);
        break;
      case 2:
        out[0] = -kernelSin(y0, y1, true);
        out[1] = -kernelCos(y0, y1);
        break;
      default:
        out[0] = -kernelCos(y0, y1);
        out[1] = kernelSin(y0, y1, true);
    }
  }
}
