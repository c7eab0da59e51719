package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lottalora.core.util.Threads;

/**
 * The one softmax cross-entropy: its loss against a direct double-precision formula (class weights, ignored rows),
 * its gradient against central finite differences of that loss, huge logits staying finite, the same bits on one
 * and two threads, and a label outside the classes refused.
 */
class SoftmaxCrossEntropyTest {
  private static final int K = 5;

  private static double reference(float[] z, int[] y, double[] w) {
    double num = 0;
    double den = 0;
    for (int r = 0; r < y.length; r++) {
      if (y[r] < 0) {
        continue;
      }
      double sum = 0;
      for (int c = 0; c < K; c++) {
        sum += Math.exp(z[r * K + c]);
      }
      double wy = w == null ? 1 : w[y[r]];
      num += wy * (Math.log(sum) - z[r * K + y[r]]);
      den += wy;
    }
    return num / den;
  }

  private static float[] logits(int rows, long seed) {
    Random r = new Random(seed);
    float[] z = new float[rows * K];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (2 * r.nextGaussian());
    }
    return z;
  }

  @Test
  void lossAndGradientMatchTheFormulaWithWeightsAndIgnoredRows() {
    int[] y = {0, 3, -1, 4, 4, 1, -1, 2};
    double[] w = {1, 0.5, 2, 1.5, 0.25};
    float[] z = logits(y.length, 1);
    for (double[] weights : new double[][] {null, w}) {
      float[] dz = new float[z.length];
      SoftmaxCrossEntropy.Result res = SoftmaxCrossEntropy.of(z, K, y, weights, dz);
      assertEquals(reference(z, y, weights), res.loss(), 1e-6);
      for (int i = 0; i < z.length; i++) {
        float keep = z[i];
        double eps = 1e-3;
        z[i] = (float) (keep + eps);
        double up = reference(z, y, weights);
        z[i] = (float) (keep - eps);
        double down = reference(z, y, weights);
        z[i] = keep;
        assertEquals((up - down) / (2 * eps), dz[i], 2e-4, "dz[" + i + "]");
      }
      for (int c = 0; c < K; c++) { // ignored rows get no gradient
        assertEquals(0f, dz[2 * K + c]);
        assertEquals(0f, dz[6 * K + c]);
      }
      assertEquals(weights == null ? 6 : 1 + 1.5 + 0.25 + 0.25 + 0.5 + 2, res.weightSum(), 1e-9); // labels 0,3,4,4,1,2
    }
  }

  @Test
  void hugeLogitsStayFiniteAndCountCorrectPredictions() {
    float[] z = {1e30f, 0, 0, 0, 0, 0, 0, 1e30f, 0, 0};
    SoftmaxCrossEntropy.Result res = SoftmaxCrossEntropy.of(z, K, new int[] {0, 1}, null, new float[10]);
    assertEquals(1e30 / 2, res.loss(), 1e24);
    assertEquals(1, res.correct());
  }

  @Test
  void oneAndTwoThreadsGiveTheSameBitsAndBadLabelsAreRefused() {
    int[] y = new int[301];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 7 == 0 ? -1 : i % K;
    }
    float[] z = logits(y.length, 2);
    int before = Threads.applied();
    float[] d1 = new float[z.length];
    float[] d2 = new float[z.length];
    try {
      Threads.apply(1);
      double l1 = SoftmaxCrossEntropy.of(z, K, y, null, d1).loss();
      Threads.apply(2);
      double l2 = SoftmaxCrossEntropy.of(z, K, y, null, d2).loss();
      assertEquals(l1, l2, 0.0);
      assertArrayEquals(d1, d2);
    } finally {
      Threads.apply(before > 0 ? before : 1);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftmaxCrossEntropy.of(new float[K], K, new int[] {K}, null, null));
    assertEquals("label 5 is outside 0..4", e.getMessage());
  }
}
