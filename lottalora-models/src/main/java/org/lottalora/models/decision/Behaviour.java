package org.lottalora.models.decision;

import java.util.List;
import org.lottalora.core.backbone.Draws;

/**
 * The behaviour policies that offline datasets are drawn from, named as D4RL names its datasets. A policy is a
 * scripted controller ({@link Environment#expert()} or {@link Environment#medium()}) with a share epsilon of its
 * actions replaced by uniformly random ones: {@code random} is all random; {@code medium} is the medium controller
 * at epsilon 0.1; {@code expert} the expert at epsilon 0.05; {@code medium-replay} is a learner's replay buffer,
 * the medium controller with epsilon falling linearly from 1 to 0.1 over the episodes; {@code medium-expert} is
 * half medium, half expert episodes.
 */
public final class Behaviour {
  /** The dataset qualities, best last. */
  public static final List<String> QUALITIES = List.of("random", "medium-replay", "medium", "medium-expert",
      "expert");

  private Behaviour() {}

  /**
   * The policy of episode {@code i} of {@code n} in a dataset of {@code quality}.
   *
   * @throws IllegalArgumentException listing the qualities for an unknown one
   */
  public static Policy of(Environment env, String quality, int i, int n) {
    return switch (quality) {
      case "random" -> noisy(env, env.medium(), 1.0);
      case "medium" -> noisy(env, env.medium(), 0.1);
      case "expert" -> noisy(env, env.expert(), 0.05);
      case "medium-replay" -> noisy(env, env.medium(), n <= 1 ? 1.0 : 1.0 - 0.9 * i / (n - 1.0));
      case "medium-expert" -> i < n / 2 ? noisy(env, env.medium(), 0.1) : noisy(env, env.expert(), 0.05);
      default -> throw new IllegalArgumentException("unknown dataset quality '" + quality + "'; the qualities are "
          + String.join(", ", QUALITIES));
    };
  }

  /** {@code policy} with a share {@code epsilon} of uniformly random actions. */
  public static Policy noisy(Environment env, Policy policy, double epsilon) {
    return (s, d) -> d.uniform() <= epsilon ? random(env, d) : policy.act(s, d);
  }

  /** A uniformly random action of {@code env}. */
  public static float[] random(Environment env, Draws d) {
    if (env.discrete()) {
      return new float[] {d.below(env.actions())};
    }
    float[] a = new float[env.actions()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) d.uniform(env.actionLow(), env.actionHigh());
    }
    return a;
  }
}
