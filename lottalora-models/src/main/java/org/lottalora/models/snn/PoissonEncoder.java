package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;

import java.util.ArrayList;
import java.util.List;

/**
 * Poisson rate coding: input i fires as a Poisson process at {@code rate * x_i} Hz; gaps between spikes are
 * exponential with mean {@code 1000 / (rate x_i dt)} steps, rounded up to whole steps (at least 1), as BindsNET's
 * encoder keeps gaps of at least one step.
 */
public final class PoissonEncoder implements Encoder {
  private final double rate;
  private final double scale;

  /** Peak rate in Hz at intensity 1; raw values are divided by {@code scale}. */
  public PoissonEncoder(double rate, double scale) {
    this.rate = rate;
    this.scale = scale;
  }

  @Override
  public SpikeTrain encode(float[] values, int steps, double dt, Draws draws) {
    double[] x = Encoder.intensities(values, scale);
    List<int[]> times = new ArrayList<>(x.length);
    int[] buf = new int[steps];
    for (double xi : x) {
      int c = 0;
      if (xi > 0 && rate > 0) {
        double mean = 1000.0 / (rate * xi * dt);
        long t = 0;
        while (true) {
          t += Math.max(1, (long) Math.ceil(draws.exponential(mean)));
          if (t > steps) {
            break;
          }
          buf[c++] = (int) t - 1;
        }
      }
      times.add(java.util.Arrays.copyOf(buf, c));
    }
    return SpikeTrain.fromTimes(steps, x.length, times);
  }
}
