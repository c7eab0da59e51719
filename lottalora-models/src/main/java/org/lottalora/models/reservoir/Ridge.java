package org.lottalora.models.reservoir;

import org.lottalora.core.util.Threads;
import org.nd4j.linalg.api.blas.BlasException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Ridge regression in closed form, accumulated block by block so that the design matrix never has to be held
 * whole (60,000 images x 4,000 reservoir features would be 1.9 GB): {@code W = Y^T X (X^T X + ridge I)^-1},
 * every feature regularised alike (the constant one included, as ReservoirPy does). The Gram products run on
 * ND4J's BLAS in double, the Cholesky factorisation is LAPACK's potrf, the two triangular solves are plain loops
 * (ND4J's triangular-solve op is 10x slower than the factorisation itself). A system that is not positive definite is reported
 * with the fix (raise the ridge), never solved into garbage.
 */
public final class Ridge {
  private final int features;
  private final int outputs;
  private final INDArray gram;
  private final INDArray cross;
  private long rows;

  /** An empty accumulator for {@code features} inputs and {@code outputs} targets. */
  public Ridge(int features, int outputs) {
    this.features = features;
    this.outputs = outputs;
    this.gram = Nd4j.zeros(DataType.DOUBLE, features, features);
    this.cross = Nd4j.zeros(DataType.DOUBLE, features, outputs);
  }

  /** Adds rows: {@code x} [n][features], {@code y} [n][outputs]. */
  public void add(double[][] x, double[][] y) {
    if (x.length == 0) {
      return;
    }
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " feature rows but " + y.length + " target rows");
    }
    INDArray xa = Nd4j.createFromArray(x);
    // on one native thread: with two, OpenBLAS's product differed in the last bits for some block shapes,
    // and a readout must not depend on --threads (the features, the expensive part, are still parallel)
    Threads.single(() -> gram.addi(xa.transpose().mmul(xa)));
    // X^T Y in plain loops: with few outputs BLAS treats it as a matrix-vector product and splits the row
    // sum across threads, which made readouts depend on the thread count; it costs rows x features x outputs
    double[] c = new double[features * outputs];
    for (int r = 0; r < x.length; r++) {
      double[] xr = x[r];
      double[] yr = y[r];
      for (int f = 0; f < features; f++) {
        double v = xr[f];
        if (v != 0) {
          for (int o = 0; o < outputs; o++) {
            c[f * outputs + o] += v * yr[o];
          }
        }
      }
    }
    cross.addi(Nd4j.create(c, new long[] {features, outputs}, DataType.DOUBLE));
    rows += x.length;
  }

  /** Rows added so far. */
  public long rows() {
    return rows;
  }

  /**
   * Solves for the readout at {@code ridge}.
   *
   * @return W as [outputs][features]
   * @throws IllegalArgumentException when the system is singular at this ridge (the message says to raise it)
   */
  public double[][] solve(double ridge) {
    if (!(ridge >= 0) || !Double.isFinite(ridge)) {
      throw new IllegalArgumentException("--ridge must be >= 0, got " + ridge);
    }
    if (rows == 0) {
      throw new IllegalArgumentException("no training rows reached the readout (is the series shorter than the "
          + "washout?)");
    }
    INDArray a = gram.dup('f');
    for (int i = 0; i < features; i++) {
      a.putScalar(i, i, a.getDouble(i, i) + ridge);
    }
    // LAPACK's blocked Cholesky sums in an order that depends on the BLAS thread count (1e-13 apart on 1 and 2
    // threads): factorised on one thread, for a few seconds at 7,000 features
    boolean[] ok = {true};
    Threads.single(() -> {
      try {
        Nd4j.getBlasWrapper().lapack().potrf(a, true);
      } catch (BlasException e) {
        ok[0] = false;
      }
    });
    double[] sol = null;
    if (ok[0]) {
      sol = cholSolve(a.data().asDouble(), features, cross.data().asDouble(), outputs);
      for (double v : sol) {
        if (!Double.isFinite(v)) {
          ok[0] = false;
          break;
        }
      }
    }
    if (!ok[0]) {
      throw new IllegalArgumentException("the ridge system is singular at --ridge " + ridge + " (" + features
          + " features, " + rows + " rows): raise the regularisation, e.g. --ridge " + (ridge == 0 ? 1e-8
          : ridge * 100));
    }
    double[][] w = new double[outputs][features];
    for (int f = 0; f < features; f++) {
      for (int o = 0; o < outputs; o++) {
        w[o][f] = sol[f * outputs + o];
      }
    }
    return w;
  }

  /** {@code w x} for one feature row. */
  public static double[] apply(double[][] w, double[] x) {
    double[] y = new double[w.length];
    for (int o = 0; o < w.length; o++) {
      double s = 0;
      double[] row = w[o];
      for (int f = 0; f < row.length; f++) {
        s += row[f] * x[f];
      }
      y[o] = s;
    }
    return y;
  }

  /**
   * Solves L L^T X = B given potrf's lower factor L (column-major n x n, upper part ignored) and B
   * (row-major n x m, as ND4J holds a 'c' array); returns X row-major n x m.
   */
  static double[] cholSolve(double[] l, int n, double[] b, int m) {
    double[] x = b.clone();
    for (int c = 0; c < m; c++) {
      for (int i = 0; i < n; i++) {
        double s = x[i * m + c];
        for (int k = 0; k < i; k++) {
          s -= l[i + k * n] * x[k * m + c];
        }
        x[i * m + c] = s / l[i + i * n];
      }
      for (int i = n - 1; i >= 0; i--) {
        double s = x[i * m + c];
        int col = i * n;
        for (int k = i + 1; k < n; k++) {
          s -= l[k + col] * x[k * m + c];
        }
        x[i * m + c] = s / l[i + col];
      }
    }
    return x;
  }
}
