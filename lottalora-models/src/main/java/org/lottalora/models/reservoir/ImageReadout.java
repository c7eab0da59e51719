package org.lottalora.models.reservoir;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.lottalora.core.LottaException;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.Progress;

/**
 * A one-vs-rest linear readout over a {@link FeatureMap}: ridge regression onto one-hot targets, the class
 * with the largest output wins. Features are computed in parallel blocks (so 60,000 images never sit in memory
 * as features at once) and accumulated into the ridge system in row order, which keeps the result independent
 * of the thread count. The ridge can be fixed or chosen on a validation set from a list.
 */
public final class ImageReadout {
  private static final int BLOCK = 1024;

  private ImageReadout() {
  }

  /** What a fit produced: the readout [classes][features], the ridge used, and validation accuracy per ridge. */
  public record Fit(double[][] weights, double ridge, double[] ridges, double[] validationAccuracy) {
  }

  /**
   * Fits the readout.
   *
   * @param ridges one value: used as is; several: each tried on {@code validation}, the best kept
   */
  public static Fit fit(FeatureMap map, Dataset train, Dataset validation, double[] ridges, int threads,
      Progress progress) {
    if (ridges.length == 0) {
      throw new IllegalArgumentException("give at least one --ridge value");
    }
    Ridge r = new Ridge(map.featureCount(), train.classes());
    long start = System.nanoTime();
    for (int from = 0; from < train.rows(); from += BLOCK) {
      int to = Math.min(train.rows(), from + BLOCK);
      double[][] x = features(map, train, from, to, threads);
      double[][] y = new double[to - from][train.classes()];
      for (int i = from; i < to; i++) {
        y[i - from][train.labels()[i]] = 1;
      }
      r.add(x, y);
      progress.work("reservoir features (train)", to, train.rows(), start);
    }
    if (ridges.length == 1 || validation == null || validation.rows() == 0) {
      return new Fit(r.solve(ridges[0]), ridges[0], ridges, new double[0]);
    }
    double[][] vx = features(map, validation, 0, validation.rows(), threads);
    double[] acc = new double[ridges.length];
    int best = 0;
    double[][] bestW = null;
    for (int k = 0; k < ridges.length; k++) {
      double[][] w = r.solve(ridges[k]);
      acc[k] = accuracy(w, vx, validation.labels());
      if (bestW == null || acc[k] > acc[best]) {
        best = k;
        bestW = w;
      }
    }
    return new Fit(bestW, ridges[best], ridges, acc);
  }

  /** Accuracy of a readout on a dataset. */
  public static double accuracy(FeatureMap map, double[][] w, Dataset d, int threads, Progress progress) {
    int correct = 0;
    long start = System.nanoTime();
    for (int from = 0; from < d.rows(); from += BLOCK) {
      int to = Math.min(d.rows(), from + BLOCK);
      double[][] x = features(map, d, from, to, threads);
      for (int i = from; i < to; i++) {
        if (argmax(Ridge.apply(w, x[i - from])) == d.labels()[i]) {
          correct++;
        }
      }
      progress.work("reservoir features (" + d.name() + ")", to, d.rows(), start);
    }
    return correct / (double) d.rows();
  }

  static double accuracy(double[][] w, double[][] x, int[] labels) {
    int c = 0;
    for (int i = 0; i < x.length; i++) {
      if (argmax(Ridge.apply(w, x[i])) == labels[i]) {
        c++;
      }
    }
    return c / (double) x.length;
  }

  /** Index of the largest value (the first on ties). */
  public static int argmax(double[] v) {
    int b = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[b]) {
        b = i;
      }
    }
    return b;
  }

  /** Features of rows [from, to), computed on {@code threads} threads. */
  static double[][] features(FeatureMap map, Dataset d, int from, int to, int threads) {
    double[][] out = new double[to - from][];
    int cols = d.cols();
    float[] all = d.features();
    Runnable job = () -> IntStream.range(from, to).parallel().forEach(i -> {
      float[] row = new float[cols];
      System.arraycopy(all, i * cols, row, 0, cols);
      out[i - from] = map.features(row);
    });
    if (threads <= 1) {
      for (int i = from; i < to; i++) {
        float[] row = new float[cols];
        System.arraycopy(all, i * cols, row, 0, cols);
        out[i - from] = map.features(row);
      }
      return out;
    }
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(job).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LottaException("interrupted while computing reservoir features", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new LottaException("reservoir features failed: " + e.getCause(), e);
    } finally {
      pool.shutdown();
    }
    return out;
  }
}
