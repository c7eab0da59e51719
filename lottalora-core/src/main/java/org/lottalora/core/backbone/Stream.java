package org.lottalora.core.backbone;

/**
 * The random stream of one named tensor under the {@code philox4x64-10/v1} generator: a keyed Philox
 * sequence of 64-bit words, with the two conversions every init family builds on.
 *
 * <p>A value depends only on (seed, name, index): word {@code i} lives in block {@code i / 4} at position
 * {@code i % 4}, so any slice can be computed without the words before it.
 *
 * @implSpec key = (seed, FNV-1a-64(UTF-8 name)); block j uses counter (j, 0, 0, 0) and yields words
 *     4j..4j+3. This equals numpy's {@code Philox(key=np.array([seed % 2**64, fnv], dtype=np.uint64),
 *     counter=2**256-1).random_raw()}; a plain list key whose words straddle 2^63 becomes float64 in numpy and
 *     gives another stream (lottalora-core/docs/backbone-stream.md section 1).
 *     {@link #uniform} maps a word w to {@code ((w >>> 11) + 0.5) * 2^-53}, in (0, 1] (1.0 only for the top word).
 *     {@link #normalPair} is Box-Muller on words (2m, 2m+1) with {@code StrictMath}.
 */
public final class Stream {
  private static final double TWO_POW_M53 = 0x1.0p-53;
  private static final double TWO_PI = 2.0 * Math.PI;

  private final long k0;
  private final long k1;
  private final String name;

  /** Creates the stream of tensor {@code name} under {@code seed}. */
  public Stream(long seed, String name) {
    this.k0 = seed;
    this.k1 = Fnv1a64.hash(name);
    this.name = name;
  }

  /**
   * An auxiliary stream for families that need more than one draw per element: the stream of the name
   * {@code name + "#" + k}. Stream k = 0 is this stream itself.
   */
  public Stream aux(int k) {
    return k == 0 ? this : new Stream(k0, name + "#" + k);
  }

  /** The tensor name this stream is keyed by. */
  public String name() {
    return name;
  }

  /** Fills {@code out[0..4)} with block {@code j}. */
  public void block(long j, long[] out) {
    Philox4x64.block(j, 0L, 0L, 0L, k0, k1, out, 0);
  }

  /** Raw word {@code i}. Slow for sequential use: prefer {@link #words}. */
  public long word(long i) {
    long[] b = new long[4];
    block(i >>> 2, b);
    return b[(int) (i & 3)];
  }

  /** Fills {@code out[0..n)} with words {@code start..start+n}. */
  public void words(long start, long[] out, int n) {
    words(start, out, 0, n);
  }

  /** Fills {@code out[off..off+n)} with words {@code start..start+n}; whole blocks go straight into {@code out}. */
  public void words(long start, long[] out, int off, int n) {
    long[] b = new long[4];
    long j = start >>> 2;
    int pos = (int) (start & 3);
    int i = 0;
    if (pos != 0) { // the tail of a block the range starts inside
      block(j++, b);
      for (; pos < 4 && i < n; pos++) {
        out[off + i++] = b[pos];
      }
    }
    int whole = (n - i) / 4;
    if (whole >= VECTOR_BLOCKS && vectorReady) {
      VectorBoxMuller.blocks(j, whole, k0, k1, out, off + i);
      j += whole;
      i += 4 * whole;
    }
    for (; i + 4 <= n; i += 4) {
      Philox4x64.block(j++, 0L, 0L, 0L, k0, k1, out, off + i);
    }
    if (i < n) {
      block(j, b);
      for (int q = 0; i < n; q++) {
        out[off + i++] = b[q];
      }
    }
  }

  /**
   * A word as a double in (0, 1], using its top 53 bits. The sum {@code (w >>> 11) + 0.5} rounds to even in
   * double once it passes 2^52, so the very top word gives exactly 1.0: families that take a logarithm of
   * {@code 1 - u} guard against it.
   */
  public static double uniform(long w) {
    return ((w >>> 11) + 0.5) * TWO_POW_M53;
  }

  /**
   * Box-Muller on a pair of words: {@code out[0] = r cos(2 pi u2)}, {@code out[1] = r sin(2 pi u2)}, with
   * {@code r = sqrt(-2 ln u1)}.
   */
  public static void normalPair(long w1, long w2, double[] out) {
    double u1 = uniform(w1);
    double u2 = uniform(w2);
    // FdLibm is StrictMath bit for bit (tested), without Java 17's JNI call per function
    double rad = StrictMath.sqrt(-2.0 * FdLibm.log(u1));
    double theta = TWO_PI * u2;
    FdLibm.sinCos(theta, out);
    double s = out[0];
    out[0] = rad * out[1];
    out[1] = rad * s;
  }

  /** Fills {@code out[0..n)} with uniforms of words {@code start..start+n}. */
  public void uniforms(long start, double[] out, int n) {
    long[] w = new long[n];
    words(start, w, n);
    for (int i = 0; i < n; i++) {
      out[i] = uniform(w[i]);
    }
  }

  /** Fills {@code out[0..n)} with standard normals z[start..start+n) (pair value i of the stream). */
  public void normals(long start, double[] out, int n) {
    long first = start & ~1L; // pairs start at even indices
    int extra = (int) (start - first);
    int pairs = (extra + n + 1) / 2;
    long[] w = new long[pairs * 2];
    words(first, w, pairs * 2);
    double[] z = new double[pairs * 2];
    pairs(w, pairs, z);
    System.arraycopy(z, extra, out, 0, n);
  }

