package org.lottalora.models.reservoir;

import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.lottalora.core.LottaException;

/**
 * The spectral radius of a square matrix: the largest magnitude among all its (complex) eigenvalues. Two
 * ways: {@link #of} computes every eigenvalue with EJML's dense Hessenberg + shifted-QR solver (exact to double
 * rounding, O(N^3): 7-11 s at 1,000 units), and {@link #sparse} runs the Arnoldi iteration on the sparse
 * matrix (a step costs the connections, not N^2) and takes the largest Ritz value of the growing Krylov space
 * once it has stopped moving, which is what ReservoirPy gets from ARPACK. Plain power iteration is not used:
 * it converges slowly or not at all when the top eigenvalues are a complex pair or nearly tied, as they are in
 * random reservoirs; Arnoldi sees the pair as such. {@link #auto} picks the exact solver for small matrices
 * (where it is cheap and Arnoldi's space would be the whole matrix anyway) and Arnoldi above that.
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

  /** Matrices with at most this many rows get the exact dense solver from {@link #auto}. */
  public static final int EXACT_UP_TO = 300;

  /** Relative change of the largest Ritz magnitude between two checkpoints below which Arnoldi stops. */
  public static final double TOLERANCE = 1e-7;

  /** The exact dense solver up to {@link #EXACT_UP_TO} rows, Arnoldi above. */
  static double auto(Csr w) {
    return w.rows <= EXACT_UP_TO ? of(w.toDenseFloat(), w.rows) : sparse(w);
  }

  /**
   * The largest Ritz magnitude of the Arnoldi iteration on {@code w}, from a start vector drawn from the
   * project's generator (stream {@code reservoir.arnoldi}, seed 0, so the result is the same on every run).
   * The Krylov space grows by one vector a step (orthogonalised twice, classical Gram-Schmidt, which keeps the
   * basis orthogonal to rounding); at 32, 48, 64, ... vectors the Hessenberg matrix's eigenvalues are computed,
   * and the iteration stops when the largest magnitude has moved less than {@link #TOLERANCE} (relative) since
   * the last checkpoint, or the space is the whole matrix or invariant (then the value is exact).
   */
  static double sparse(Csr w) {
    int n = w.rows;
    if (n != w.cols) {
      throw new IllegalArgumentException("a spectral radius needs a square matrix, got " + n + "x" + w.cols);
    }
    int maxM = Math.min(n, 1024);
    double[][] v = new double[maxM + 1][];
    double[][] h = new double[maxM + 1][maxM];
    double[] start = new double[n];
    new org.lottalora.core.backbone.Stream(0, "reservoir.arnoldi").uniforms(0, start, n);
    for (int i = 0; i < n; i++) {
      start[i] -= 0.5;
    }
    double norm = norm(start);
    for (int i = 0; i < n; i++) {
      start[i] /= norm;
    }
    v[0] = start;
    double last = Double.NaN;
    int next = Math.min(32, maxM);
    for (int j = 0; j < maxM; j++) {
      double[] z = new double[n];
      for (int r = 0; r < n; r++) {
        z[r] = w.rowDot(r, v[j]);
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i <= j; i++) {
          double d = dot(v[i], z);
          h[i][j] += d;
          double[] vi = v[i];
          for (int r = 0; r < n; r++) {
            z[r] -= d * vi[r];
          }
        }
      }
      double hn = norm(z);
      h[j + 1][j] = hn;
      boolean invariant = hn <= 1e-12 * Math.max(1, Math.abs(h[j][j]));
      int m = j + 1;
      if (m == next || m == maxM || invariant) {
        double rho = ritzRadius(h, m);
        if (invariant || m == n || Math.abs(rho - last) <= TOLERANCE * rho) {
          return rho;
        }
        last = rho;
        next = Math.min(maxM, m + 16);
      }
      for (int r = 0; r < n; r++) {
        z[r] /= hn;
      }
      v[j + 1] = z;
    }
    return last;
  }

  private static double ritzRadius(double[][] h, int m) {
    DMatrixRMaj hm = new DMatrixRMaj(m, m);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        hm.set(i, j, h[i][j]);
      }
    }
    return of(hm);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
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
