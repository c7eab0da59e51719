package org.lottalora.core.engine;

/**
 * The ops' reusable activation buffers: an op keeps the arrays its backward needs and reuses them across steps,
 * growing one only when a batch needs more values than it holds (so a training loop allocates them once).
 */
public final class Buffers {
  private Buffers() {
  }

  /** {@code a} if it holds at least {@code size} values, else a new array of that size. */
  public static float[] fit(float[] a, int size) {
    return a.length >= size ? a : new float[size];
  }
}