  /** Words per pass of the bulk fills: their scratch stays in the L1 cache. */
  private static final int PASS = 1024;

  /**
   * {@code out[off + i] = (float) (scale * z[start + i])} for i in [0, n): the scaled-normal init families,
   * written straight into the tensor (the same bits as {@link #normals} then the product and cast).
   */
  public void scaledNormals(long start, float[] out, int off, int n, double scale) {
    long[] w = new long[PASS];
    double[] z = new double[PASS];
    long pos = start;
    int done = 0;
    while (done < n) {
      long first = pos & ~1L;
      int extra = (int) (pos - first);
      int pairs = Math.min(PASS / 2, (extra + (n - done) + 1) / 2);
      words(first, w, 0, 2 * pairs);
      pairs(w, pairs, z);
      int made = Math.min(2 * pairs - extra, n - done);
      int at = off + done;
      for (int i = 0; i < made; i++) {
        out[at + i] = (float) (scale * z[extra + i]);
      }
      done += made;
      pos += made;
    }
  }

  /**
   * True where the JVM runs with {@code --add-modules jdk.incubator.vector}: words and normals can then be computed in
   * SIMD lanes ({@link VectorBoxMuller}, the same bits). {@code -Dlottalora.scalar=true} keeps the scalar path.
   */
  static final boolean VECTOR = vectorAvailable();
  /** Whole blocks from which {@link #words} computes them in lanes. */
  private static final int VECTOR_BLOCKS = 64;
  /**
   * Set once the SIMD code runs compiled. Until C2 compiles it, Vector API code runs about 50 times slower than the
   * scalar code (a fresh JVM measured 1-2 s of it), so a daemon thread warms it on scratch data and the generator
   * keeps the scalar path until then: a small or early regeneration never waits for the JIT.
   */
  private static volatile boolean vectorReady;
  /** False while the warm-up runs; then {@link #vectorReady} tells whether SIMD won (false: it stays scalar). */
  private static volatile boolean vectorJudged = !VECTOR;

  static {
    if (VECTOR) {
      Thread t = new Thread(Stream::warmVector, "lottalora-simd-warmup");
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      t.start();
    }
  }

  /** True once the SIMD path is compiled and in use. */
  static boolean vectorReady() {
    return vectorReady;
  }

  /**
   * Turns the SIMD path on or off (tests: regenerate the same tensors both ways); on only where it is available.
   * The bits do not change either way.
   */
  static void useVector(boolean on) {
    vectorReady = on && VECTOR;
  }

  /** True once the warm-up has decided (SIMD in use, or measured no faster than scalar on this CPU). */
  static boolean vectorJudged() {
    return vectorJudged;
  }

  // Times both SIMD kernels against the scalar code on the same scratch data, batch after batch, and switches the
  // generator over once the SIMD code is clearly faster three batches running (C2 has compiled it; its C1 code is
  // still slower than scalar code); gives up after a minute, leaving the scalar path in use.
  private static void warmVector() {
    long[] w = new long[4 * 64];
    double[] z = new double[w.length];
    long deadline = System.nanoTime() + 60_000_000_000L;
    int faster = 0;
    for (int batch = 0; System.nanoTime() < deadline && faster < 3; batch++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        VectorBoxMuller.blocks(batch * 100L + i, 64, 1L, 2L, w, 0);
        VectorBoxMuller.pairs(w, w.length / 2, z);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        for (int b = 0; b < 64; b++) {
          Philox4x64.block(batch * 100L + i + b, 0L, 0L, 0L, 1L, 2L, w, 4 * b);
        }
        scalarPairs(w, w.length / 2, z);
      }
      long t2 = System.nanoTime();
      faster = (t1 - t0) * 10 < (t2 - t1) * 7 ? faster + 1 : 0;
    }
    vectorReady = faster >= 3;
    vectorJudged = true;
  }

  private static boolean vectorAvailable() {
    if (!org.lottalora.core.util.Simd.available()) {
      return false;
    }
    try {
      return VectorBoxMuller.ENABLED;
    } catch (LinkageError e) {
      return false;
    }
  }

  /** {@code z[2p], z[2p + 1]} = the normal pair of words {@code w[2p], w[2p + 1]}, for p in [0, pairs). */
  static void pairs(long[] w, int pairs, double[] z) {
    if (vectorReady) {
      VectorBoxMuller.pairs(w, pairs, z);
      return;
    }
    scalarPairs(w, pairs, z);
  }

  /** {@link #pairs} one pair at a time through {@link #normalPair}. */
  static void scalarPairs(long[] w, int pairs, double[] z) {
    double[] two = new double[2];
    for (int p = 0; p < pairs; p++) {
      normalPair(w[2 * p], w[2 * p + 1], two);
      z[2 * p] = two[0];
      z[2 * p + 1] = two[1];
    }
  }

  /**
   * {@code out[off + i] = (float) (bound * (2 u[start + i] - 1))} for i in [0, n): the symmetric uniform init
   * families, written straight into the tensor.
   */
  public void symmetricUniforms(long start, float[] out, int off, int n, double bound) {
    long[] w = new long[PASS];
    for (int done = 0; done < n; done += PASS) {
      int m = Math.min(PASS, n - done);
      words(start + done, w, 0, m);
      for (int i = 0; i < m; i++) {
        out[off + done + i] = (float) (bound * (2.0 * uniform(w[i]) - 1.0));
      }
    }
  }
}
