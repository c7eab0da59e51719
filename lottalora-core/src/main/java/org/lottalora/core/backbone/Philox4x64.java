package org.lottalora.core.backbone;

/**
 * The Philox4x64-10 counter-based generator (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy
 * as 1, 2, 3", SC 2011; reference code Random123). A block is a pure function of a 256-bit counter and a
 * 128-bit key, so any word of a stream can be computed alone, in any order, on any thread.
 *
 * <p>This class holds no state: {@link #block} maps (counter, key) to four 64-bit words.
 *
 * @implSpec Ten rounds. Each round computes {@code hi0:lo0 = M0 * c0} and {@code hi1:lo1 = M1 * c2} (full
 *     128-bit unsigned products) and sets {@code c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)}; between rounds
 *     the key is bumped by {@code (W0, W1)} modulo 2^64. Constants: M0 = 0xD2E7470EE14C6C93,
 *     M1 = 0xCA5A826395121157, W0 = 0x9E3779B97F4A7C15, W1 = 0xBB67AE8584CAA73B.
 */
public final class Philox4x64 {
  static final long M0 = 0xD2E7470EE14C6C93L;
  static final long M1 = 0xCA5A826395121157L;
  static final long W0 = 0x9E3779B97F4A7C15L;
  static final long W1 = 0xBB67AE8584CAA73BL;
  /** Number of rounds: the "-10" in the generator id. */
  public static final int ROUNDS = 10;

  private Philox4x64() {}

  /**
   * Computes one block.
   *
   * @param c0 counter word 0 (least significant)
   * @param c1 counter word 1
   * @param c2 counter word 2
   * @param c3 counter word 3 (most significant)
   * @param k0 key word 0
   * @param k1 key word 1
   * @param out receives the four output words at {@code out[off..off+3]}
   * @param off offset into {@code out}
   */
  public static void block(long c0, long c1, long c2, long c3, long k0, long k1, long[] out, int off) {
    for (int round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        k0 += W0;
        k1 += W1;
      }
      long lo0 = M0 * c0;
      long hi0 = umulhi(M0, c0);
      long lo1 = M1 * c2;
      long hi1 = umulhi(M1, c2);
      long n0 = hi1 ^ c1 ^ k0;
      long n2 = hi0 ^ c3 ^ k1;
      c0 = n0;
      c1 = lo1;
      c2 = n2;
      c3 = lo0;
    }
    out[off] = c0;
    out[off + 1] = c1;
    out[off + 2] = c2;
    out[off + 3] = c3;
  }

  /** Unsigned high 64 bits of a 128-bit product (Java 17 lacks Math.unsignedMultiplyHigh). */
  static long umulhi(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }
}
