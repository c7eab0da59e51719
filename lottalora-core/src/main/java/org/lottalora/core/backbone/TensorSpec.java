package org.lottalora.core.backbone;

import java.util.Arrays;

/**
 * A named backbone tensor: its stable name (which keys its stream), canonical shape ([d_out, d_in]; conv
 * [out, in, kh, kw]; a bias [d]), init spec, and the fan-in and fan-out the init family scales by.
 *
 * @param name stable tensor name, e.g. {@code layers.0.weight}
 * @param shape canonical shape, row-major
 * @param init init family and parameters
 * @param fanIn product of all dims but the first, unless overridden (a bias takes its layer's fan-in)
 * @param fanOut first dim times the product of dims after the second (the receptive field)
 */
public record TensorSpec(String name, int[] shape, InitSpec init, int fanIn, int fanOut) {

  /** Validates shape and fans. */
  public TensorSpec {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a backbone tensor needs a non-empty name");
    }
    shape = shape.clone();
    if (shape.length == 0) {
      throw new IllegalArgumentException("tensor '" + name + "' has an empty shape");
    }
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dimension: "
            + Arrays.toString(shape));
      }
    }
    if (fanIn <= 0 || fanOut <= 0) {
      throw new IllegalArgumentException("tensor '" + name + "' needs positive fan-in and fan-out");
    }
    if (init.family().isGlobal() && shape.length != 2) {
      throw new IllegalArgumentException("init family '" + init.family().id()
          + "' needs a 2-D tensor, but '" + name + "' has shape " + Arrays.toString(shape));
    }
  }

  /** A tensor with fans from the canonical rule. */
  public static TensorSpec of(String name, int[] shape, InitSpec init) {
    return new TensorSpec(name, shape, init, defaultFanIn(shape), defaultFanOut(shape));
  }

  /** A 1-D tensor (a bias) that scales by its layer's fan-in. */
  public static TensorSpec bias(String name, int size, int layerFanIn, InitSpec init) {
    return new TensorSpec(name, new int[] {size}, init, layerFanIn, size);
  }

  /** Number of elements, overflow-checked. */
  public int size() {
    long n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + n + " elements; at most "
          + (Integer.MAX_VALUE - 8) + " fit one Java array");
    }
    return (int) n;
  }

  /** Product of all dims but the first (1 for a 1-D tensor). */
  public static int defaultFanIn(int[] shape) {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      n = Math.multiplyExact(n, shape[i]);
    }
    return Math.toIntExact(n);
  }

  /** First dim times the receptive field (dims from the third on). */
  public static int defaultFanOut(int[] shape) {
    long n = shape[0];
    for (int i = 2; i < shape.length; i++) {
      n = Math.multiplyExact(n, shape[i]);
    }
    return Math.toIntExact(n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape)
        && init.equals(t.init) && fanIn == t.fanIn && fanOut == t.fanOut;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + " " + init.canonical();
  }
}
