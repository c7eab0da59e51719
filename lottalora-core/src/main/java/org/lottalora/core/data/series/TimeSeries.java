package org.lottalora.core.data.series;

import java.util.Arrays;

/**
 * A multivariate time series sampled at regular steps: {@code values[t][d]} for T steps and D channels, with
 * channel names and the step size for people and plots. Immutable by convention (callers must not write into
 * the arrays they get back); slicing copies nothing but the outer array.
 */
public record TimeSeries(String name, double[][] values, String[] channels, double dt) {
  /** Validates the shape: at least one step, the same channel count on every step, finite values. */
  public TimeSeries {
    if (values.length == 0) {
      throw new IllegalArgumentException(name + ": the series is empty");
    }
    int d = values[0].length;
    if (d == 0) {
      throw new IllegalArgumentException(name + ": the series has no channels");
    }
    if (channels.length != d) {
      throw new IllegalArgumentException(name + ": " + channels.length + " channel names for " + d + " channels");
    }
    for (int t = 0; t < values.length; t++) {
      if (values[t].length != d) {
        throw new IllegalArgumentException(name + ": step " + t + " has " + values[t].length + " values, step 0 has "
            + d);
      }
      for (double v : values[t]) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException(name + ": step " + t + " holds a non-finite value");
        }
      }
    }
  }

  /** Number of steps. */
  public int length() {
    return values.length;
  }

  /** Number of channels. */
  public int dims() {
    return values[0].length;
  }

  /** Steps [from, to) as a new series sharing the rows. */
  public TimeSeries slice(int from, int to) {
    if (from < 0 || to > values.length || from >= to) {
      throw new IllegalArgumentException(name + ": cannot slice steps [" + from + ", " + to + ") of " + values.length);
    }
    return new TimeSeries(name, Arrays.copyOfRange(values, from, to), channels, dt);
  }

  /** One channel as an array. */
  public double[] channel(int d) {
    double[] out = new double[values.length];
    for (int t = 0; t < values.length; t++) {
      out[t] = values[t][d];
    }
    return out;
  }
}
