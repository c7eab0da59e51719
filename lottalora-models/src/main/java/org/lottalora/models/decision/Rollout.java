package org.lottalora.models.decision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lottalora.core.backbone.Draws;

/**
 * Evaluation by acting: episodes of the model's task, each reset from stream {@code "dt.rollout/<i>"} of the seed,
 * with the return-to-go starting at the target return and lowered by each reward received (Chen et al. 2021,
 * section 3). At each step the model reads the last K steps and acts on its prediction for the current one (the
 * argmax, or the tanh-bounded mean: no sampling, so a rollout is a function of the model, target and seed). The
 * episodes run in lockstep as one batch.
 */
public final class Rollout {
  private Rollout() {}

  /**
   * What the episodes returned.
   *
   * @param target the return the model was conditioned on
   * @param returns each episode's return
   * @param meanReturn their mean
   * @param normalizedScore 100 * (mean - random) / (expert - random)
   */
  public record Result(double target, double[] returns, double meanReturn, double normalizedScore) {
    /** Standard deviation of the returns. */
    public double std() {
      double v = 0;
      for (double r : returns) {
        v += (r - meanReturn) * (r - meanReturn);
      }
      return Math.sqrt(v / Math.max(1, returns.length));
    }
  }

  /** Runs {@code episodes} episodes conditioned on {@code target}. */
  public static Result run(DecisionTransformer m, double target, int episodes, long seed) {
    return run(m, target, episodes, seed, org.lottalora.core.train.Progress.silent());
  }

  /**
   * As {@link #run(DecisionTransformer, double, int, long)}, showing progress in episode steps (an ended episode
   * counts as all its steps done).
   */
  public static Result run(DecisionTransformer m, double target, int episodes, long seed,
      org.lottalora.core.train.Progress progress) {
    if (episodes < 1) {
      throw new IllegalArgumentException("a rollout needs at least 1 episode, got " + episodes);
    }
    if (!Double.isFinite(target)) {
      throw new IllegalArgumentException("the target return must be a finite number, got " + target);
    }
    Environment task = m.environment();
    int k = m.spec().context();
    Environment[] envs = new Environment[episodes];
    List<List<float[]>> states = new ArrayList<>();
    List<List<float[]>> actions = new ArrayList<>();
    List<List<Float>> rtg = new ArrayList<>();
    double[] returns = new double[episodes];
    boolean[] live = new boolean[episodes];
    for (int e = 0; e < episodes; e++) {
      envs[e] = task.copy();
      states.add(new ArrayList<>(List.of(envs[e].reset(new Draws(seed, "dt.rollout/" + e)))));
      actions.add(new ArrayList<>());
      rtg.add(new ArrayList<>(List.of((float) target)));
      live[e] = true;
    }
    int step = 0;
    long t0 = System.nanoTime();
    long total = (long) episodes * task.maxSteps();
    String what = String.format(java.util.Locale.ROOT, "%s rollouts at return %.1f", task.id(), target);
    while (true) {
      List<Integer> idx = new ArrayList<>();
      for (int e = 0; e < episodes; e++) {
        if (live[e]) {
          idx.add(e);
        }
      }
      if (idx.isEmpty()) {
        break;
      }
      DecisionTransformer.Window[] batch = new DecisionTransformer.Window[idx.size()];
      for (int b = 0; b < batch.length; b++) {
        int e = idx.get(b);
        batch[b] = window(rtg.get(e), states.get(e), actions.get(e), step, k, task.actionDim());
      }
      float[][] act = m.predictLast(batch);
      for (int b = 0; b < batch.length; b++) {
        int e = idx.get(b);
        Environment.Step st = envs[e].step(act[b]);
        returns[e] += st.reward();
        actions.get(e).add(act[b]);
        if (st.done()) {
          live[e] = false;
        } else {
          states.get(e).add(st.state());
          rtg.get(e).add((float) (rtg.get(e).get(rtg.get(e).size() - 1) - st.reward()));
        }
      }
      step++;
      long done = 0;
      for (int e = 0; e < episodes; e++) {
        done += live[e] ? step : task.maxSteps();
      }
      progress.work(what, done, total, t0);
    }
    double mean = Arrays.stream(returns).average().orElse(0);
    return new Result(target, returns, mean, task.normalizedScore(mean));
  }

  // the last (up to) k steps ending at the current one, whose action is not known yet (zeros; the causal mask
  // keeps the state token that predicts it from seeing it)
  static DecisionTransformer.Window window(List<Float> rtg, List<float[]> states, List<float[]> actions, int step,
      int k, int actionDim) {
    int n = Math.min(k, step + 1);
    int first = step + 1 - n;
    float[] g = new float[n];
    float[][] s = new float[n][];
    float[][] a = new float[n][];
    int[] ts = new int[n];
    for (int i = 0; i < n; i++) {
      int t = first + i;
      g[i] = rtg.get(t);
      s[i] = states.get(t);
      a[i] = t < actions.size() ? actions.get(t) : new float[actionDim];
      ts[i] = t;
    }
    return new DecisionTransformer.Window(g, s, a, ts);
  }
}
