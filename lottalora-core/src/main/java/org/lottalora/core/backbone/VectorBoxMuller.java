package org.lottalora.core.backbone;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Box-Muller over many word pairs in SIMD lanes (Java's incubating Vector API: 8 doubles a vector with AVX-512),
 * bit-identical to {@link Stream#normalPair}: the same fdlibm log, sine and cosine, lane by lane. Every IEEE
 * operation rounds per lane as in scalar code (the API never fuses a multiply and an add, and its conversions follow
 * Java's casts), so the only care is fdlibm's branches, which become selections:
 * <ul>
 *   <li>log: fdlibm's {@code k == 0} forms equal its general forms at {@code dk = 0} bit for bit
 *       ({@code 0.0 - (q - f)} and {@code f - q} are the same double: IEEE subtraction is sign-symmetric), so only
 *       its {@code i > 0} choice remains, made per lane;</li>
 *   <li>sine and cosine: fdlibm's separate reduction for {@code pi/4 < x < 3pi/4} is the general
 *       {@code n = (int) (x 2/pi + 0.5)} reduction at {@code n = 1} (the same operations, {@code 1.0 * c == c}), and
 *       {@code |x| <= pi/4} is it at {@code n = 0} ({@code y0 = x}, {@code y1 = +0.0}); the kernels' choices (tail or
 *       not, {@code |y| < 0.3}) and the quadrant are per-lane selections.</li>
 * </ul>
 * Lanes that would take one of fdlibm's rare paths (a log argument within 2^-20 of a power of two, an angle sharing
 * its high word with a multiple of pi/2, a reduced angle under 2^-27, inputs outside the Box-Muller range) are
 * recomputed by {@link Stream#normalPair}. Used only where the JVM runs with {@code --add-modules
 * jdk.incubator.vector} ({@link #ENABLED}); otherwise {@link Stream} keeps its scalar loop, with the same bits.
 * {@code VectorBoxMullerTest} compares both on millions of stream words and on words crafted at every boundary.
 */
final class VectorBoxMuller {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
  private static final int LANES = L.length();
  /** True when lanes of longs and doubles match (every x86-64 and AArch64 JVM); otherwise the scalar path runs. */
  static final boolean ENABLED = D.length() == LANES && LANES >= 2;

  private static final double TWO_PI = 2.0 * Math.PI;
  private static final double TWO_52 = 0x1.0p52;
  /** 0, 1, ..., LANES - 1. */
  private static final LongVector IOTA = LongVector.zero(L).addIndex(1);
  private static final long TWO_52_BITS = Double.doubleToRawLongBits(TWO_52);
  // fdlibm's constants are FdLibm's (the scalar port this class must equal)

  private VectorBoxMuller() {}

  /**
   * {@code z[2p] = r cos(2 pi u2)}, {@code z[2p + 1] = r sin(2 pi u2)} for the word pairs {@code (w[2p], w[2p + 1])},
   * p in [0, pairs): exactly {@link Stream#normalPair} for each.
   */
  static void pairs(long[] w, int pairs, double[] z) {
    long[] w1 = new long[LANES];
    long[] w2 = new long[LANES];
    double[] zc = new double[LANES];
    double[] zs = new double[LANES];
    long[] rare = new long[LANES];
    double[] one = new double[2];
    int p = 0;
    for (; p + LANES <= pairs; p += LANES) {
      for (int j = 0; j < LANES; j++) { // de-interleave (u1 words, u2 words)
        w1[j] = w[2 * (p + j)];
        w2[j] = w[2 * (p + j) + 1];
      }
      lanes(w1, w2, zc, zs, rare);
      for (int j = 0; j < LANES; j++) {
        if (rare[j] != 0) {
          Stream.normalPair(w1[j], w2[j], one);
          z[2 * (p + j)] = one[0];
          z[2 * (p + j) + 1] = one[1];
        } else {
          z[2 * (p + j)] = zc[j];
          z[2 * (p + j) + 1] = zs[j];
        }
      }
    }
    for (; p < pairs; p++) {
      Stream.normalPair(w[2 * p], w[2 * p + 1], one);
      z[2 * p] = one[0];
      z[2 * p + 1] = one[1];
    }
  }

  /** One vector of pairs: cosine and sine normals, and a nonzero {@code rare} where the lane needs the scalar path. */
  private static void lanes(long[] w1, long[] w2, double[] zc, double[] zs, long[] rare) {
    DoubleVector u1 = uniform(LongVector.fromArray(L, w1, 0));
    DoubleVector theta = uniform(LongVector.fromArray(L, w2, 0)).mul(TWO_PI);

    // log(u1): fdlibm __ieee754_log, u1 normal and in (0, 1]
    LongVector bits = u1.reinterpretAsLongs();
    LongVector lhx = bits.lanewise(VectorOperators.LSHR, 32); // the high word, as a non-negative long
    LongVector hx = lhx.and(0x000fffffL);
    LongVector i = hx.add(0x95f64L).and(0x100000L);
    DoubleVector x = hx.or(i.lanewise(VectorOperators.XOR, 0x3ff00000L)).lanewise(VectorOperators.LSHL, 32)
        .or(bits.and(0xffffffffL)).reinterpretAsDoubles();
    LongVector k = lhx.lanewise(VectorOperators.ASHR, 20).sub(1023L).add(i.lanewise(VectorOperators.ASHR, 20));
    DoubleVector f = x.sub(1.0);
    DoubleVector s = f.div(f.add(2.0));
    DoubleVector dk = (DoubleVector) k.convert(VectorOperators.L2D, 0);
    DoubleVector zz = s.mul(s);
    DoubleVector ww = zz.mul(zz);
    DoubleVector t1 = ww.mul(ww.mul(ww.mul(FdLibm.LG6).add(FdLibm.LG4)).add(FdLibm.LG2));
    DoubleVector t2 = zz.mul(ww.mul(ww.mul(ww.mul(FdLibm.LG7).add(FdLibm.LG5)).add(FdLibm.LG3)).add(FdLibm.LG1));
    DoubleVector r = t2.add(t1);
    DoubleVector hfsq = f.mul(0.5).mul(f);
    DoubleVector logA = dk.mul(FdLibm.LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(r)).add(dk.mul(FdLibm.LN2_LO))).sub(f));
    DoubleVector logB = dk.mul(FdLibm.LN2_HI).sub(s.mul(f.sub(r)).sub(dk.mul(FdLibm.LN2_LO)).sub(f));
    VectorMask<Long> useA = hx.sub(0x6147aL).or(hx.neg().add(0x6b851L)).compare(VectorOperators.GT, 0L);
    DoubleVector rad = logB.blend(logA, useA.cast(D)).mul(-2.0).lanewise(VectorOperators.SQRT);
    VectorMask<Long> rareMask = hx.add(2L).and(0x000fffffL).compare(VectorOperators.LT, 3L) // |f| < 2^-20
        .or(lhx.compare(VectorOperators.LT, 0x00100000L)).or(lhx.compare(VectorOperators.GE, 0x7ff00000L));

    // sin and cos of theta in (0, 2 pi]: fdlibm sin/cos with __ieee754_rem_pio2's medium branch
    LongVector ix = theta.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).and(0x7fffffffL);
    VectorMask<Long> small = ix.compare(VectorOperators.LE, 0x3fe921fbL); // |theta| <= pi/4: no reduction
    // n = (int) (theta * 2/pi + 0.5), as fdlibm truncates; without a D2L lane conversion, which JDK 17's C2 does not
    // compile to an instruction (it fell back to a boxed lane loop that took a third of the time): q lies in
    // [0.5, 4.5], where adding 2^52 rounds it to the nearest integer exactly, and one step down makes that the floor
    DoubleVector q = theta.mul(FdLibm.INVPIO2).add(0.5);
    DoubleVector nearest = q.add(TWO_52).sub(TWO_52);
    DoubleVector fn = nearest.sub(1.0, nearest.compare(VectorOperators.GT, q)).blend(0.0, small.cast(D)); // floor
    LongVector n = fn.add(TWO_52).reinterpretAsLongs().sub(TWO_52_BITS);
    DoubleVector rr = theta.sub(fn.mul(FdLibm.PIO2_1));
    DoubleVector wr = fn.mul(FdLibm.PIO2_1T);
    DoubleVector y0 = rr.sub(wr);
    DoubleVector y1 = rr.sub(y0).sub(wr);
    LongVector iy = y0.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).and(0x7fffffffL);
    DoubleVector z = y0.mul(y0);
    DoubleVector v = z.mul(y0);
    DoubleVector rs = z.mul(z.mul(z.mul(z.mul(FdLibm.S6).add(FdLibm.S5)).add(FdLibm.S4)).add(FdLibm.S3)).add(FdLibm.S2);
    DoubleVector sinNoTail = y0.add(v.mul(z.mul(rs).add(FdLibm.S1)));
    DoubleVector sinTail = y0.sub(z.mul(y1.mul(0.5).sub(v.mul(rs))).sub(y1).sub(v.mul(FdLibm.S1)));
    DoubleVector sin = sinTail.blend(sinNoTail, small.cast(D));
    DoubleVector rc = z.mul(z.mul(z.mul(z.mul(z.mul(z.mul(FdLibm.C6).add(FdLibm.C5)).add(FdLibm.C4)).add(FdLibm.C3)).add(FdLibm.C2)).add(FdLibm.C1));
    DoubleVector xy = y0.mul(y1);
    DoubleVector zr = z.mul(rc).sub(xy);
    DoubleVector cosNear = DoubleVector.broadcast(D, 1.0).sub(z.mul(0.5).sub(zr));
    DoubleVector qx = iy.sub(0x00200000L).lanewise(VectorOperators.LSHL, 32).reinterpretAsDoubles()
        .blend(0.28125, iy.compare(VectorOperators.GT, 0x3fe90000L).cast(D));
    DoubleVector cosFar = DoubleVector.broadcast(D, 1.0).sub(qx).sub(z.mul(0.5).sub(qx).sub(zr));
    DoubleVector cos = cosFar.blend(cosNear, iy.compare(VectorOperators.LT, 0x3FD33333L).cast(D));
    VectorMask<Double> odd = n.and(1L).compare(VectorOperators.NE, 0L).cast(D);
    DoubleVector sinOut = sin.blend(cos, odd);
    DoubleVector cosOut = cos.blend(sin, odd);
    sinOut = sinOut.lanewise(VectorOperators.NEG, n.and(2L).compare(VectorOperators.NE, 0L).cast(D));
    cosOut = cosOut.lanewise(VectorOperators.NEG, n.add(1L).and(2L).compare(VectorOperators.NE, 0L).cast(D));
    rareMask = rareMask
        .or(ix.compare(VectorOperators.GT, 0x401A0000L)) // beyond the Box-Muller range
        .or(small.not().and(ix.compare(VectorOperators.EQ, 0x3FF921FBL).or(ix.compare(VectorOperators.EQ, 0x400921FBL))
            .or(ix.compare(VectorOperators.EQ, 0x4012D97CL)).or(ix.compare(VectorOperators.EQ, 0x401921FBL))))
        .or(iy.compare(VectorOperators.LT, 0x3e400000L)); // |y0| < 2^-27
    rad.mul(cosOut).intoArray(zc, 0);
    rad.mul(sinOut).intoArray(zs, 0);
    LongVector.zero(L).blend(1L, rareMask).intoArray(rare, 0);
  }

  /**
   * Philox4x64-10 blocks {@code j0 .. j0 + count} under key (k0, k1), eight blocks at a time in lanes, into
   * {@code out[off + 4 (j - j0) ..]}: the same words as {@link Philox4x64#block}. The unsigned 64 x 64 -> 128-bit
   * products are built from four exact 32 x 32 -> 64-bit lane products (the Vector API has no high multiply).
   */
  static void blocks(long j0, int count, long k0, long k1, long[] out, int off) {
    long[][] words = new long[4][LANES];
    int b = 0;
    for (; b + LANES <= count; b += LANES) {
      LongVector c0 = IOTA.add(j0 + b); // counters made in a register: a vector load of just-stored lanes stalls
      LongVector c1 = LongVector.zero(L);
      LongVector c2 = LongVector.zero(L);
      LongVector c3 = LongVector.zero(L);
      long key0 = k0;
      long key1 = k1;
      for (int round = 0; round < Philox4x64.ROUNDS; round++) {
        if (round > 0) {
          key0 += Philox4x64.W0;
          key1 += Philox4x64.W1;
        }
        LongVector lo0 = c0.mul(Philox4x64.M0);
        LongVector hi0 = mulHigh(Philox4x64.M0, c0);
        LongVector lo1 = c2.mul(Philox4x64.M1);
        LongVector hi1 = mulHigh(Philox4x64.M1, c2);
        LongVector n0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, key0);
        LongVector n2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, key1);
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
      }
      c0.intoArray(words[0], 0);
      c1.intoArray(words[1], 0);
      c2.intoArray(words[2], 0);
      c3.intoArray(words[3], 0);
      for (int l = 0; l < LANES; l++) {
        int at = off + 4 * (b + l);
        out[at] = words[0][l];
        out[at + 1] = words[1][l];
        out[at + 2] = words[2][l];
        out[at + 3] = words[3][l];
      }
    }
    for (; b < count; b++) {
      Philox4x64.block(j0 + b, 0L, 0L, 0L, k0, k1, out, off + 4 * b);
    }
  }

  /** The high 64 bits of the unsigned 128-bit product {@code m * c}, per lane, from 32-bit halves. */
  private static LongVector mulHigh(long m, LongVector c) {
    long mLo = m & 0xffffffffL;
    long mHi = m >>> 32;
    LongVector cLo = c.and(0xffffffffL);
    LongVector cHi = c.lanewise(VectorOperators.LSHR, 32);
    LongVector ll = cLo.mul(mLo);
    LongVector lh = cHi.mul(mLo);
    LongVector hl = cLo.mul(mHi);
    LongVector hh = cHi.mul(mHi);
    LongVector cross = ll.lanewise(VectorOperators.LSHR, 32).add(lh.and(0xffffffffL)).add(hl.and(0xffffffffL));
    return hh.add(lh.lanewise(VectorOperators.LSHR, 32)).add(hl.lanewise(VectorOperators.LSHR, 32))
        .add(cross.lanewise(VectorOperators.LSHR, 32));
  }

  /** {@code ((w >>> 11) + 0.5) * 2^-53} per lane, as {@link Stream#uniform}: the shifted word converts exactly. */
  private static DoubleVector uniform(LongVector w) {
    return ((DoubleVector) w.lanewise(VectorOperators.LSHR, 11).convert(VectorOperators.L2D, 0)).add(0.5)
        .mul(0x1.0p-53);
  }
}
