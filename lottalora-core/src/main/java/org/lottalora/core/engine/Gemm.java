package org.lottalora.core.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The engine's one matrix product, {@code C = alpha op(A) op(B) + beta C} over row-major blocks of plain float
 * arrays, straight to OpenBLAS's {@code cblas_sgemm} with no ND4J array in between (an ND4J call costs 30-45 us of
 * Java-side checks and two copies, more than the arithmetic of most adapter products).
 *
 * <p>Operands are copied into per-thread native scratch buffers (one bulk copy each; only C comes back), which is
 * what any Java-heap-to-BLAS call pays, and lets a block start at any offset of a larger array (the per-head
 * blocks of attention). Products of fewer than {@link #SMALL} multiply-adds run in plain Java loops instead, where
 * the call and the copies would cost more than the arithmetic (a KV-cached decoding step at a small width). The
 * threshold was 32k until the loops were measured on a ViT's per-head products (17 x 17 x 16): inner loops of 16-17
 * values are too short for the JIT's vectorised main loop, so they ran near scalar speed and took 60% of the step;
 * through OpenBLAS the ViT trains 1.3-1.6x faster (1,300-1,650 against 2,100-2,500 images/s, one thread). A row's
 * result does not depend on the other rows' values, but it may depend on the row count: OpenBLAS blocks a product
 * by its rows, and the path depends on the size, so a row computed alone (a KV-cached decoding step) agrees with
 * the same row of a batch to rounding, not to the bit.
 *
 * <p>Thread safety: callable from any thread. Every product runs OpenBLAS on one thread
 * ({@link Parallel#blasOnOneThread}), the first one after {@code --threads 2} included: OpenBLAS's own split of a
 * product over threads changes its last bits, and the engine splits large products itself, the same way on any
 * thread count; so BLAS threads and Java threads never oversubscribe the cores either.
 */
public final class Gemm {
  /** Multiply-adds ({@code m * n * k}) from which a product goes to OpenBLAS. */
  public static final int SMALL = 1 << 11;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  // the last thread's scratch: a ThreadLocal lookup missed its slot on the main thread (ND4J fills its map) and
  // cost 7% of a byte-LM step; a thread only ever uses the scratch it owns, so a stale read just falls through
  private static volatile Scratch last;

  private Gemm() {
  }

  /** Native buffers for the three operands of one thread, grown on demand. */
  private static final class Scratch {
    final Thread owner = Thread.currentThread();
    FloatPointer a = new FloatPointer(0);
    FloatPointer b = new FloatPointer(0);
    FloatPointer c = new FloatPointer(0);

    static Scratch mine() {
      Scratch s = last;
      if (s != null && s.owner == Thread.currentThread()) {
        return s;
      }
      s = SCRATCH.get();
      last = s;
      return s;
    }

    float[][] parts = new float[0][];

    // chunk products of a split product (sumChunks): written by the engine's threads, owned by the caller
    float[][] parts(int count, int size) {
      if (parts.length < count) {
        parts = java.util.Arrays.copyOf(parts, count);
      }
      for (int j = 0; j < count; j++) {
        if (parts[j] == null || parts[j].length < size) {
          parts[j] = new float[size];
        }
      }
      return parts;
    }

    static FloatPointer fit(FloatPointer p, long n) {
      if (p.capacity() >= n) {
        return p;
      }
      p.close();
      return new FloatPointer(Math.max(n, 2 * p.capacity()));
    }
  }

  /** {@code c = alpha op(a) op(b) + beta c} for dense row-major blocks starting at index 0. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta,
      float[] c) {
    mm(ta, tb, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
  }

  /**
   * {@code C = alpha op(A) op(B) + beta C}: op(A) is [m, k] (A stored [m, k], or [k, m] when {@code ta}), op(B) is
   * [k, n] (B stored [k, n], or [n, k] when {@code tb}), C is [m, n]; each a dense row-major block at the given
   * offset. With {@code beta == 0} C's old values are ignored (NaN included).
   */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
      int bOff, float beta, float[] c, int cOff) {
    long work = (long) m * n * k;
    if (work < SMALL) { // empty shapes included: the loops then only scale C
      loops(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    } else if (work >= SPLIT_WORK && !ta && m >= 2 * ROWS) {
      rowChunks(tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    } else if (work >= SPLIT_WORK && ta && !tb && k >= 2 * ROWS) {
      sumChunks(m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    } else {
      blas(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    }
  }

  /**
   * Rows per chunk of a large product. A product of at least {@link #SPLIT_WORK} multiply-adds over at least two
   * chunks of rows (a Transformer's projections over batch x sequence rows) runs as one OpenBLAS call per chunk,
   * the chunks on the engine's threads ({@link Parallel}): OpenBLAS stays on one thread, and the chunks are the
   * same whatever the thread count, so are the bits. A product whose inner size is the rows (a weight gradient
   * {@code dz^T x}) sums the chunks' products in chunk order.
   */
  public static final int ROWS = 512;
  /** Multiply-adds from which a product is split into chunks of {@link #ROWS} rows. */
  public static final long SPLIT_WORK = 1L << 22;

  // C [m, n] rows in chunks: each chunk's rows of A give the same rows of C
  private static void rowChunks(boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
      int bOff, float beta, float[] c, int cOff) {
    int chunks = (m + ROWS - 1) / ROWS;
    Parallel.forEach(chunks, j -> {
      int r0 = j * ROWS;
      int rows = Math.min(ROWS, m - r0);
      blas(false, tb, rows, n, k, alpha, a, aOff + r0 * k, b, bOff, beta, c, cOff + r0 * n);
    });
  }

  // C = alpha A^T B + beta C with A [k, m] and B [k, n] cut into chunks of rows (the inner size): each chunk's
  // product apart, on the engine's threads, then added in chunk order
  private static void sumChunks(int m, int n, int k, float alpha, float[] a, int aOff, float[] b, int bOff,
      float beta, float[] c, int cOff) {
    int chunks = (k + ROWS - 1) / ROWS;
    float[][] parts = Scratch.mine().parts(chunks, m * n);
    Parallel.forEach(chunks, j -> {
      int p0 = j * ROWS;
      int rows = Math.min(ROWS, k - p0);
      blas(true, false, m, n, rows, 1f, a, aOff + p0 * m, b, bOff + p0 * n, 0f, parts[j], 0);
    });
    int len = m * n;
    float[] sum = parts[0];
    for (int j = 1; j < chunks; j++) {
      addInto(sum, parts[j], len);
    }
    for (int i = 0; i < len; i++) {
      c[cOff + i] = beta == 0 ? alpha * sum[i] : alpha * sum[i] + beta * c[cOff + i];
    }
  }

  private static void addInto(float[] sum, float[] part, int len) {
    for (int i = 0; i < len; i++) {
      sum[i] += part[i];
    }
  }

  /**
   * As {@link #mm} but always through OpenBLAS, whatever the size: for products whose inner size varies between
   * calls that must agree (attention over a whole prefix and over a KV cache one token at a time).
   */
  public static void blas(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
      int bOff, float beta, float[] c, int cOff) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      scale(c, cOff, m * n, beta);
      return;
    }
    Parallel.blasOnOneThread();
    Scratch s = Scratch.mine();
    int la = m * k;
    int lb = k * n;
    int lc = m * n;
    s.a = Scratch.fit(s.a, la);
    s.b = Scratch.fit(s.b, lb);
    s.c = Scratch.fit(s.c, lc);
    s.a.position(0).put(a, aOff, la);
    s.b.position(0).put(b, bOff, lb);
    if (beta != 0) {
      s.c.position(0).put(c, cOff, lc);
    }
    openblas.cblas_sgemm(openblas.CblasRowMajor, ta ? openblas.CblasTrans : openblas.CblasNoTrans,
        tb ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, s.a, ta ? m : k, s.b, tb ? k : n, beta,
        s.c, n);
    s.c.position(0).get(c, cOff, lc);
  }

  /** {@code c = alpha op(a) op(b) + beta c} with A in native memory (a convolution's columns), always BLAS. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, NativeBlock a, float[] b, float beta,
      float[] c) {
    any(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  /** {@code c = alpha op(a) op(b) + beta c} with B in native memory, always BLAS. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, NativeBlock b, float beta,
      float[] c) {
    any(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  /** {@code c = alpha op(a) op(b) + beta c} with A and B in native memory, always BLAS. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, NativeBlock a, NativeBlock b,
      float beta, float[] c) {
    any(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  /** {@code c = alpha op(a) op(b) + beta c} with B and C in native memory, always BLAS. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, NativeBlock b,
      float beta, NativeBlock c) {
    any(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  /** {@code c = alpha op(a) op(b) + beta c} into native memory (a convolution's column gradient), always BLAS. */
  public static void mm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta,
      NativeBlock c) {
    any(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  // operands are float[] (copied through the thread's scratch) or NativeBlock (passed as they are)
  private static void any(boolean ta, boolean tb, int m, int n, int k, float alpha, Object a, Object b, float beta,
      Object c) {
    if (m == 0 || n == 0) {
      return;
    }
    Parallel.blasOnOneThread();
    Scratch s = Scratch.mine();
    FloatPointer pa;
    FloatPointer pb;
    FloatPointer pc;
    if (a instanceof NativeBlock na) {
      pa = na.pointer();
    } else {
      s.a = Scratch.fit(s.a, (long) m * k);
      pa = s.a.position(0).put((float[]) a, 0, m * k);
    }
    if (b instanceof NativeBlock nb) {
      pb = nb.pointer();
    } else {
      s.b = Scratch.fit(s.b, (long) k * n);
      pb = s.b.position(0).put((float[]) b, 0, k * n);
    }
    if (c instanceof NativeBlock nc) {
      pc = nc.pointer();
    } else {
      s.c = Scratch.fit(s.c, (long) m * n);
      pc = s.c.position(0);
      if (beta != 0) {
        pc.put((float[]) c, 0, m * n);
      }
    }
    if (k == 0) { // BLAS may not scale C for an empty inner size
      throw new IllegalArgumentException("an empty inner dimension has no product");
    }
    openblas.cblas_sgemm(openblas.CblasRowMajor, ta ? openblas.CblasTrans : openblas.CblasNoTrans,
        tb ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, pa, ta ? m : k, pb, tb ? k : n, beta, pc, n);
    if (!(c instanceof NativeBlock)) {
      pc.position(0).get((float[]) c, 0, m * n);
    }
  }

  private static void scale(float[] c, int off, int len, float beta) {
    for (int i = off; i < off + len; i++) {
      c[i] = beta == 0 ? 0f : beta * c[i];
    }
  }

  // the same contraction in Java, each row built as a sum of B's rows scaled by A's entries (vectorised by the JIT
  // along the output row); a transposed B is first transposed into a scratch block so every path is that form
  private static void loops(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
      int bOff, float beta, float[] c, int cOff) {
    float[] bv = b;
    int bo = bOff;
    if (tb) { // B stored [n, k]: make it [k, n]
      bv = new float[k * n];
      for (int j = 0; j < n; j++) {
        int src = bOff + j * k;
        for (int p = 0; p < k; p++) {
          bv[p * n + j] = b[src + p];
        }
      }
      bo = 0;
    }
    float[] acc = new float[n];
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(acc, 0f);
      for (int p = 0; p < k; p++) {
        float v = ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
        int row = bo + p * n;
        for (int j = 0; j < n; j++) {
          acc[j] += v * bv[row + j];
        }
      }
      int co = cOff + i * n;
      if (beta == 0) {
        for (int j = 0; j < n; j++) {
          c[co + j] = alpha * acc[j];
        }
      } else {
        for (int j = 0; j < n; j++) {
          c[co + j] = alpha * acc[j] + beta * c[co + j];
        }
      }
    }
  }
}
