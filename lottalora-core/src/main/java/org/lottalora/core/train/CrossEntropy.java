package org.lottalora.core.train;

/**
 * Softmax cross-entropy over a batch of logits, computed stably (log-sum-exp with the row maximum
 * subtracted): the summed loss, the number of correct arg-max predictions and, on request, the gradient of
 * the mean loss with respect to the logits, {@code (softmax(z) - onehot(y)) / n}.
 */
final class CrossEntropy {
  private CrossEntropy() {}

  /**
   * @param z logits, row-major [n, classes]
   * @param labels one label per row
   * @param dz receives the gradient of the mean loss, or null to skip it
   * @return {sum of per-row losses, number of correct arg-max predictions}
   */
  static double[] of(float[] z, int[] labels, int classes, float[] dz) {
    int n = labels.length;
    double lossSum = 0;
    int correct = 0;
    for (int r = 0; r < n; r++) {
      int off = r * classes;
      int arg = 0;
      float max = z[off];
      for (int c = 1; c < classes; c++) {
        if (z[off + c] > max) {
          max = z[off + c];
          arg = c;
        }
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(z[off + c] - max);
      }
      double lse = max + Math.log(sum);
      int y = labels[r];
      lossSum += lse - z[off + y];
      correct += arg == y ? 1 : 0;
      if (dz != null) {
        for (int c = 0; c < classes; c++) {
          double p = Math.exp(z[off + c] - lse);
          dz[off + c] = (float) ((p - (c == y ? 1 : 0)) / n);
        }
      }
    }
    return new double[] {lossSum, correct};
  }
}
