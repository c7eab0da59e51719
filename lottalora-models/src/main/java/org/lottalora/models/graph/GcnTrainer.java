package org.lottalora.models.graph;

import java.util.Map;
import org.lottalora.core.train.EpochLoop;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.train.Progress;

/**
 * Full-batch training of a {@link GcnNetwork} for node classification: a seeded split of the nodes into train,
 * validation and test; Adam on the training nodes' cross-entropy; the epoch with the best validation accuracy is
 * the one reported on the test nodes, and the network is left at that epoch's values (what a saved model holds).
 */
public final class GcnTrainer {
  private GcnTrainer() {
  }

  /**
   * Training settings.
   *
   * @param epochs full-batch steps
   * @param lr Adam learning rate
   * @param weightDecay decoupled weight decay of the weight matrices and adapter factors (core.train.WeightDecay)
   * @param trainFraction nodes whose labels train
   * @param valFraction nodes that pick the epoch
   * @param splitSeed seed of the node split
   */
  public record Config(int epochs, double lr, double weightDecay, double trainFraction, double valFraction,
      long splitSeed) {
    /** Validates. */
    public Config {
      if (epochs < 1 || !(lr > 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("epochs >= 1, lr > 0 and weight decay >= 0 are needed");
      }
      if (!(trainFraction > 0) || !(valFraction > 0) || trainFraction + valFraction >= 1) {
        throw new IllegalArgumentException("train and validation fractions must be > 0 and leave test nodes");
      }
    }
  }

  /**
   * What training reached.
   *
   * @param testAccuracy test accuracy at the best validation epoch
   * @param bestValAccuracy that validation accuracy
   * @param bestEpoch the epoch (1-based)
   * @param trainableFraction trained values over the model's
   * @param betas learned beta per layer at the best epoch
   * @param seconds wall time
   */
  public record Report(double testAccuracy, double bestValAccuracy, int bestEpoch, double trainableFraction,
      float[] betas, double seconds) {
  }

  /** Trains {@code net} on graph {@code g} (labels required). */
  public static Report train(GcnNetwork net, Graph g, Config c, Progress p) {
    if (g.labels() == null) {
      throw new IllegalArgumentException(g.name() + " has no labels to train on");
    }
    int n = g.nodes();
    boolean[][] masks = split(n, c.splitSeed(), c.trainFraction(), c.valFraction());
    float[][] x = new float[n][g.dims()];
    for (int i = 0; i < n; i++) {
      System.arraycopy(g.features(), i * g.dims(), x[i], 0, g.dims());
    }
    long t0 = System.nanoTime();
    // full batch: one step an epoch, the whole graph its one "example"; the validation forward of the arrays about
    // to be stepped is the step's own forward, so it is kept and not recomputed
    float[][][] logits = new float[1][][];
    EpochLoop.Outcome o = EpochLoop.run(new EpochLoop.Task() {
      private org.lottalora.core.train.ScaffoldSwitch scaffolds;

      @Override
      public org.lottalora.core.train.ScaffoldSwitch scaffolds() { // made on first use: only resampling runs pay
        if (scaffolds == null) { // the kept validation forward belongs to the scaffold switched from
          scaffolds = net.scaffoldSwitch().then(() -> logits[0] = null);
        }
        return scaffolds;
      }

      @Override
      public int examples() {
        return 1;
      }

      @Override
      public double backward(int[] batch) {
        float[][] z = logits[0] != null ? logits[0] : net.forward(x);
        logits[0] = null;
        return net.backward(z, g.labels(), masks[0]);
      }

      @Override
      public void update(double lr, int step) {
        net.adam(lr, c.weightDecay(), step);
      }

      @Override
      public double validate() {
        logits[0] = net.forward(x);
        return accuracy(logits[0], g.labels(), masks[1]);
      }

      @Override
      public Map<String, float[]> snapshot() {
        return copy(net.trained());
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        logits[0] = null;
        net.restore(arrays);
      }

      @Override
      public java.util.List<org.lottalora.core.engine.Param> params() {
        return net.params();
      }
    }, new EpochLoop.Settings("gcn", c.epochs(), 1, e -> "gcn.order/" + e, c.splitSeed(), s -> c.lr(), true, 0,
        false), p);
    return new Report(accuracy(net.forward(x), g.labels(), masks[2]), o.bestValidation(), o.bestEpoch(),
        net.trainableFraction(), net.betas(), (System.nanoTime() - t0) / 1e9);
  }

  /** The seeded node split (stream "gcn.split"): masks of the train, validation and test nodes. */
  public static boolean[][] split(int n, long seed, double trainFraction, double valFraction) {
    int[] perm = Dataset.permutation(n, seed, "gcn.split");
    boolean[][] m = new boolean[3][n];
    int nt = (int) Math.round(n * trainFraction);
    int nv = (int) Math.round(n * valFraction);
    for (int k = 0; k < n; k++) {
      m[k < nt ? 0 : k < nt + nv ? 1 : 2][perm[k]] = true;
    }
    return m;
  }

  /** A deep copy of live trained arrays (the best epoch's snapshot). */
  public static java.util.Map<String, float[]> copy(java.util.Map<String, float[]> live) {
    java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
    live.forEach((k, v) -> m.put(k, v.clone()));
    return m;
  }

  /** Accuracy of the rows of {@code logits} in {@code mask}. */
  public static double accuracy(float[][] logits, int[] labels, boolean[] mask) {
    int right = 0;
    int count = 0;
    for (int i = 0; i < logits.length; i++) {
      if (!mask[i]) {
        continue;
      }
      count++;
      int best = 0;
      for (int c = 1; c < logits[i].length; c++) {
        if (logits[i][c] > logits[i][best]) {
          best = c;
        }
      }
      right += best == labels[i] ? 1 : 0;
    }
    return count == 0 ? 0 : right / (double) count;
  }
}
