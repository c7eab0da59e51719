package org.lottalora.models.decision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Decision Transformer as an application uses it:
 *
 * <pre>{@code
 * DtModel m = Lotta.load(Path.of("cartpole.lotta"), DtModel.class);
 * float[] action = m.act(prefix, 500, false);   // the next action for a trajectory so far, aiming at return 500
 * Rollout.Result r = m.rollout(500, 10, 0);     // or play 10 episodes of its task
 * }</pre>
 *
 * @param model the network with its trained values and input scaling
 * @param settings the settings it was trained with (the family's options, as the artifact records them)
 */
public record DtModel(DecisionTransformer model, Map<String, String> settings) {
  /** The task. */
  public Environment environment() {
    return model.environment();
  }

  /** The return the model was trained to be conditioned on by default (its {@code target} setting). */
  public double defaultTarget() {
    return Double.parseDouble(settings.get("target-return"));
  }

  /** Plays {@code episodes} episodes conditioned on {@code target}, resets drawn from {@code seed}. */
  public Rollout.Result rollout(double target, int episodes, long seed) {
    return Rollout.run(model, target, episodes, seed);
  }

  /** As {@link #rollout(double, int, long)}, showing progress. */
  public Rollout.Result rollout(double target, int episodes, long seed, org.lottalora.core.train.Progress progress) {
    return Rollout.run(model, target, episodes, seed, progress);
  }

  /**
   * The action for the last step of a trajectory so far, conditioned on {@code target}: the return-to-go at the
   * prefix's first step (the episode's target return when the prefix starts at step 0), lowered by each reward
   * received after it.
   *
   * @param prefix the steps so far, the last one's action not yet taken
   * @param truncate keep only the last K steps (the context) of a longer prefix, their returns-to-go computed on
   *     the whole prefix
   * @throws org.lottalora.core.LottaException when the prefix is longer than the model's context without
   *     {@code truncate} (naming both)
   * @throws IllegalArgumentException when the prefix does not fit the model's task (state width, action range)
   */
  public float[] act(Prefix prefix, double target, boolean truncate) {
    return model.predictLast(new DecisionTransformer.Window[] {prefix.window(target, model.spec().context(),
        truncate, environment())})[0];
  }

  /**
   * A trajectory so far, as {@code lottalora predict} reads it.
   *
   * @param where the file and episode it came from, for errors
   * @param firstStep the episode step of the first row
   * @param states observations
   * @param actions actions taken (one fewer than states: the last state's action is what is predicted)
   * @param rewards rewards received (as many as actions)
   */
  public record Prefix(String where, int firstStep, float[][] states, float[][] actions, float[] rewards) {
    /** The model's input window: the whole prefix, or its last {@code context} steps with {@code truncate}. */
    DecisionTransformer.Window window(double target, int context, boolean truncate, Environment env) {
      int n = states.length;
      if (n > context && !truncate) {
        throw new org.lottalora.core.LottaException(where + ": a prefix of " + n + " steps (steps " + firstStep
            + ".." + (firstStep + n - 1) + ") is longer than the model's context of " + context + " steps; give "
            + "the last " + context + " steps (keeping their step numbers) or use --set truncate=true");
      }
      if (actions.length != n - 1 || rewards.length != n - 1) {
        throw new IllegalArgumentException(where + ": a prefix of " + n + " states needs " + (n - 1) + " actions "
            + "and rewards, got " + actions.length + " and " + rewards.length);
      }
      for (int i = 0; i < n; i++) {
        if (states[i].length != env.stateDim()) {
          throw new IllegalArgumentException(where + ": a state of " + states[i].length + " values; "
              + env.id() + " observes " + env.stateDim());
        }
        String bad = i < n - 1 ? env.checkAction(actions[i]) : null;
        if (bad != null) {
          throw new IllegalArgumentException(where + " step " + (firstStep + i) + ": " + bad);
        }
      }
      float[] rtg = new float[n];
      float[][] a = new float[n][];
      int[] ts = new int[n];
      double g = target;
      for (int i = 0; i < n; i++) {
        rtg[i] = (float) g;
        a[i] = i < n - 1 ? actions[i] : new float[env.actionDim()];
        ts[i] = firstStep + i;
        if (i < n - 1) {
          g -= rewards[i];
        }
      }
      int from = Math.max(0, n - context);
      return new DecisionTransformer.Window(java.util.Arrays.copyOfRange(rtg, from, n),
          java.util.Arrays.copyOfRange(states, from, n), java.util.Arrays.copyOfRange(a, from, n),
          java.util.Arrays.copyOfRange(ts, from, n));
    }
  }

  /**
   * Predictions for every prefix in a file: one map per episode with its episode, the step predicted for, the
   * action, and for a discrete task the action probabilities.
   */
  public List<Map<String, Object>> predict(List<Prefix> prefixes, double target, boolean truncate) {
    List<Map<String, Object>> out = new ArrayList<>();
    int k = model.spec().context();
    for (int e = 0; e < prefixes.size(); e++) {
      Prefix p = prefixes.get(e);
      DecisionTransformer.Window w = p.window(target, k, truncate, environment());
      float[][][] z = model.outputs(new DecisionTransformer.Window[] {w});
      float[] last = z[0][w.length() - 1];
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("episode", e);
      m.put("step", p.firstStep() + p.states().length - 1);
      m.put("target_return", target);
      float[] a = model.action(last);
      if (environment().discrete()) {
        m.put("action", (int) a[0]);
        float[] prob = org.lottalora.core.engine.Softmax.of(last);
        List<Double> ps = new ArrayList<>();
        for (float v : prob) {
          ps.add(Double.parseDouble(String.format(Locale.ROOT, "%.6f", v)));
        }
        m.put("probabilities", ps);
      } else {
        List<Double> as = new ArrayList<>();
        for (float v : a) {
          as.add((double) v);
        }
        m.put("action", as);
      }
      out.add(m);
    }
    return out;
  }
}
