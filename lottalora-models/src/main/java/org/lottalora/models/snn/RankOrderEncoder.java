package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;

import java.util.ArrayList;
import java.util.List;

/**
 * Time-to-first-spike (rank-order) coding: each input with intensity x > 0 spikes once, at step
 * {@code floor((1 - x) (steps - 1))}: the brightest first. Deterministic; draws nothing.
 */
public final class RankOrderEncoder implements Encoder {
  private final double scale;

  /** Raw values are divided by {@code scale}. */
  public RankOrderEncoder(double scale) {
    this.scale = scale;
  }

  @Override
  public SpikeTrain encode(float[] values, int steps, double dt, Draws draws) {
    double[] x = Encoder.intensities(values, scale);
    List<int[]> times = new ArrayList<>(x.length);
    for (double xi : x) {
      times.add(xi > 0 ? new int[] {(int) Math.floor((1 - xi) * (steps - 1))} : new int[0]);
    }
    return SpikeTrain.fromTimes(steps, x.length, times);
  }
}
