package org.lottalora.models.transformer;

import org.lottalora.core.train.EpochLoop;
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

  /**
   * The artifact's training record of a run on {@code dataset} ({@code rows} training texts) with {@code c};
   * {@code r} null: the schedule only.
   */
  public static org.lottalora.core.train.TrainingRecord record(String dataset, long rows, Config c, Report r) {
    return org.lottalora.core.train.TrainingRecord.of(dataset, rows, org.lottalora.core.train.TrainingRecord.Schedule
        .epochs(c.epochs(), c.batch(), c.lr(), c.wd(), c.splitSeed(), c.splitSeed()), r == null ? null
        : new org.lottalora.core.train.TrainingRecord.Outcome(r.testAccuracy(), Double.NaN, r.validationAccuracy(),
            r.bestEpoch(), 0, r.seconds(), r.texts() / Math.max(1e-9, r.seconds()), ""),
        r == null ? Map.of() : r.betas());
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
    EpochLoop.Outcome o = EpochLoop.run(new EpochLoop.Task() {
      private org.lottalora.core.train.ScaffoldSwitch scaffolds;

      @Override
      public org.lottalora.core.train.ScaffoldSwitch scaffolds() { // made on first use: only resampling runs pay
        if (scaffolds == null) {
          scaffolds = m.scaffoldSwitch();
        }
        return scaffolds;
      }

      @Override
      public int examples() {
        return train.length;
      }

      @Override
      public double backward(int[] idx) {
        int[][] b = new int[idx.length][];
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
          int row = train[idx[i]];
          b[i] = data.tokens().get(row);
          y[i] = data.labels()[row];
        }
        return m.backward(b, y);
      }

      @Override
      public void update(double lr, int step) {
        Adam.step(m.params(), lr, c.wd(), step);
        m.refresh();
      }

      @Override
      public double validate() {
        return accuracy(m, data, parts[1]);
      }

      @Override
      public Map<String, float[]> snapshot() {
        return m.trained();
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        m.restore(arrays);
      }

      @Override
      public java.util.List<org.lottalora.core.engine.Param> params() {
        return m.params();
      }
    }, new EpochLoop.Settings("text", c.epochs(), c.batch(), e -> "text.epoch." + e, c.splitSeed(), schedule::at,
        false, 0), progress);
    return new Report(accuracy(m, data, parts[2]), o.bestValidation(), o.bestEpoch(), o.trainSeconds(),
        o.examplesSeen(), Params.count(m.params()) / (double) m.spec().modelValues(), m.betas());
  }
}
