package org.lottalora.models.transformer;

import org.lottalora.core.train.EpochLoop;
import java.util.Map;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.Progress;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Params;

/**
 * Trains a {@link Vit} on image splits: Adam (cosine decay over all steps, weight decay by the one rule of core.train.WeightDecay), batches
 * in an order drawn from the split seed each epoch, validation accuracy after every epoch; the best epoch's
 * arrays are kept and scored on the test split.
 */
public final class VitTrainer {
  private VitTrainer() {
  }

  /**
   * Settings.
   *
   * @param epochs passes over the training split
   * @param batch images per step
   * @param lr peak Adam rate
   * @param wd decoupled weight decay of the weight matrices and adapter factors (core.train.WeightDecay)
   * @param seed seed of the batch order
   */
  public record Config(int epochs, int batch, double lr, double wd, long seed) {
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
   * @param testAccuracy test accuracy of the best validation epoch
   * @param validationAccuracy its validation accuracy
   * @param bestEpoch that epoch (from 1)
   * @param seconds wall time
   * @param images training images seen
   * @param trainableFraction trained values over the model's values
   * @param betas learned beta per adapted matrix
   * @param epochImagesPerSecond training images per second of each epoch's loop (the first includes the JIT's
   *     warm-up; later ones are the steady state)
   */
  public record Report(double testAccuracy, double validationAccuracy, int bestEpoch, double seconds, long images,
      double trainableFraction, Map<String, Double> betas, double[] epochImagesPerSecond) {
    /** Median learned beta over the adapted matrices (NaN in full training). */
    public double medianBeta() {
      return Params.medianBeta(betas);
    }

    /** Training images per second. */
    public double imagesPerSecond() {
      return images / Math.max(1e-9, seconds);
    }
  }

  /**
   * The artifact's training record of a run on {@code dataset} ({@code rows} training images, split by
   * {@code splitSeed}) with {@code c}; {@code r} null: the schedule only (a run stopped before its report).
   */
  public static org.lottalora.core.train.TrainingRecord record(String dataset, long rows, long splitSeed, Config c,
      Report r) {
    return org.lottalora.core.train.TrainingRecord.of(dataset, rows, org.lottalora.core.train.TrainingRecord.Schedule
        .epochs(c.epochs(), c.batch(), c.lr(), c.wd(), c.seed(), splitSeed), r == null ? null
        : new org.lottalora.core.train.TrainingRecord.Outcome(r.testAccuracy(), Double.NaN, r.validationAccuracy(),
            r.bestEpoch(), r.epochImagesPerSecond().length, r.seconds(), r.imagesPerSecond(), ""),
        r == null ? Map.of() : r.betas());
  }

  /** Rows {@code idx} of a dataset as images. */
  static float[][] rows(Dataset d, int[] idx) {
    float[][] x = new float[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      x[i] = java.util.Arrays.copyOfRange(d.features(), idx[i] * d.cols(), (idx[i] + 1) * d.cols());
    }
    return x;
  }

  /** Accuracy on a dataset (batches of 256). */
  public static double accuracy(Vit vit, Dataset d) {
    int correct = 0;
    for (int start = 0; start < d.rows(); start += 256) {
      int n = Math.min(256, d.rows() - start);
      int[] idx = new int[n];
      for (int i = 0; i < n; i++) {
        idx[i] = start + i;
      }
      float[][] z = vit.logits(rows(d, idx));
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < z[i].length; k++) {
          best = z[i][k] > z[i][best] ? k : best;
        }
        correct += best == d.labels()[start + i] ? 1 : 0;
      }
    }
    return correct / (double) d.rows();
  }

  /** Trains in place and leaves the best validation epoch's arrays in {@code vit}. */
  public static Report train(Vit vit, DataSplits data, Config c, Progress progress) {
    Dataset train = data.train();
    int steps = c.epochs() * ((train.rows() + c.batch() - 1) / c.batch());
    CosineSchedule schedule = new CosineSchedule(c.lr(), 0, steps, true, 0.05);
    EpochLoop.Outcome o = EpochLoop.run(new EpochLoop.Task() {
      private org.lottalora.core.train.ScaffoldSwitch scaffolds;

      @Override
      public org.lottalora.core.train.ScaffoldSwitch scaffolds() { // made on first use: only resampling runs pay
        if (scaffolds == null) {
          scaffolds = vit.scaffoldSwitch();
        }
        return scaffolds;
      }

      @Override
      public int examples() {
        return train.rows();
      }

      @Override
      public double backward(int[] idx) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
          y[i] = train.labels()[idx[i]];
        }
        return vit.backward(rows(train, idx), y);
      }

      @Override
      public void update(double lr, int step) {
        Adam.step(vit.params(), lr, c.wd(), step);
        vit.refresh();
      }

      @Override
      public double validate() {
        return accuracy(vit, data.validation());
      }

      @Override
      public Map<String, float[]> snapshot() {
        return vit.trained();
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        vit.restore(arrays);
      }

      @Override
      public java.util.List<org.lottalora.core.engine.Param> params() {
        return vit.params();
      }
    }, new EpochLoop.Settings("vit", c.epochs(), c.batch(), e -> "vit.epoch." + e, c.seed(), schedule::at, false,
        0), progress);
    return new Report(accuracy(vit, data.test()), o.bestValidation(), o.bestEpoch(), o.trainSeconds(),
        o.examplesSeen(), Params.count(vit.params()) / (double) vit.spec().modelValues(), vit.betas(),
        o.epochRates());
  }
}
