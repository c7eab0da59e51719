package org.lottalora.core.engine;

/**
 * The element-wise nonlinearities the engine's ops share. {@code tanh} goes through {@link Math#exp}: JDK 17's
 * {@link Math#tanh} is a native call per value (it was most of a small ViT's training step), while {@code exp} is a
 * JIT intrinsic; {@code 1 - 2 / (e^{2u} + 1)} agrees with {@code Math.tanh} to a few ulps and saturates cleanly
 * ({@code e^{2u}} overflowing to infinity gives 1, underflowing to 0 gives -1). The float versions go through
 * {@link #exp(float)}, a polynomial in plain float arithmetic (so the same bits on every JVM) that costs a fifth of
 * {@code Math.exp} (14 ns a value on this machine, most of a Transformer step's Java time) and is within 1e-6
 * relative of it.
 *
 * <p>The array versions ({@link #sigmoid(float[], float[], int, int)}, {@link #tanh(float[], float[], int, int)},
 * {@link #expNonPositive}) are for the hot loops over whole activations (a byte LM's SwiGLU gate, a ViT's GELU,
 * softmax rows). {@link #exp(float)} rounds to an integer and builds {@code 2^k} from its bits, which JDK 17's
 * compiler cannot vectorise (4-5 ns a value); these use only float add, multiply, divide, min and max, which it does
 * (0.6-0.9 ns a value with AVX-512): {@code e^a - 1} for {@code a} in [0, 88] is a polynomial at {@code a / 256}
 * doubled eight times by {@code q <- q (q + 2)} (which keeps {@code q} accurate to its own size, as {@code expm1}),
 * taken at {@code |u|}, and the sign is applied by arithmetic, not a branch. They are within
 * {@code 4e-6 + 2e-7 |a|} relative of the exact function for the exponent {@code a} they take (measured on a grid of
 * a million points: 3.3e-6 below 10, 9.8e-6 at 40, 1.7e-5 at 88, against 1e-7 for {@link #exp(float)}: the
 * doublings cost digits), saturate at {@code |a| = 88} and give NaN for NaN. Plain float arithmetic, so the same
 * bits on every JVM, vectorised or not.
 */
public final class Activations {
  private Activations() {}

  /** Hyperbolic tangent. */
  public static double tanh(double u) {
    return 1 - 2 / (Math.exp(2 * u) + 1);
  }

  /** Logistic sigmoid {@code 1 / (1 + e^-u)}. */
  public static double sigmoid(double u) {
    return 1 / (1 + Math.exp(-u));
  }

