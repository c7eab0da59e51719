package org.lottalora.models.recurrent;

import org.lottalora.core.train.EpochLoop;
import java.util.List;
import java.util.Map;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.Progress;

/**
 * Minibatch training of a {@link RecurrentNetwork}: Adam, a seeded order every epoch, optional class weights
 * ("balanced": {@code n / (classes n_c)}, for rare positives), the toolkit's {@link CosineSchedule} when asked
 * (warmup, cosine decay; the sequence commands use a constant rate), an optional early stop, and the epoch with the
 * best validation score kept: AUROC for binary tasks (the PhysioNet convention), accuracy otherwise. The network is
 * left at that epoch's values.
 */
public final class RecurrentTrainer {
  private static final int EVAL_CHUNK = 512;

  private RecurrentTrainer() {
  }

  /**
   * Training settings.
   *
   * @param epochs passes over the training sequences
   * @param batch sequences per step
   * @param lr Adam learning rate (the peak, under a schedule)
   * @param weightDecay decoupled weight decay of the weight matrices and adapter factors (core.train.WeightDecay)
   * @param balanced weight each class by {@code n / (classes n_c)} in the loss
   * @param shuffleSeed seed of the batch order
   * @param warmupEpochs epochs of linear warmup ({@link CosineSchedule})
   * @param cosine decay the rate by a half cosine to 0 over the run (false: constant after the warmup)
   * @param patience stop after this many epochs without a better validation score (0: never)
   */
  public record Config(int epochs, int batch, double lr, double weightDecay, boolean balanced, long shuffleSeed,
      int warmupEpochs, boolean cosine, int patience) {
    /** Validates. */
    public Config {
      if (epochs < 1 || batch < 1 || !(lr > 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("epochs >= 1, batch >= 1, lr > 0 and weight decay >= 0 are needed");
      }
      if (warmupEpochs < 0 || patience < 0) {
        throw new IllegalArgumentException("warmup epochs and patience must be >= 0, got " + warmupEpochs + " and "
            + patience);
      }
    }

    /** A constant rate, no early stop ({@code lottalora sequence train}). */
    public Config(int epochs, int batch, double lr, double weightDecay, boolean balanced, long shuffleSeed) {
      this(epochs, batch, lr, weightDecay, balanced, shuffleSeed, 0, false, 0);
    }
  }

  /**
   * Scores of a model on a set.
   *
   * @param accuracy share of sequences whose arg-max class is the label
   * @param auroc area under the ROC curve of the class-1 probability (binary tasks; NaN otherwise or with one class
   *     present)
   * @param loss mean unweighted cross-entropy
   */
  public record Metrics(double accuracy, double auroc, double loss) {
    /** The score that picks the epoch: AUROC when defined, else accuracy. */
    public double selection() {
      return Double.isNaN(auroc) ? accuracy : auroc;
    }
  }

  /**
   * What training reached.
   *
   * @param test test metrics at the best validation epoch
   * @param validation validation metrics at that epoch
   * @param bestEpoch the epoch (0: the untrained model)
   * @param trainableFraction trained values over the model's
   * @param betas beta per adapted matrix at that epoch
   * @param seconds wall time
   * @param samplesPerSecond training sequences per second
   * @param history validation score per epoch
   */
  public record Report(Metrics test, Metrics validation, int bestEpoch, double trainableFraction,
      Map<String, Float> betas, double seconds, double samplesPerSecond, List<Double> history) {
  }

  /**
   * The artifact's training record of a run on {@code dataset} ({@code rows} training sequences, split by
   * {@code splitSeed}) with {@code c}; {@code r} null: the schedule only.
   */
  public static org.lottalora.core.train.TrainingRecord record(String dataset, long rows, long splitSeed, Config c,
      Report r) {
    return org.lottalora.core.train.TrainingRecord.of(dataset, rows, new org.lottalora.core.train.TrainingRecord.Schedule(
        c.epochs(), 0, c.batch(), c.lr(), c.weightDecay(), c.warmupEpochs(), c.cosine(), c.patience(),
        c.shuffleSeed(), splitSeed), r == null ? null : new org.lottalora.core.train.TrainingRecord.Outcome(
            r.test().accuracy(), Double.NaN, r.validation().selection(), r.bestEpoch(), r.history().size(),
            r.seconds(), r.samplesPerSecond(), ""),
        r == null ? Map.of() : org.lottalora.core.train.TrainingRecord.doubles(r.betas()));
  }

  /** The balanced class weights of {@code s}: {@code n / (classes n_c)}, 0 for a class that is absent. */
  public static float[] balancedWeights(SequenceSet s) {
    int[] counts = s.classCounts();
    float[] w = new float[s.classes()];
    for (int c = 0; c < w.length; c++) {
      w[c] = counts[c] == 0 ? 0f : (float) (s.size() / (double) (s.classes() * counts[c]));
    }
    return w;
  }

  /** Trains {@code net}; {@code val} picks the epoch, {@code test} is reported at it. */
  public static Report train(RecurrentNetwork net, SequenceSet train, SequenceSet val, SequenceSet test, Config c,
      Progress p) {
    float[] weights = c.balanced() ? balancedWeights(train) : null;
    long t0 = System.nanoTime();
    int perEpoch = (train.size() + c.batch() - 1) / c.batch();
    CosineSchedule schedule = new CosineSchedule(c.lr(), (long) perEpoch * c.warmupEpochs(),
        (long) perEpoch * c.epochs(), c.cosine()); // no warmup, no cosine: c.lr() at every step
    EpochLoop.Outcome o = EpochLoop.run(new EpochLoop.Task() {
      private org.lottalora.core.train.ScaffoldSwitch scaffolds;

      @Override
      public org.lottalora.core.train.ScaffoldSwitch scaffolds() { // made on first use: only resampling runs pay
        if (scaffolds == null) {
          scaffolds = net.scaffoldSwitch();
        }
        return scaffolds;
      }

      @Override
      public int examples() {
        return train.size();
      }

      @Override
      public double backward(int[] idx) {
        return net.backward(train, idx, weights);
      }

      @Override
      public void update(double lr, int step) {
        net.adam(lr, c.weightDecay(), step);
      }

      @Override
      public double validate() {
        return evaluate(net, val).selection();
      }

      @Override
      public Map<String, float[]> snapshot() {
        return copy(net.trained());
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        net.restore(arrays);
      }

      @Override
      public java.util.List<org.lottalora.core.engine.Param> params() {
        return net.params();
      }
    }, new EpochLoop.Settings(net.spec().cell(), c.epochs(), c.batch(), e -> "recurrent.order/" + e,
        c.shuffleSeed(), schedule::at, true, c.patience()), p);
    return new Report(evaluate(net, test), evaluate(net, val), o.bestEpoch(), net.trainableFraction(), net.betas(),
        (System.nanoTime() - t0) / 1e9, o.examplesSeen() / Math.max(1e-9, o.trainSeconds()), o.history());
  }

  static Map<String, float[]> copy(Map<String, float[]> live) {
    Map<String, float[]> m = new java.util.LinkedHashMap<>();
    live.forEach((k, v) -> m.put(k, v.clone()));
    return m;
  }

  /** Class probabilities of every sequence of {@code s}, [n][classes]. */
  public static float[][] probabilities(RecurrentNetwork net, SequenceSet s) {
    float[][] out = new float[s.size()][];
    for (int start = 0; start < s.size(); start += EVAL_CHUNK) {
      int n = Math.min(EVAL_CHUNK, s.size() - start);
      int[] idx = new int[n];
      for (int i = 0; i < n; i++) {
        idx[i] = start + i;
      }
      float[][] logits = net.logits(s, idx);
      for (int i = 0; i < n; i++) {
        out[start + i] = org.lottalora.core.engine.Softmax.of(logits[i]);
      }
    }
    return out;
  }

  /** Accuracy, AUROC (binary) and mean cross-entropy of {@code net} on {@code s}. */
  public static Metrics evaluate(RecurrentNetwork net, SequenceSet s) {
    float[][] p = probabilities(net, s);
    int right = 0;
    double loss = 0;
    float[] pos = new float[s.size()];
    for (int i = 0; i < s.size(); i++) {
      int best = 0;
      for (int k = 1; k < p[i].length; k++) {
        best = p[i][k] > p[i][best] ? k : best;
      }
      right += best == s.labels()[i] ? 1 : 0;
      loss -= Math.log(Math.max(1e-12, p[i][s.labels()[i]]));
      pos[i] = p[i].length > 1 ? p[i][1] : 0;
    }
    double auc = s.classes() == 2 ? auroc(pos, s.labels()) : Double.NaN;
    return new Metrics(right / (double) s.size(), auc, loss / s.size());
  }

  /**
   * Area under the ROC curve of {@code scores} for {@code labels} (1 positive): the Mann-Whitney statistic with
   * ties counted half; NaN when only one class is present.
   */
  public static double auroc(float[] scores, int[] labels) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double rankSum = 0;
    long pos = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1; // average rank of the tie group, 1-based
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          rankSum += rank;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = scores.length - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }
}
