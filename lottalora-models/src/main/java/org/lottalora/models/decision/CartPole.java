package org.lottalora.models.decision;

import org.lottalora.core.backbone.Draws;

/**
 * Cart-pole balancing, CartPole-v1 as Gymnasium defines it: the equations of Barto, Sutton and Anderson (1983),
 * "Neuronlike adaptive elements that can solve difficult learning control problems", IEEE Trans. SMC 13(5), in the
 * corrected form of Florian (2007), "Correct equations for the dynamics of the cart-pole system", integrated by
 * explicit Euler with tau = 0.02 s: gravity 9.8, cart 1.0 kg, pole 0.1 kg, half-length 0.5 m, force +-10 N.
 * Observation (x, x', theta, theta'); actions 0 (push left) and 1 (push right); reward 1 per step including the
 * last; the episode ends when |theta| > 12 degrees or |x| > 2.4, or after 500 steps. Initial state uniform in
 * [-0.05, 0.05]^4.
 *
 * <p>The expert is a linear state-feedback controller (push right when
 * {@code 10 theta + 2 theta' + 0.3 x + 0.8 x' > 0}) that balances every reference episode for 500 steps. The
 * medium controller feeds the cart's position and speed back with the wrong sign
 * ({@code 10 theta + 2 theta' - x - x' > 0}): it keeps the pole up while the cart drifts off the track.
 */
public final class CartPole implements Environment {
  private static final double GRAVITY = 9.8;
  private static final double MASS_CART = 1.0;
  private static final double MASS_POLE = 0.1;
  private static final double TOTAL_MASS = MASS_CART + MASS_POLE;
  private static final double HALF_LENGTH = 0.5;
  private static final double POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
  private static final double FORCE = 10.0;
  private static final double TAU = 0.02;
  private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360;
  private static final double X_LIMIT = 2.4;
  private double x;
  private double xDot;
  private double theta;
  private double thetaDot;
  private int steps;
  private boolean done = true;

  /** A cart-pole in a given state (tests compare one step with the published equations). */
  static CartPole at(double x, double xDot, double theta, double thetaDot) {
    CartPole c = new CartPole();
    c.x = x;
    c.xDot = xDot;
    c.theta = theta;
    c.thetaDot = thetaDot;
    c.done = false;
    return c;
  }

  @Override
  public String id() {
    return "cartpole";
  }

  @Override
  public int stateDim() {
    return 4;
  }

  @Override
  public boolean discrete() {
    return true;
  }

  @Override
  public int actions() {
    return 2;
  }

  @Override
  public double actionLow() {
    return 0;
  }

  @Override
  public double actionHigh() {
    return 1;
  }

  @Override
  public int maxSteps() {
    return 500;
  }

  @Override
  public float[] reset(Draws draws) {
    x = draws.uniform(-0.05, 0.05);
    xDot = draws.uniform(-0.05, 0.05);
    theta = draws.uniform(-0.05, 0.05);
    thetaDot = draws.uniform(-0.05, 0.05);
    steps = 0;
    done = false;
    return state();
  }

  private float[] state() {
    return new float[] {(float) x, (float) xDot, (float) theta, (float) thetaDot};
  }

  @Override
  public Step step(float[] action) {
    if (done) {
      throw new IllegalArgumentException("cartpole: a step after the episode ended; reset first");
    }
    String bad = checkAction(action);
    if (bad != null) {
      throw new IllegalArgumentException("cartpole: " + bad);
    }
    double force = action[0] == 1f ? FORCE : -FORCE;
    double cos = StrictMath.cos(theta);
    double sin = StrictMath.sin(theta);
    double temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
    double thetaAcc = (GRAVITY * sin - cos * temp)
        / (HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * cos * cos / TOTAL_MASS));
    double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
    x += TAU * xDot;
    xDot += TAU * xAcc;
    theta += TAU * thetaDot;
    thetaDot += TAU * thetaAcc;
    steps++;
    boolean fell = x < -X_LIMIT || x > X_LIMIT || theta < -THETA_LIMIT || theta > THETA_LIMIT;
    done = fell || steps >= maxSteps();
    return new Step(state(), 1.0, done);
  }

  @Override
  public Policy expert() {
    return (s, d) -> new float[] {10 * s[2] + 2 * s[3] + 0.3 * s[0] + 0.8 * s[1] > 0 ? 1f : 0f};
  }

  @Override
  public Policy medium() {
    return (s, d) -> new float[] {10 * s[2] + 2 * s[3] - s[0] - s[1] > 0 ? 1f : 0f};
  }

  // measured by ReferenceScores (EnvironmentsTest recomputes them)
  @Override
  public double randomScore() {
    return RANDOM;
  }

  @Override
  public double expertScore() {
    return 500.0;
  }

  /** The random policy's reference return. */
  static final double RANDOM = 21.22;

  @Override
  public Environment copy() {
    return new CartPole();
  }
}
