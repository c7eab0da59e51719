package org.lottalora.models.graph;

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
    double bestVal = -1;
    double bestTest = 0;
    int bestEpoch = 0;
    Map<String, float[]> best = GcnTrainer.copy(net.trained());
    int step = 0;
    int steps = c.epochs() * ((split.train().length + c.batch() - 1) / c.batch());
    for (int e = 0; e <= c.epochs(); e++) {
      double va = accuracy(net, set, split.val());
      if (va > bestVal) {
        bestVal = va;
        bestTest = accuracy(net, set, split.test());
        bestEpoch = e;
        best = GcnTrainer.copy(net.trained());
      }
      if (e == c.epochs()) {
        break;
      }
      int[] order = Dataset.permutation(split.train().length, c.splitSeed(), "gin.order/" + e);
      for (int start = 0; start < order.length; start += c.batch()) {
        int n = Math.min(c.batch(), order.length - start);
        List<Graph> gs = new ArrayList<>(n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          int gi = split.train()[order[start + i]];
          gs.add(set.graphs().get(gi));
          labels[i] = set.labels()[gi];
        }
        double loss = net.backward(gs, labels);
        if (!Double.isFinite(loss)) {
          net.restore(best); // the best epoch so far: never leave NaN arrays behind
          org.lottalora.core.train.LossGuard.check(loss, step + 1, bestEpoch > 0 ? "epoch " + bestEpoch : null);
        }
        net.adam(c.lr(), c.weightDecay(), ++step);
        p.work("gin train", step, steps, t0);
      }
    }
    net.restore(best);
    float[] betas = new float[net.betas().size()];
    int i = 0;
    for (float b : net.betas().values()) {
      betas[i++] = b;
    }
    return new GcnTrainer.Report(bestTest, bestVal, bestEpoch, net.trainableFraction(), betas,
        (System.nanoTime() - t0) / 1e9);
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