  /**
   * {@code e^x} in float: {@code 2^k p(r)} with {@code k = round(x / ln 2)} and a degree-6 Taylor polynomial on
   * {@code r = x - k ln 2} in [-ln 2 / 2, ln 2 / 2]; 0 below {@code e^-87}, infinity above {@code e^88}, NaN for NaN.
   */
  public static float exp(float x) {
    if (x < -87f) {
      return 0f;
    }
    if (x > 88f) {
      return Float.POSITIVE_INFINITY;
    }
    float k = Math.round(x * 1.442695041f);
    float r = x - k * 0.693145752f - k * 1.42860677e-6f; // ln 2 in two parts (Cody-Waite): r keeps its digits
    float p = 1f + r * (1f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f
        + r * 0.00138888892f)))));
    return p * Float.intBitsToFloat(((int) k + 127) << 23);
  }

  /** Logistic sigmoid in float, through {@link #exp(float)}. */
  public static float sigmoid(float u) {
    return 1f / (1f + exp(-u));
  }

  /** Hyperbolic tangent in float, through {@link #exp(float)}. */
  public static float tanh(float u) {
    return 1f - 2f / (exp(2f * u) + 1f);
  }

  // e^a - 1 for a in [0, 88] (the callers clamp): a degree-8 Taylor polynomial of e^y - 1 at y = a / 256, doubled
  // eight times by e^2y - 1 = q (q + 2)
  private static float expm1Clamped(float a) {
    float y = a * (1f / 256f);
    float q = y * (1f + y * (0.5f + y * (0.166666672f + y * (0.0416666679f + y * (0.00833333377f
        + y * (0.00138888892f + y * (1.98412701e-4f + y * 2.48015876e-5f)))))));
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    q *= q + 2f;
    return q;
  }

  // e^min(max(v, 0), 88) - 1; NaN stays NaN (Math.max passes it on)
  private static float expm1Positive(float v) {
    return expm1Clamped(Math.min(Math.max(v, 0f), 88f));
  }

  // 1 for v >= 1e-38 (every normal positive float), 0 for v <= 0, NaN for NaN: a sign without a branch
  private static float positive(float v) {
    return Math.min(Math.max(v * 1e38f, 0f), 1f);
  }

  // JDK 17's compiler vectorises a loop only while its body is small: the polynomial and the combination in one
  // loop ran at 10 ns a value, in two loops over a cache-sized block at 0.8 ns; the first leaves e^|u| - 1 in out
  private static final int BLOCK = 2048;

  private static void expm1Abs(float[] u, float scale, float[] out, int from, int to) {
    for (int i = from; i < to; i++) {
      out[i] = expm1Positive(scale * Math.abs(u[i]));
    }
  }

  private static void checkDistinct(float[] u, float[] out) {
    if (u == out) {
      throw new IllegalArgumentException("the output must be another array than the input");
    }
  }

  /**
   * {@code out[i] = 1 / (1 + e^-u[i])} for i in [from, to), vectorisable (see the class comment). One index for both
   * arrays (with two offsets the compiler cannot rule out an overlap and does not vectorise); out is another array
   * than u (it holds an intermediate).
   */
  public static void sigmoid(float[] u, float[] out, int from, int to) {
    checkDistinct(u, out);
    for (int b = from; b < to; b += BLOCK) {
      int e = Math.min(to, b + BLOCK);
      expm1Abs(u, 1f, out, b, e);
      for (int i = b; i < e; i++) { // e^u / (e^u + 1) for u > 0, 1 / (1 + e^-u) below, from q = e^|u| - 1
        float q = out[i];
        out[i] = (1f + q * positive(u[i])) / (2f + q);
      }
    }
  }

  /**
   * {@code out[i] = tanh(u[i])} for i in [from, to), vectorisable (see the class comment; one index, another array,
   * as {@link #sigmoid(float[], float[], int, int)}); a subnormal argument gives a value below it in size.
   */
  public static void tanh(float[] u, float[] out, int from, int to) {
    checkDistinct(u, out);
    for (int b = from; b < to; b += BLOCK) {
      int e = Math.min(to, b + BLOCK);
      expm1Abs(u, 2f, out, b, e);
      for (int i = b; i < e; i++) { // q / (q + 2) from q = e^2|u| - 1, signed: no cancellation near 0
        float q = out[i];
        float v = u[i];
        out[i] = q / (q + 2f) * (positive(v) - positive(-v));
      }
    }
  }

  /**
   * {@code out[i] = e^(x[i] - shift)} for i in [from, to), for arguments at or below 0 (a softmax row less its
   * maximum), vectorisable (see the class comment; one index, as {@link #sigmoid(float[], float[], int, int)}); an
   * argument below {@value #SUBNORMAL_EXPONENT} (where {@code e^x} is below the smallest normal float) gives exactly 0,
   * minus infinity included, as float {@code exp} underflows (before, the clamp at 88 gave about {@code e^-88}, a
   * subnormal, for every very unlikely class of a confident softmax and for every masked key).
   */
  public static void expNonPositive(float[] x, float shift, float[] out, int from, int to) {
    for (int i = from; i < to; i++) {
      float d = shift - x[i];
      out[i] = positive(-SUBNORMAL_EXPONENT - d) / (1f + expm1Positive(d));
    }
  }

  /** {@code ln} of the smallest normal float, rounded up: {@code e^x} is subnormal below it. */
  static final float SUBNORMAL_EXPONENT = -87.33f;
}
