package org.lottalora.core.data.series;

/**
 * The Lorenz 1963 system {@code x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z}, integrated with
 * classic fourth-order Runge-Kutta at a fixed step h (default 0.03, ReservoirPy's sampling step; it uses an
 * adaptive RK45 between the samples, we use {@code substeps} RK4 steps of h / substeps). Deterministic: no
 * randomness at all, the initial state is a parameter.
 */
public final class Lorenz {
  private Lorenz() {
  }

  /** The parameters; {@link #standard()} is sigma 10, rho 28, beta 8/3, start (1, 1, 1), h 0.03, 10 substeps. */
  public record Params(double sigma, double rho, double beta, double[] x0, double h, int substeps) {
    /** Validates the parameters. */
    public Params {
      if (x0.length != 3 || !(h > 0) || substeps < 1) {
        throw new IllegalArgumentException("Lorenz needs a 3-value start, h > 0 and substeps >= 1");
      }
    }

    /** The classic chaotic setting. */
    public static Params standard() {
      return new Params(10, 28, 8.0 / 3.0, new double[] {1, 1, 1}, 0.03, 10);
    }
  }

  /** {@code steps} samples of the standard system. */
  public static TimeSeries generate(int steps) {
    return generate(steps, Params.standard());
  }

  /** {@code steps} samples, one per h. */
  public static TimeSeries generate(int steps, Params p) {
    if (steps < 1) {
      throw new IllegalArgumentException("Lorenz needs at least 1 step, got " + steps);
    }
    double[][] out = new double[steps][];
    double[] s = p.x0().clone();
    double dt = p.h() / p.substeps();
    for (int t = 0; t < steps; t++) {
      out[t] = s.clone();
      for (int k = 0; k < p.substeps(); k++) {
        double[] k1 = f(s, p);
        double[] k2 = f(add(s, k1, dt / 2), p);
        double[] k3 = f(add(s, k2, dt / 2), p);
        double[] k4 = f(add(s, k3, dt), p);
        for (int i = 0; i < 3; i++) {
          s[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
      }
    }
    return new TimeSeries("lorenz", out, new String[] {"x", "y", "z"}, p.h());
  }

  private static double[] add(double[] s, double[] k, double c) {
    return new double[] {s[0] + c * k[0], s[1] + c * k[1], s[2] + c * k[2]};
  }

  private static double[] f(double[] s, Params p) {
    return new double[] {p.sigma() * (s[1] - s[0]), s[0] * (p.rho() - s[2]) - s[1], s[0] * s[1] - p.beta() * s[2]};
  }
}
