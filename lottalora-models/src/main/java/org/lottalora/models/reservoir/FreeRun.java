package org.lottalora.models.reservoir;

import java.util.Arrays;

/**
 * The free-running (closed-loop, generative) forecast protocol of the ESN literature: the network is driven by
 * the true series (teacher forcing) up to a start point, then runs free for {@code horizon} steps, each
 * prediction fed back as its next input; this is repeated from {@code trials} start points spread evenly over
 * a segment, and the error at each step after the start is pooled over the trials. Jaeger's NRMSE84 (Jaeger
 * and Haas 2004; Jaeger 2001 for 400 units) is {@code sqrt(mean_trials e(84)^2) / sigma}, the error at step 84
 * normalised by the series' standard deviation; we report it as {@link Report#nrmse()} at the chosen horizon,
 * by standard deviation and by range (ReservoirPy's {@code nrmse} divides by the range), the same over all
 * steps 1..horizon, the curve by step, and the valid prediction time: per trial, the steps before the
 * normalised error first exceeds a threshold (0.4 by default, as in Pathak et al. 2018), censored at the
 * horizon. Feeding the prediction back as the next input is output feedback through the input weights;
 * with {@code feedback_scaling > 0} the separate feedback weights see it too.
 */
public final class FreeRun {
  /** The valid prediction time's default threshold on the normalised error. */
  public static final double VALID_THRESHOLD = 0.4;

  private FreeRun() {
  }

  /**
   * What the free runs measured. {@code nrmse}/{@code nrmseRange}: at step {@code horizon}; {@code meanNrmse}:
   * over every step 1..horizon; {@code nrmseByStep[h - 1]}: at step h (by standard deviation);
   * {@code validSteps*}: the valid prediction time's median, lowest and highest over the trials (equal to the
   * horizon when a trial stayed under the threshold throughout); {@code validTimes}: every trial's.
   */
  public record Report(int horizon, int trials, double nrmse, double nrmseRange, double meanNrmse,
      double meanNrmseRange, double[] nrmseByStep, double validStepsMedian, int validStepsMin, int validStepsMax,
      double threshold, int[] validTimes) {
  }

  /**
   * Runs the protocol on the normalised series {@code u} ([steps][channels]) with the network's current
   * readout: trials start at steps spread evenly over {@code [from, to - horizon]} (the first predicted step of
   * each), the network driven from a zero state by {@code u[0 .. start - 1]} before each. Errors are normalised
   * by the standard deviation (and the range) of {@code u[from .. to)}, pooled over channels.
   */
  public static Report measure(EchoStateNetwork esn, double[][] u, int from, int to, int horizon, int trials,
      double threshold) {
    return starts(esn, u, from, to, horizon, trials).measure(esn, threshold);
  }

  /**
   * The teacher-forced states at every start point of the protocol, computed once: they do not depend on the
   * readout (the teacher, not the readout, is fed back while forcing), so a search over ridges measures each
   * candidate readout from the same starts without re-running the series.
   */
  public static final class Starts {
    private final double[][] u;
    private final int from;
    private final int to;
    private final int horizon;
    private final int[] at;
    private final EchoStateNetwork.State[] states;

    private Starts(double[][] u, int from, int to, int horizon, int[] at, EchoStateNetwork.State[] states) {
      this.u = u;
      this.from = from;
      this.to = to;
      this.horizon = horizon;
      this.at = at;
      this.states = states;
    }

    /** Free runs from every start with the network's current readout. */
    public Report measure(EchoStateNetwork esn, double threshold) {
      return FreeRun.measure(esn, this, threshold);
    }

    /** The number of trials. */
    public int trials() {
      return at.length;
    }
  }

  /** The start states of the protocol over {@code u[from .. to)} (see {@link #measure}). */
  public static Starts starts(EchoStateNetwork esn, double[][] u, int from, int to, int horizon, int trials) {
    if (horizon < 1) {
      throw new IllegalArgumentException("the free-run horizon must be >= 1, got " + horizon);
    }
    if (trials < 1) {
      throw new IllegalArgumentException("free runs need at least one trial, got " + trials);
    }
    if (from < 1 || to > u.length || to - from < horizon) {
      throw new IllegalArgumentException("a free run of " + horizon + " steps needs a segment at least that long; "
          + "the series leaves " + Math.max(0, Math.min(to, u.length) - from) + " steps after step " + from
          + ": lower the horizon or lengthen the series");
    }
    int d = u[0].length;
    int span = to - horizon - from;
    int k = Math.min(trials, span + 1);
    int[] starts = new int[k];
    for (int i = 0; i < k; i++) {
      starts[i] = from + (k == 1 ? 0 : (int) Math.round((double) i * span / (k - 1)));
    }
    EchoStateNetwork.State s = esn.newState();
    EchoStateNetwork.State[] states = new EchoStateNetwork.State[k];
    int t = 0;
    for (int i = 0; i < k; i++) {
      for (; t < starts[i] - 1; t++) {
        esn.step(s, u[t]);
        System.arraycopy(u[t + 1], 0, s.lastOutput, 0, d);
      }
      states[i] = s.copy();
    }
    return new Starts(u, from, to, horizon, starts, states);
  }

  private static Report measure(EchoStateNetwork esn, Starts st, double threshold) {
    double[][] u = st.u;
    int horizon = st.horizon;
    int k = st.at.length;
    int d = u[0].length;
    double[] sq = new double[horizon];
    int[] valid = new int[k];
    double sigma = std(u, st.from, st.to);
    double range = range(u, st.from, st.to);
    for (int i = 0; i < k; i++) {
      int start = st.at[i];
      double[][] y = esn.generate(st.states[i].copy(), u[start - 1], horizon);
      valid[i] = horizon;
      for (int h = 0; h < horizon; h++) {
        double e2 = 0;
        for (int c = 0; c < d; c++) {
          double e = y[h][c] - u[start + h][c];
          e2 += e * e;
        }
        sq[h] += e2 / d;
        if (valid[i] == horizon && Math.sqrt(e2 / d) / sigma > threshold) {
          valid[i] = h;
        }
      }
    }
    double[] byStep = new double[horizon];
    double all = 0;
    for (int h = 0; h < horizon; h++) {
      byStep[h] = Math.sqrt(sq[h] / k) / sigma;
      all += sq[h];
    }
    double rmseAll = Math.sqrt(all / ((double) k * horizon));
    double rmseLast = Math.sqrt(sq[horizon - 1] / k);
    int[] sorted = valid.clone();
    Arrays.sort(sorted);
    double median = k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0;
    return new Report(horizon, k, rmseLast / sigma, rmseLast / range, rmseAll / sigma, rmseAll / range, byStep,
        median, sorted[0], sorted[k - 1], threshold, valid);
  }

  private static double std(double[][] u, int from, int to) {
    int d = u[0].length;
    double s = 0;
    for (int c = 0; c < d; c++) {
      double m = 0;
      for (int t = from; t < to; t++) {
        m += u[t][c];
      }
      m /= to - from;
      for (int t = from; t < to; t++) {
        s += (u[t][c] - m) * (u[t][c] - m);
      }
    }
    double v = Math.sqrt(s / ((double) (to - from) * d));
    return v > 0 ? v : 1.0;
  }

  private static double range(double[][] u, int from, int to) {
    int d = u[0].length;
    double r = 0;
    for (int c = 0; c < d; c++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int t = from; t < to; t++) {
        lo = Math.min(lo, u[t][c]);
        hi = Math.max(hi, u[t][c]);
      }
      r += (hi - lo) / d;
    }
    return r > 0 ? r : 1.0;
  }
}
