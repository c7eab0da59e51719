package org.lottalora.models.decision;

import java.util.List;
import org.lottalora.core.backbone.Draws;

/**
 * A control task written in the toolkit, deterministic from a seed: {@link #reset} draws the initial state from
 * the {@link Draws} it is given, {@link #step} applies the published dynamics (in {@link StrictMath}, so the same
 * actions give the same states bit for bit on any JVM). An action is a {@code float[]}: one entry holding the index
 * for a discrete task, {@link #actionDim()} values within {@link #actionLow()}..{@link #actionHigh()} for a
 * continuous one. Each task names its expert behaviour policy and the reference returns that the normalized score
 * ({@link #normalizedScore}) is measured against, as D4RL does.
 */
public interface Environment {
  /** Registry id, e.g. {@code cartpole}. */
  String id();

  /** Observation width. */
  int stateDim();

  /** Whether actions are indices ({@link #actions()} of them) rather than vectors. */
  boolean discrete();

  /** Discrete: the number of actions; continuous: the action vector's width. */
  int actions();

  /** Values per action as stored (1 for a discrete task). */
  default int actionDim() {
    return discrete() ? 1 : actions();
  }

  /** Smallest action value (0 for a discrete task). */
  double actionLow();

  /** Largest action value ({@code actions() - 1} for a discrete task). */
  double actionHigh();

  /** Steps after which an episode is cut (the time limit of the published task). */
  int maxSteps();

  /** Starts an episode; returns the first observation. */
  float[] reset(Draws draws);

  /**
   * Applies one action.
   *
   * @throws IllegalArgumentException for an action outside the task's range, or a step after the episode ended
   */
  Step step(float[] action);

  /** The expert behaviour policy (scripted, of known quality: {@link #expertScore()}). */
  Policy expert();

  /**
   * A weaker scripted controller, the "medium" behaviour policy: deterministic, about a third to a half of the
   * expert's normalized score with {@link Behaviour}'s noise, and wrong in a way that imitating its most likely
   * action does not repair.
   */
  Policy medium();

  /** Mean return of uniformly random actions over the reference episodes (D4RL's REF_MIN_SCORE). */
  double randomScore();

  /** Mean return of the noise-free expert over the reference episodes (D4RL's REF_MAX_SCORE). */
  double expertScore();

  /** A fresh instance (environments hold the episode's state). */
  Environment copy();

  /**
   * 100 * (return - random) / (expert - random): 0 is the random policy, 100 the expert.
   */
  default double normalizedScore(double episodeReturn) {
    return 100 * (episodeReturn - randomScore()) / (expertScore() - randomScore());
  }

  /**
   * What one step did.
   *
   * @param state the next observation
   * @param reward the step's reward
   * @param done whether the episode ended (a terminal state or the time limit)
   */
  record Step(float[] state, double reward, boolean done) {}

  /** Ids of the built-in tasks. */
  List<String> IDS = List.of("cartpole", "pendulum");

  /**
   * The task named {@code id}.
   *
   * @throws IllegalArgumentException listing the tasks for an unknown id
   */
  static Environment of(String id) {
    return switch (id) {
      case "cartpole" -> new CartPole();
      case "pendulum" -> new Pendulum();
      default -> throw new IllegalArgumentException("unknown environment '" + id + "'; the environments are "
          + String.join(", ", IDS));
    };
  }

  /** Checks an action against the task's range; returns null when valid, else what is wrong. */
  default String checkAction(float[] a) {
    if (a.length != actionDim()) {
      return "an action of " + a.length + " values; " + id() + " takes " + actionDim();
    }
    for (float v : a) {
      if (!Float.isFinite(v) || v < actionLow() || v > actionHigh()) {
        return "action " + v + " is outside " + id() + "'s range " + (discrete() ? "{0.." + (actions() - 1) + "}"
            : "[" + actionLow() + ", " + actionHigh() + "]");
      }
      if (discrete() && v != Math.rint(v)) {
        return "action " + v + " is not an index (" + id() + " takes 0.." + (actions() - 1) + ")";
      }
    }
    return null;
  }
}
