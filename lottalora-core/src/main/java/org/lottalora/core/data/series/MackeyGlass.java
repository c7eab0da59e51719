package org.lottalora.core.data.series;

import org.lottalora.core.backbone.Stream;

/**
 * The Mackey-Glass delay differential equation {@code dx/dt = a x(t - tau) / (1 + x(t - tau)^n) - b x(t)},
 * the chaotic benchmark of reservoir computing (chaotic for tau = 17). Integrated as ReservoirPy does, so
 * that numbers are comparable: classic fourth-order Runge-Kutta with step h, the delayed value held constant
 * within a step and taken from a history buffer of floor(tau / h) past samples. The initial history is
 * {@code x0 + 0.2 (U - 0.5)} with U drawn from the project's generator (stream "mackey_glass.history" of the
 * seed), so a seed gives the same series on every JVM.
 */
public final class MackeyGlass {
  private MackeyGlass() {
  }

  /** The parameters; {@link #standard()} is tau = 17, a = 0.2, b = 0.1, n = 10, x0 = 1.2, h = 1. */
  public record Params(double tau, double a, double b, double n, double x0, double h) {
    /** Validates the parameters. */
    public Params {
      if (!(tau >= 0) || !(h > 0) || !Double.isFinite(a + b + n + x0)) {
        throw new IllegalArgumentException("Mackey-Glass needs tau >= 0, h > 0 and finite a, b, n, x0");
      }
    }

    /** The standard chaotic setting. */
    public static Params standard() {
      return new Params(17, 0.2, 0.1, 10, 1.2, 1.0);
    }
  }

  /** {@code steps} samples of the standard series. */
  public static TimeSeries generate(int steps, long seed) {
    return generate(steps, seed, Params.standard());
  }

  /** {@code steps} samples, one per step h. */
  public static TimeSeries generate(int steps, long seed, Params p) {
    if (steps < 1) {
      throw new IllegalArgumentException("Mackey-Glass needs at least 1 step, got " + steps);
    }
    int hist = (int) Math.floor(p.tau() / p.h());
    double[] history = new double[Math.max(hist, 1)];
    new Stream(seed, "mackey_glass.history").uniforms(0, history, history.length);
    for (int i = 0; i < history.length; i++) {
      history[i] = p.x0() + 0.2 * (history[i] - 0.5);
    }
    double[][] out = new double[steps][1];
    double x = p.x0();
    int head = 0;
    for (int t = 0; t < steps; t++) {
      out[t][0] = x;
      double xtau = 0;
      if (hist > 0) {
        xtau = history[head];
        history[head] = x;
        head = (head + 1) % hist;
      }
      double k1 = p.h() * f(x, xtau, p);
      double k2 = p.h() * f(x + 0.5 * k1, xtau, p);
      double k3 = p.h() * f(x + 0.5 * k2, xtau, p);
      double k4 = p.h() * f(x + k3, xtau, p);
      x = x + k1 / 6 + k2 / 3 + k3 / 3 + k4 / 6;
    }
    return new TimeSeries("mackey-glass", out, new String[] {"x"}, p.h());
  }

  private static double f(double x, double xtau, Params p) {
    return -p.b() * x + p.a() * xtau / (1 + StrictMath.pow(xtau, p.n()));
  }
}
