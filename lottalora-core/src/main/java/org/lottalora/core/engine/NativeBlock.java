package org.lottalora.core.engine;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A growable block of floats in native memory that {@link Gemm} hands to OpenBLAS as it is, with no copy: for the
 * engine's largest operands, a convolution's im2col columns and their gradient (58 MB per 16-channel layer of a
 * 128-image Fashion-MNIST batch), where copying a heap array in and out of native memory cost a third as much
 * as the product itself. Java code reads and writes it through {@link #buffer()}'s absolute bulk operations, which
 * are safe from several threads on disjoint ranges.
 */
public final class NativeBlock {
  private FloatPointer pointer = new FloatPointer(0);
  private FloatBuffer buffer = FloatBuffer.allocate(0);

  /** Makes the block hold at least {@code size} floats (contents are not kept when it grows); returns this. */
  public NativeBlock fit(long size) {
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a block of " + size + " floats is too large; use smaller batches");
    }
    if (pointer.capacity() < size) {
      pointer.close();
      pointer = new FloatPointer(Math.max(size, 1));
      buffer = pointer.asBuffer();
    }
    return this;
  }

  /** The native memory, for BLAS. */
  FloatPointer pointer() {
    return pointer.position(0);
  }

  /** A view of the whole block for Java reads and writes (use the absolute, index-taking methods). */
  public FloatBuffer buffer() {
    return buffer;
  }

  /** The values [from, from + len) as a new array (tests, debugging). */
  public float[] read(int from, int len) {
    float[] out = new float[len];
    buffer.get(from, out, 0, len);
    return out;
  }
}
