package org.lottalora.models.decision;

import org.lottalora.core.backbone.Draws;

/**
 * Inverted-pendulum swing-up, Pendulum-v1 as Gymnasium defines it (the classic underactuated swing-up of Doya
 * (2000), "Reinforcement learning in continuous time and space", Neural Computation 12(1)): a 1 kg, 1 m rod under
 * g = 10 with torque u in [-2, 2], {@code theta'' = 3g/(2l) sin theta + 3/(m l^2) u} integrated by semi-implicit
 * Euler with dt = 0.05 and theta' clipped to [-8, 8]; theta = 0 is upright. Observation (cos theta, sin theta,
 * theta'); reward {@code -(norm(theta)^2 + 0.1 theta'^2 + 0.001 u^2)} with theta normalized to [-pi, pi); 200
 * steps, no terminal state. Initial theta uniform in [-pi, pi), theta' in [-1, 1).
 *
 * <p>The expert swings up by energy pumping (Astrom and Furuta (2000), "Swinging up a pendulum by energy
 * control", Automatica 36(2)): full torque along theta' while the energy {@code theta'^2 / 2 + 15 cos theta} is
 * below the upright rest energy 15 (against it above), and a PD law {@code u = -(12 theta + 2.5 theta')} once
 * {@code cos theta > 0.9}. The medium controller swings up the same way but holds the top with a weak PD law
 * {@code u = -(3 theta + 0.5 theta')} that lets the rod fall and swing up again.
 */
public final class Pendulum implements Environment {
  private static final double MAX_SPEED = 8;
  private static final double MAX_TORQUE = 2;
  private static final double DT = 0.05;
  private static final double G = 10;
  private static final double M = 1;
  private static final double L = 1;
  private double theta;
  private double thetaDot;
  private int steps;
  private boolean done = true;

  /** A pendulum in a given state (tests compare one step with the published equations). */
  static Pendulum at(double theta, double thetaDot) {
    Pendulum p = new Pendulum();
    p.theta = theta;
    p.thetaDot = thetaDot;
    p.done = false;
    return p;
  }

  @Override
  public String id() {
    return "pendulum";
  }

  @Override
  public int stateDim() {
    return 3;
  }

  @Override
  public boolean discrete() {
    return false;
  }

  @Override
  public int actions() {
    return 1;
  }

  @Override
  public double actionLow() {
    return -MAX_TORQUE;
  }

  @Override
  public double actionHigh() {
    return MAX_TORQUE;
  }

  @Override
  public int maxSteps() {
    return 200;
  }

  @Override
  public float[] reset(Draws draws) {
    theta = draws.uniform(-Math.PI, Math.PI);
    thetaDot = draws.uniform(-1, 1);
    steps = 0;
    done = false;
    return state();
  }

  private float[] state() {
    return new float[] {(float) StrictMath.cos(theta), (float) StrictMath.sin(theta), (float) thetaDot};
  }

  /** theta in [-pi, pi). */
  static double normalize(double a) {
    double r = (a + Math.PI) % (2 * Math.PI);
    return (r < 0 ? r + 2 * Math.PI : r) - Math.PI;
  }

  @Override
  public Step step(float[] action) {
    if (done) {
      throw new IllegalArgumentException("pendulum: a step after the episode ended; reset first");
    }
    String bad = checkAction(action);
    if (bad != null) {
      throw new IllegalArgumentException("pendulum: " + bad);
    }
    double u = action[0];
    double th = normalize(theta);
    double cost = th * th + 0.1 * thetaDot * thetaDot + 0.001 * u * u;
    double next = thetaDot + (3 * G / (2 * L) * StrictMath.sin(theta) + 3.0 / (M * L * L) * u) * DT;
    thetaDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, next));
    theta += thetaDot * DT;
    steps++;
    done = steps >= maxSteps();
    return new Step(state(), -cost, done);
  }

  @Override
  public Policy expert() {
    return controller(12, 2.5);
  }

  @Override
  public Policy medium() {
    return controller(3, 0.5);
  }

  private static Policy controller(double kp, double kd) {
    return (s, d) -> {
      double th = StrictMath.atan2(s[1], s[0]);
      double w = s[2];
      double u;
      if (s[0] > 0.9) {
        u = -(kp * th + kd * w);
      } else {
        double energy = 0.5 * w * w + 15 * s[0];
        u = MAX_TORQUE * (w >= 0 ? 1 : -1) * (energy < 15 ? 1 : -1);
      }
      return new float[] {(float) Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, u))};
    };
  }

  @Override
  public double randomScore() {
    return RANDOM;
  }

  @Override
  public double expertScore() {
    return EXPERT;
  }

  /** The random policy's reference return (EnvironmentsTest recomputes it). */
  static final double RANDOM = -1252.03;
  /** The expert's reference return (EnvironmentsTest recomputes it). */
  static final double EXPERT = -151.14;

  @Override
  public Environment copy() {
    return new Pendulum();
  }
}
