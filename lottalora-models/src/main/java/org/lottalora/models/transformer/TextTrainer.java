package org.lottalora.models.transformer;

import java.util.Locale;
import java.util.Map;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.Progress;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Params;

/**
 * Trains a {@link TextClassifier} on a {@link TextCsv}: a 70 / 15 / 15 split drawn from the split seed, Adam with
 * cosine decay (weight decay by the one rule of core.train.WeightDecay), validation accuracy after each epoch, the best epoch's arrays kept
 * and scored on the test part.
 */
public final class TextTrainer {
  private TextTrainer() {
  }

  /**
   * Settings.
   *
   * @param epochs passes over the training part
   * @param batch texts per step
   * @param lr peak Adam rate
   * @param wd decoupled weight decay of the weight matrices and adapter factors (core.train.WeightDecay)
   * @param splitSeed seed of the split and the batch order
   */
  public record Config(int epochs, int batch, double lr, double wd, long splitSeed) {
    /** Validates. */
    public Config {
      if (epochs < 1 || batch < 1 || !(lr > 0) || wd < 0) {
        throw new IllegalArgumentException("epochs and batch must be >= 1, the learning rate > 0, decay >= 0");
      }
    }
  }

  /**
   * What a run measured.
   *
   * @param testAccuracy test accuracy at the best validation epoch
   * @param validationAccuracy that validation accuracy
   * @param bestEpoch that epoch (from 1)
   * @param seconds training wall time
   * @param texts training texts seen
   * @param trainableFraction trained values over the model's values
   * @param betas learned beta per adapted matrix
   */
  public record Report(double testAccuracy, double validationAccuracy, int bestEpoch, double seconds, long texts,
      double trainableFraction, Map<String, Double> betas) {
    /** Median learned beta over the adapted matrices (NaN in full training). */
    public double medianBeta() {
      return Params.medianBeta(betas);
    }
  }

  /** The split: indices of the training, validation and test rows. */
  public static int[][] split(int n, long seed) {
    int[] perm = Dataset.permutation(n, seed, "text.split");
    int nt = (int) Math.round(n * 0.7);
    int nv = (int) Math.round(n * 0.15);
    if (nt < 1 || nv < 1 || n - nt - nv < 1) {
      throw new IllegalArgumentException(n + " texts are too few to split 70 / 15 / 15; give at least 7");
    }
    return new int[][] {java.util.Arrays.copyOfRange(perm, 0, nt), java.util.Arrays.copyOfRange(perm, nt, nt + nv),
        java.util.Arrays.copyOfRange(perm, nt + nv, n)};
  }

  /** Accuracy on rows {@code idx}. */
  public static double accuracy(TextClassifier m, TextCsv data, int[] idx) {
    int correct = 0;
    for (int s = 0; s < idx.length; s += 64) {
      int n = Math.min(64, idx.length - s);
      int[][] b = new int[n][];
      for (int i = 0; i < n; i++) {
        b[i] = data.tokens().get(idx[s + i]);
      }
      float[][] z = m.logits(b);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < z[i].length; k++) {
          best = z[i][k] > z[i][best] ? k : best;
        }
        correct += best == data.labels()[idx[s + i]] ? 1 : 0;
      }
    }
    return correct / (double) idx.length;
  }

  /** Trains in place, leaving the best validation epoch's arrays. */
  public static Report train(TextClassifier m, TextCsv data, Config c, Progress progress) {
    int[][] parts = split(data.size(), c.splitSeed());
    int[] train = parts[0];
    int steps = c.epochs() * ((train.length + c.batch() - 1) / c.batch());
    CosineSchedule schedule = new CosineSchedule(c.lr(), 0, steps, true, 0.05);
    int step = 0;
    double bestVal = -1;
    int bestEpoch = 0;
    Map<String, float[]> best = m.trained();
    long trainNanos = 0;
    for (int epoch = 1; epoch <= c.epochs(); epoch++) {
      int[] order = Dataset.permutation(train.length, c.splitSeed(), "text.epoch." + epoch);
      long e0 = System.nanoTime();
      double lossSum = 0;
      int batches = 0;
      for (int s = 0; s < train.length; s += c.batch()) {
        int n = Math.min(c.batch(), train.length - s);
        int[][] b = new int[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
          int row = train[order[s + i]];
          b[i] = data.tokens().get(row);
          y[i] = data.labels()[row];
        }
        double loss = m.backward(b, y);
        if (!Double.isFinite(loss)) {
          m.restore(best); // the best epoch so far: never leave NaN arrays behind
          org.lottalora.core.train.LossGuard.check(loss, step + 1, bestEpoch > 0 ? "epoch " + bestEpoch : null);
        }
        step++;
        Adam.step(m.params(), schedule.at(step - 1), c.wd(),
            step);
        m.refresh();
        lossSum += loss;
        batches++;
        progress.work(String.format(Locale.ROOT, "epoch %d/%d", epoch, c.epochs()), s + n, train.length, e0);
      }
      trainNanos += System.nanoTime() - e0;
      double val = accuracy(m, data, parts[1]);
      if (val > bestVal) {
        bestVal = val;
        bestEpoch = epoch;
        best = m.trained();
      }
      progress.say(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  validation accuracy %.4f%s", epoch,
          c.epochs(), lossSum / batches, val, epoch == bestEpoch ? " *" : ""));
    }
    m.restore(best);
    return new Report(accuracy(m, data, parts[2]), bestVal, bestEpoch, trainNanos / 1e9,
        (long) c.epochs() * train.length, Params.count(m.params()) / (double) m.spec().modelValues(), m.betas());
  }
}
