package org.lottalora.core.backbone;

/**
 * Sequential uniforms from the project's counter-based generator: the words of one named {@link Stream}, read in
 * order. Every sequential random choice outside the backbone (spike trains, pattern tasks, environment resets and
 * behaviour-policy noise) draws here, so a run is a function of its seed and the name alone, on any thread count
 * and JVM.
 */
public final class Draws {
  private final Stream stream;
  private final long[] block = new long[4];
  private long next;
  private int pos = 4;

  /** The draws of stream {@code name} under {@code seed}, from word 0. */
  public Draws(long seed, String name) {
    this.stream = new Stream(seed, name);
  }

  /** A uniform in (0, 1]. */
  public double uniform() {
    if (pos == 4) {
      stream.block(next++, block);
      pos = 0;
    }
    return Stream.uniform(block[pos++]);
  }

  /** A uniform integer in [0, bound). */
  public int below(int bound) {
    int k = (int) Math.floor((1.0 - uniform()) * bound);
    return Math.min(Math.max(k, 0), bound - 1);
  }

  /** An exponential variate with mean {@code mean}. */
  public double exponential(double mean) {
    return -Math.log(uniform()) * mean;
  }

  /** A uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (1.0 - uniform()) * (hi - lo);
  }

  /** A seeded permutation of 0..n-1 (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = below(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
