package org.lottalora.models.decision;

import org.lottalora.core.backbone.Draws;

/**
 * How the reference returns of the normalized score are measured: the mean return of a policy over 100 episodes,
 * episode i reset and acted from stream {@code "dt.reference/<env>/<i>"} of seed 0. The environments hold the
 * results as constants ({@link Environment#randomScore()}, {@link Environment#expertScore()}) as D4RL does, and a
 * test recomputes them.
 */
public final class ReferenceScores {
  /** Episodes averaged. */
  public static final int EPISODES = 100;

  private ReferenceScores() {}

  /** Mean return of {@code policy} on {@code env} over the reference episodes. */
  public static double measure(Environment env, Policy policy) {
    double sum = 0;
    for (int i = 0; i < EPISODES; i++) {
      sum += Trajectories.play(env.copy(), policy, new Draws(0, "dt.reference/" + env.id() + "/" + i)).total();
    }
    return sum / EPISODES;
  }

  /** Mean return of uniformly random actions. */
  public static double random(Environment env) {
    return measure(env, (s, d) -> Behaviour.random(env, d));
  }

  /** Mean return of the noise-free expert. */
  public static double expert(Environment env) {
    return measure(env, env.expert());
  }
}
