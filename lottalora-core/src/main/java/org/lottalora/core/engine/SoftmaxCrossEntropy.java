package org.lottalora.core.engine;

/**
 * Softmax cross-entropy over a batch of logit rows, the loss every classifier and the language model train on:
 * computed stably (log-sum-exp with the row maximum subtracted), optionally weighted per class, with rows whose
 * label is negative ignored (PyTorch's {@code ignore_index}: the last position of a language-model window has no
 * next token). The loss is the weighted mean {@code sum_r w[y_r] (lse(z_r) - z_r[y_r]) / sum_r w[y_r]} and its
 * gradient {@code w[y_r] (softmax(z_r) - onehot(y_r)) / sum_r w[y_r]}. Rows are split over the engine's threads;
 * per-row results are summed in row order, so the result does not depend on the thread count.
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * What one batch gives.
   *
   * @param loss the weighted mean loss (0 when no row counts)
   * @param lossSum the unweighted sum of per-row losses over counted rows
   * @param weightSum the sum of counted rows' class weights (their count without weights)
   * @param correct counted rows whose arg-max is their label
   */
  public record Result(double loss, double lossSum, double weightSum, int correct) {}

  /**
   * The batch's loss and, with {@code dz}, its gradient with respect to the logits.
   *
   * @param z logits, row-major [labels.length, classes]
   * @param classes classes per row
   * @param labels one label per row in [0, classes), or negative to ignore the row
   * @param classWeights one weight per class, or null for 1
   * @param dz receives the gradient of the mean loss [labels.length, classes] (ignored rows 0), or null
   * @throws IllegalArgumentException on a label at or above {@code classes}
   */
  public static Result of(float[] z, int classes, int[] labels, double[] classWeights, float[] dz) {
    int n = labels.length;
    double[] rowLoss = new double[n];
    int[] hit = new int[n];
    double weightSum = 0;
    for (int y : labels) {
      if (y >= classes) {
        throw new IllegalArgumentException("label " + y + " is outside 0.." + (classes - 1));
      }
      if (y >= 0) {
        weightSum += classWeights == null ? 1 : classWeights[y];
      }
    }
    double ws = weightSum;
    float[] scratch = dz != null ? null : new float[n * classes];
    Parallel.forEach(n, r -> {
      int y = labels[r];
      int off = r * classes;
      if (y < 0) {
        if (dz != null) {
          java.util.Arrays.fill(dz, off, off + classes, 0f);
        }
        return;
      }
      int arg = 0;
      float max = z[off];
      for (int c = 1; c < classes; c++) {
        if (z[off + c] > max) {
          max = z[off + c];
          arg = c;
        }
      }
      float[] e = dz != null ? dz : scratch; // e^(z - max), turned into the gradient in place
      Activations.expNonPositive(z, max, e, off, off + classes);
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += e[off + c];
      }
      double lse = max + Math.log(sum);
      rowLoss[r] = lse - z[off + y];
      hit[r] = arg == y ? 1 : 0;
      if (dz != null) {
        double w = (classWeights == null ? 1 : classWeights[y]) / ws;
        float inv = (float) (w / sum);
        for (int c = 0; c < classes; c++) { // p = e^(z - max) / sum
          dz[off + c] = dz[off + c] * inv;
        }
        dz[off + y] -= (float) w;
      }
    });
    double lossSum = 0;
    double weighted = 0;
    int correct = 0;
    for (int r = 0; r < n; r++) {
      if (labels[r] >= 0) {
        lossSum += rowLoss[r];
        weighted += (classWeights == null ? 1 : classWeights[labels[r]]) * rowLoss[r];
        correct += hit[r];
      }
    }
    return new Result(weightSum > 0 ? weighted / weightSum : 0, lossSum, weightSum, correct);
  }
}
