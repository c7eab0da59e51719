package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;

import java.util.ArrayList;
import java.util.List;

/** Bernoulli coding: at every step input i spikes with probability {@code p x_i}, independently. */
public final class BernoulliEncoder implements Encoder {
  private final double p;
  private final double scale;

  /** Peak probability per step at intensity 1; raw values are divided by {@code scale}. */
  public BernoulliEncoder(double p, double scale) {
    this.p = p;
    this.scale = scale;
  }

  @Override
  public SpikeTrain encode(float[] values, int steps, double dt, Draws draws) {
    double[] x = Encoder.intensities(values, scale);
    List<int[]> times = new ArrayList<>(x.length);
    int[] buf = new int[steps];
    for (double xi : x) {
      int c = 0;
      double q = p * xi;
      for (int t = 0; t < steps; t++) {
        if (draws.uniform() <= q) {
          buf[c++] = t;
        }
      }
      times.add(java.util.Arrays.copyOf(buf, c));
    }
    return SpikeTrain.fromTimes(steps, x.length, times);
  }
}
