package org.lottalora.core.sweep;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;

/**
 * The PCA side of the intrinsic-dimension comparison: how many principal components explain a given share of
 * the variance of a data matrix (inputs, hidden activations), or of the energy of a weight change
 * {@code W_full - W_init} (its squared singular values). Spectra are computed in double precision with
 * LAPACK's symmetric eigensolver through ND4J.
 */
public final class Pca {
  private Pca() {}

  /**
   * One count: for a matrix, the number of components that explain each share of variance.
   *
   * @param what e.g. "input", "layers.0 activations", "layers.0 weight change"
   * @param seed the full run's seed (-1 for data that does not depend on one)
   * @param dims the dimension (columns)
   * @param components share explained -> components needed
   */
  public record Count(String what, long seed, int dims, Map<Double, Integer> components) {}

  /** Eigenvalues, largest first, of the covariance of {@code rows} samples of {@code d} features (row-major). */
  public static double[] covarianceSpectrum(float[] x, int rows, int d) {
    double[] mean = new double[d];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += x[i * d + j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= rows;
    }
    double[] c = new double[rows * d];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        c[i * d + j] = x[i * d + j] - mean[j];
      }
    }
    INDArray m = org.nd4j.linalg.factory.Nd4j.create(c, new long[] {rows, d}, DataType.DOUBLE);
    INDArray cov = m.transpose().mmul(m).divi(Math.max(1, rows - 1));
    return spectrum(cov);
  }

  /** Squared singular values, largest first, of a [rows, cols] matrix (row-major). */
  public static double[] squaredSingularValues(float[] w, int rows, int cols) {
    double[] v = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      v[i] = w[i];
    }
    INDArray m = org.nd4j.linalg.factory.Nd4j.create(v, new long[] {rows, cols}, DataType.DOUBLE);
    INDArray gram = rows <= cols ? m.mmul(m.transpose()) : m.transpose().mmul(m);
    return spectrum(gram);
  }

  private static double[] spectrum(INDArray symmetric) {
    INDArray a = symmetric.dup('f');
    INDArray ev = Eigen.symmetricGeneralizedEigenvalues(a, false);
    double[] e = ev.toDoubleVector();
    for (int i = 0; i < e.length; i++) {
      e[i] = Math.max(0, e[i]); // round-off can make the smallest slightly negative
    }
    Arrays.sort(e);
    for (int i = 0, j = e.length - 1; i < j; i++, j--) {
      double t = e[i];
      e[i] = e[j];
      e[j] = t;
    }
    return e;
  }

  /** Smallest k whose k largest values hold at least {@code share} of the total (0 for an all-zero spectrum). */
  public static int components(double[] descending, double share) {
    double total = Arrays.stream(descending).sum();
    if (total <= 0) {
      return 0;
    }
    double acc = 0;
    for (int k = 0; k < descending.length; k++) {
      acc += descending[k];
      if (acc >= share * total * (1 - 1e-12)) {
        return k + 1;
      }
    }
    return descending.length;
  }

  /** A count at several shares. */
  public static Count count(String what, long seed, double[] spectrum, List<Double> shares) {
    Map<Double, Integer> m = new LinkedHashMap<>();
    for (double s : shares) {
      m.put(s, components(spectrum, s));
    }
    return new Count(what, seed, spectrum.length, m);
  }

}
