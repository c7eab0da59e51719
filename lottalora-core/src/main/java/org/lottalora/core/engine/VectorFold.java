package org.lottalora.core.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdaptedDense#mergeRows} in SIMD lanes (Java 17's incubating Vector API): each lane keeps one output's sum
 * {@code ((0 + c_0 a_0) + c_1 a_1) + ...} in a register and finishes it into {@code beta w + s sum}, the same
 * operations in the same order as the scalar loop (the API never fuses a multiply and an add), so the same bits, in
 * one pass over the row instead of one per rank step. Loaded only where {@link org.lottalora.core.util.Simd} says
 * the module is present.
 */
final class VectorFold {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private VectorFold() {}

  /** Rows [rowFrom, rowTo) of the merge over the columns whole vectors cover; returns how many columns that is. */
  static int rows(float[] w, int wOff, float beta, float s, float[] b, float[] a, int in, int r, int rowFrom,
      int rowTo, float[] dest, int destOff) {
    int lanes = F.length();
    int whole = in - in % lanes;
    for (int i = rowFrom; i < rowTo; i++) {
      int wo = wOff + (i - rowFrom) * in;
      int d = destOff + (i - rowFrom) * in;
      for (int j = 0; j < whole; j += lanes) {
        FloatVector sum = FloatVector.zero(F);
        for (int k = 0; k < r; k++) {
          sum = sum.add(FloatVector.fromArray(F, a, k * in + j).mul(b[i * r + k]));
        }
        FloatVector v = sum.mul(s);
        if (w != null) {
          v = FloatVector.fromArray(F, w, wo + j).mul(beta).add(v);
        }
        v.intoArray(dest, d + j);
      }
    }
    return whole;
  }
}
