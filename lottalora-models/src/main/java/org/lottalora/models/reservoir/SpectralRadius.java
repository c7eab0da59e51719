package org.lottalora.models.reservoir;

import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.lottalora.core.LottaException;

/**
 * The spectral radius of a square matrix: the largest magnitude among all its (complex) eigenvalues,
 * computed exactly (to double rounding) by EJML's Hessenberg + shifted-QR eigenvalue solver rather than
 * estimated by power iteration, which converges slowly or not at all when the top eigenvalues are a complex
 * pair or nearly tied, as they are in random reservoirs.
 */
public final class SpectralRadius {
  private SpectralRadius() {
  }

  /** The spectral radius of the row-major n x n matrix {@code w}. */
  public static double of(float[] w, int n) {
    DMatrixRMaj m = new DMatrixRMaj(n, n);
    for (int i = 0; i < w.length; i++) {
      m.data[i] = w[i];
    }
    return of(m);
  }

  /** The spectral radius of an EJML matrix (left unchanged). */
  static double of(DMatrixRMaj m) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false);
    if (!eig.decompose(m.copy())) {
      throw new LottaException("the eigenvalue solver did not converge on a " + m.numRows + "x" + m.numCols
          + " reservoir; try another --seed or density");
    }
    double r = 0;
    for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
      Complex_F64 c = eig.getEigenvalue(i);
      r = Math.max(r, Math.hypot(c.real, c.imaginary));
    }
    return r;
  }
}
