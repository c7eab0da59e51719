package org.lottalora.models.reservoir;

/**
 * A sparse matrix in compressed-sparse-row form, in double: reservoirs are 1-10% dense, so a step costs the
 * number of connections, not units squared. Built from a dense row-major float matrix and a scale, with the
 * column order of each row kept, so that every product sums in the same order on every run.
 */
final class Csr {
  final int rows;
  final int cols;
  final int[] rowStart;
  final int[] col;
  final double[] val;

  private Csr(int rows, int cols, int[] rowStart, int[] col, double[] val) {
    this.rows = rows;
    this.cols = cols;
    this.rowStart = rowStart;
    this.col = col;
    this.val = val;
  }

  /** The nonzeros of {@code scale * dense}, dense being [rows, cols] row-major. */
  static Csr of(float[] dense, int rows, int cols, double scale) {
    int nnz = 0;
    for (float v : dense) {
      if (v != 0f) {
        nnz++;
      }
    }
    int[] start = new int[rows + 1];
    int[] c = new int[nnz];
    double[] v = new double[nnz];
    int k = 0;
    for (int r = 0; r < rows; r++) {
      start[r] = k;
      for (int j = 0; j < cols; j++) {
        float w = dense[r * cols + j];
        if (w != 0f) {
          c[k] = j;
          v[k++] = w * scale;
        }
      }
    }
    start[rows] = k;
    return new Csr(rows, cols, start, c, v);
  }

  /** Stored nonzeros. */
  int nnz() {
    return val.length;
  }

  /** Row r of this matrix times x. */
  double rowDot(int r, double[] x) {
    double s = 0;
    for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
      s += val[k] * x[col[k]];
    }
    return s;
  }

  /** The dense values as float, row-major. */
  float[] toDenseFloat() {
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
        out[r * cols + col[k]] = (float) val[k];
      }
    }
    return out;
  }
}
