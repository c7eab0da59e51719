package org.lottalora.models.graph;

import org.lottalora.core.train.EpochLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.GraphSet;
import org.lottalora.core.train.Progress;

/**
 * Minibatch training of a {@link GinNetwork} for graph classification: a seeded split of the graphs into train,
 * validation and test; Adam on the training graphs' cross-entropy, a fresh seeded order every epoch; the epoch with
 * the best validation accuracy is reported on the test graphs, and the network is left at that epoch's values.
 */
public final class GinTrainer {
  private GinTrainer() {
  }

  /**
   * Training settings.
   *
   * @param epochs passes over the training graphs
   * @param batch graphs per step
   * @param lr Adam learning rate
   * @param weightDecay decoupled weight decay of the weight matrices and adapter factors (core.train.WeightDecay)
   * @param trainFraction graphs that train
   * @param valFraction graphs that pick the epoch
   * @param splitSeed seed of the split and of the batch order
   */
  public record Config(int epochs, int batch, double lr, double weightDecay, double trainFraction,
      double valFraction, long splitSeed) {
    /** Validates. */
    public Config {
      if (epochs < 1 || batch < 1 || !(lr > 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("epochs >= 1, batch >= 1, lr > 0 and weight decay >= 0 are needed");
      }
      if (!(trainFraction > 0) || !(valFraction > 0) || trainFraction + valFraction >= 1) {
        throw new IllegalArgumentException("train and validation fractions must be > 0 and leave test graphs");
      }
    }
  }

  /** Which graphs of a set train, validate and test, by index. */
  public record Split(int[] train, int[] val, int[] test) {
    /** The seeded split of {@code n} graphs (stream "gin.split"). */
    public static Split of(int n, long seed, double trainFraction, double valFraction) {
      int[] perm = Dataset.permutation(n, seed, "gin.split");
      int nt = (int) Math.round(n * trainFraction);
      int nv = (int) Math.round(n * valFraction);
      if (nt < 1 || nv < 1 || n - nt - nv < 1) {
        throw new IllegalArgumentException(n + " graphs are too few to split into train, validation and test");
      }
      return new Split(java.util.Arrays.copyOfRange(perm, 0, nt), java.util.Arrays.copyOfRange(perm, nt, nt + nv),
          java.util.Arrays.copyOfRange(perm, nt + nv, n));
    }
  }

  /** Trains {@code net} on {@code set}; the report's betas are per adapted layer, in order. */
  public static GcnTrainer.Report train(GinNetwork net, GraphSet set, Config c, Progress p) {
    Split split = Split.of(set.graphs().size(), c.splitSeed(), c.trainFraction(), c.valFraction());
    long t0 = System.nanoTime();
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
        return split.train().length;
      }

      @Override
      public double backward(int[] idx) {
        List<Graph> gs = new ArrayList<>(idx.length);
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
          int gi = split.train()[idx[i]];
          gs.add(set.graphs().get(gi));
          labels[i] = set.labels()[gi];
        }
        return net.backward(gs, labels);
      }

      @Override
      public void update(double lr, int step) {
        net.adam(lr, c.weightDecay(), step);
      }

      @Override
      public double validate() {
        return accuracy(net, set, split.val());
      }

      @Override
      public Map<String, float[]> snapshot() {
        return GcnTrainer.copy(net.trained());
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        net.restore(arrays);
      }

      @Override
      public java.util.List<org.lottalora.core.engine.Param> params() {
        return net.params();
      }
    }, new EpochLoop.Settings("gin", c.epochs(), c.batch(), e -> "gin.order/" + (e - 1), c.splitSeed(),
        s -> c.lr(), true, 0), p);
    float[] betas = new float[net.betas().size()];
    int i = 0;
    for (float b : net.betas().values()) {
      betas[i++] = b;
    }
    return new GcnTrainer.Report(accuracy(net, set, split.test()), o.bestValidation(), o.bestEpoch(),
        net.trainableFraction(), betas, (System.nanoTime() - t0) / 1e9);
  }

  /** Accuracy of the network on the graphs of {@code set} at {@code indices}. */
  public static double accuracy(GinNetwork net, GraphSet set, int[] indices) {
    int right = 0;
    for (int gi : indices) {
      right += argMax(net.logits(set.graphs().get(gi))) == set.labels()[gi] ? 1 : 0;
    }
    return indices.length == 0 ? 0 : right / (double) indices.length;
  }

  static int argMax(float[] v) {
    int best = 0;
    for (int c = 1; c < v.length; c++) {
      if (v[c] > v[best]) {
        best = c;
      }
    }
    return best;
  }
}
