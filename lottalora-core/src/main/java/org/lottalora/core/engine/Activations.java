package org.lottalora.core.engine;

/**
 * The element-wise nonlinearities the engine's ops share. {@code tanh} goes through {@link Math#exp}: JDK 17's
 * {@link Math#tanh} is a native call per value (it was most of a small ViT's training step), while {@code exp} is a
 * JIT intrinsic; {@code 1 - 2 / (e^{2u} + 1)} agrees with {@code Math.tanh} to a few ulps and saturates cleanly
 * ({@code e^{2u}} overflowing to infinity gives 1, underflowing to 0 gives -1). The float versions go through
 * {@link #exp(float)}, a polynomial in plain float arithmetic (so the same bits on every JVM) that costs a fifth of
 * {@code Math.exp} (14 ns a value on this machine, most of a Transformer step's Java time) and is within 1e-6
 * relative of it.
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
}
