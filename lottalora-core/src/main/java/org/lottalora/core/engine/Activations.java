package org.lottalora.core.engine;

/**
 * The element-wise nonlinearities the engine's ops share. {@code tanh} goes through {@link Math#exp}: JDK 17's
 * {@link Math#tanh} is a native call per value (it was most of a small ViT's training step), while {@code exp} is a
 * JIT intrinsic; {@code 1 - 2 / (e^{2u} + 1)} agrees with {@code Math.tanh} to a few ulps and saturates cleanly
 * ({@code e^{2u}} overflowing to infinity gives 1, underflowing to 0 gives -1).
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
}
