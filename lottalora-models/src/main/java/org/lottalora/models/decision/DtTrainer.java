package org.lottalora.models.decision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Draws;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Params;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.EpochLoop;
import org.lottalora.core.train.Progress;

/**
 * Trains a {@link DecisionTransformer} on offline trajectories with the one {@link EpochLoop}: the episodes split
 * 90 / 10 into training and validation by the split seed; each epoch draws {@code windows} training windows as the
 * Decision Transformer paper does (an episode with probability proportional to its length, a uniform start, up to K
 * steps), from stream {@code "dt.windows.<epoch>"} of the seed; Adam with warm-up and cosine decay; the validation
 * metric is the negated action loss on the validation episodes' consecutive windows, and the best epoch is kept.
 */
public final class DtTrainer {
  private DtTrainer() {}

  /**
   * Settings.
   *
   * @param epochs epochs
   * @param windows training windows per epoch
   * @param batch windows per step
   * @param lr peak Adam rate
   * @param wd decoupled weight decay
   * @param seed seed of the windows drawn
   * @param splitSeed seed of the episode split
   */
  public record Config(int epochs, int windows, int batch, double lr, double wd, long seed, long splitSeed) {
    /** Validates. */
    public Config {
      if (epochs < 1 || windows < 1 || batch < 1 || !(lr > 0) || wd < 0) {
        throw new IllegalArgumentException("epochs, windows and batch must be >= 1, the learning rate > 0 and "
            + "decay >= 0");
      }
    }
  }

  /**
   * What training measured.
   *
   * @param validationLoss the kept epoch's validation action loss
   * @param bestEpoch that epoch (from 1)
   * @param seconds training wall time
   * @param windows training windows seen
   * @param trainableFraction trained values over the model's values
   * @param betas learned beta per adapted matrix
   * @param interrupted whether Ctrl-C ended training early
   */
  public record Report(double validationLoss, int bestEpoch, double seconds, long windows, double trainableFraction,
      Map<String, Double> betas, boolean interrupted) {}

  /** The split: training and validation episode indices. */
  public static int[][] split(int episodes, long seed) {
    if (episodes < 2) {
      throw new IllegalArgumentException(episodes + " episode is too few: the Decision Transformer keeps a tenth "
          + "(at least one) of the episodes for validation; give at least 2");
    }
    int[] p = Dataset.permutation(episodes, seed, "dt.split");
    int nv = Math.max(1, (int) Math.round(episodes * 0.1));
    return new int[][] {java.util.Arrays.copyOfRange(p, nv, episodes), java.util.Arrays.copyOfRange(p, 0, nv)};
  }

  /** The window of {@code e} from step {@code start}, up to {@code k} steps. */
  public static DecisionTransformer.Window window(Trajectories.Episode e, float[] rtg, int start, int k) {
    int n = Math.min(k, e.length() - start);
    int[] ts = new int[n];
    for (int i = 0; i < n; i++) {
      ts[i] = start + i;
    }
    return new DecisionTransformer.Window(java.util.Arrays.copyOfRange(rtg, start, start + n),
        java.util.Arrays.copyOfRange(e.states(), start, start + n),
        java.util.Arrays.copyOfRange(e.actions(), start, start + n), ts);
  }

  /** Consecutive windows covering the episodes {@code idx} (for validation and held-out loss). */
  public static List<DecisionTransformer.Window> tiles(Trajectories data, int[] idx, int k) {
    List<DecisionTransformer.Window> out = new ArrayList<>();
    for (int i : idx) {
      Trajectories.Episode e = data.episodes().get(i);
      float[] rtg = e.returnsToGo();
      for (int s = 0; s < e.length(); s += k) {
        out.add(window(e, rtg, s, k));
      }
    }
    return out;
  }

  /** Mean action loss over windows, in batches. */
  public static double loss(DecisionTransformer m, List<DecisionTransformer.Window> windows) {
    double sum = 0;
    long steps = 0;
    for (int s = 0; s < windows.size(); s += 64) {
      DecisionTransformer.Window[] b = windows.subList(s, Math.min(windows.size(), s + 64))
          .toArray(new DecisionTransformer.Window[0]);
      int n = 0;
      for (DecisionTransformer.Window w : b) {
        n += w.length();
      }
      sum += m.loss(b) * n;
      steps += n;
    }
    return sum / steps;
  }

  /** Trains in place, leaving the best validation epoch's arrays. */
  public static Report train(DecisionTransformer m, Trajectories data, Config c, Progress progress) {
    int[][] parts = split(data.episodes().size(), c.splitSeed());
    int k = m.spec().context();
    List<Trajectories.Episode> train = new ArrayList<>();
    for (int i : parts[0]) {
      train.add(data.episodes().get(i));
    }
    List<float[]> rtg = train.stream().map(Trajectories.Episode::returnsToGo).toList();
    long[] cumulative = new long[train.size()];
    long total = 0;
    for (int i = 0; i < train.size(); i++) {
      total += train.get(i).length();
      cumulative[i] = total;
    }
    long steps = total;
    List<DecisionTransformer.Window> validation = tiles(data, parts[1], k);
    int perEpoch = (c.windows() + c.batch() - 1) / c.batch();
    long allSteps = (long) c.epochs() * perEpoch;
    CosineSchedule schedule = new CosineSchedule(c.lr(), allSteps / 20, allSteps, true, 0.05);
    int[] windowEpisode = new int[c.windows()];
    int[] windowStart = new int[c.windows()];
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
        return c.windows();
      }

      @Override
      public void startEpoch(int epoch) {
        Draws d = new Draws(c.seed(), "dt.windows." + epoch);
        for (int j = 0; j < c.windows(); j++) {
          long at = (long) Math.min(steps - 1, Math.floor((1.0 - d.uniform()) * steps));
          int e = 0;
          while (cumulative[e] <= at) {
            e++;
          }
          windowEpisode[j] = e;
          windowStart[j] = d.below(train.get(e).length());
        }
      }

      @Override
      public double backward(int[] idx) {
        DecisionTransformer.Window[] b = new DecisionTransformer.Window[idx.length];
        for (int i = 0; i < idx.length; i++) {
          int e = windowEpisode[idx[i]];
          b[i] = window(train.get(e), rtg.get(e), windowStart[idx[i]], k);
        }
        return m.backward(b);
      }

      @Override
      public void update(double lr, int step) {
        Adam.step(m.params(), lr, c.wd(), step);
        m.refresh();
      }

      @Override
      public double validate() {
        return -loss(m, validation);
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
    }, new EpochLoop.Settings("dt", c.epochs(), c.batch(), e -> "dt.epoch." + e, c.seed(), schedule::at, false, 0),
        progress);
    return new Report(-o.bestValidation(), o.bestEpoch(), o.trainSeconds(), o.examplesSeen(),
        Params.count(m.params()) / (double) m.spec().modelValues(), m.betas(), o.interrupted());
  }
}
