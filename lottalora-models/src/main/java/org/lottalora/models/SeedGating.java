package org.lottalora.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.ScaffoldSchedule;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;

/**
 * The paper's seed-gating experiment: one shared set of adapters (and head) is trained through scaffold s1 on
 * one class subset, s2 on another, s3 on a third, each scaffold seeing every other class as one extra
 * out-of-class label; then each seed is evaluated on the whole test set. Scaffold j is the model's backbone
 * regenerated from {@link ScaffoldSchedule#seedOf}(seed, j), so s1 is the model's own seed. The seed acts as
 * a key that selects which task the shared adapters perform.
 */
public final class SeedGating {
  private SeedGating() {}

  /**
   * The outcome per seed.
   *
   * @param subsets the class subset of each seed
   * @param seeds the scaffold seed of each subset
   * @param outOfClass the out-of-class label
   * @param accuracy per seed: test accuracy against that seed's labels (subset classes kept, others out-of-class)
   * @param inSubset per seed: accuracy on the test samples of its subset
   * @param outOfClassRecall per seed: share of the other classes' test samples it calls out-of-class
   * @param crossAccuracy [i][j]: scaffold i evaluated against subset j's labels (the diagonal is
   *     {@code accuracy}); off-diagonal values show whether the seed, not the input, selects the task
   * @param report the training report (its accuracies are the mean over seeds)
   */
  public record Result(List<int[]> subsets, long[] seeds, int outOfClass, double[] accuracy, double[] inSubset,
      double[] outOfClassRecall, double[][] crossAccuracy, TrainReport report) {}

  /**
   * The model spec a gating run needs: {@code base} with one more class, the out-of-class label.
   */
  public static ModelSpec spec(ModelSpec base, int dataClasses) {
    return new ModelSpec(base.family(), base.inputDim(), dataClasses + 1, base.widths(), base.dropout(),
        base.seed(), base.init(), base.adapter(), base.full());
  }

  /**
   * Trains and evaluates.
   *
   * @param model a fresh adapter model whose spec came from {@link #spec}
   * @throws IllegalArgumentException if the subsets are empty, overlap, or name a class the data lacks
   */
  public static Result run(LottaModel model, DataSplits data, List<int[]> subsets, TrainConfig config,
      Progress progress) {
    int classes = model.spec().classes() - 1;
    if (model.spec().full()) {
      throw new IllegalArgumentException("seed gating trains adapters; the model is fully trained");
    }
    if (subsets.size() < 2) {
      throw new IllegalArgumentException("seed gating needs at least 2 class subsets, got " + subsets.size());
    }
    boolean[] used = new boolean[classes];
    List<int[]> maps = new ArrayList<>();
    for (int[] s : subsets) {
      if (s.length == 0) {
        throw new IllegalArgumentException("an empty class subset: list classes like 0,1,2;3,4,5;6,7,8,9");
      }
      int[] map = new int[classes];
      Arrays.fill(map, classes);
      for (int c : s) {
        if (c < 0 || c >= classes) {
          throw new IllegalArgumentException("class " + c + " is not in the data (classes 0.." + (classes - 1) + ")");
        }
        if (used[c]) {
          throw new IllegalArgumentException("class " + c + " is in two subsets; subsets must not overlap");
        }
        used[c] = true;
        map[c] = c;
      }
      maps.add(map);
    }
    ScaffoldBank bank = new ScaffoldBank(model);
    TrainReport report = model.train(data, new Trainer(config, progress).withGating(bank, maps));
    Dataset test = data.test();
    int k = subsets.size();
    double[][] cross = new double[k][k];
    double[] inSubset = new double[k];
    double[] ooc = new double[k];
    for (int i = 0; i < k; i++) {
      bank.use(i);
      int[] p = model.classify(test);
      for (int j = 0; j < k; j++) {
        cross[i][j] = ModelGraph.accuracy(p, relabel(test.labels(), maps.get(j)));
      }
      int in = 0;
      int inOk = 0;
      int out = 0;
      int outOk = 0;
      for (int r = 0; r < p.length; r++) {
        boolean mine = maps.get(i)[test.labels()[r]] != classes;
        if (mine) {
          in++;
          inOk += p[r] == test.labels()[r] ? 1 : 0;
        } else {
          out++;
          outOk += p[r] == classes ? 1 : 0;
        }
      }
      inSubset[i] = in == 0 ? Double.NaN : inOk / (double) in;
      ooc[i] = out == 0 ? Double.NaN : outOk / (double) out;
    }
    bank.use(0);
    long[] seeds = new long[k];
    double[] acc = new double[k];
    for (int i = 0; i < k; i++) {
      seeds[i] = ScaffoldSchedule.seedOf(model.spec().seed(), i);
      acc[i] = cross[i][i];
    }
    return new Result(List.copyOf(subsets), seeds, classes, acc, inSubset, ooc, cross, report);
  }

  private static int[] relabel(int[] labels, int[] map) {
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = map[labels[i]];
    }
    return out;
  }
}
