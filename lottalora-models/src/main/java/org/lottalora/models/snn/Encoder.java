package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;

/**
 * Turns one input vector into a spike train over a number of steps, drawing any randomness from the given seeded
 * {@link Draws}. Negative or non-finite values are refused: a rate cannot be negative.
 */
public interface Encoder {
  /** Encodes {@code values} (raw, divided by the encoder's scale) over {@code steps} steps of {@code dt} ms. */
  SpikeTrain encode(float[] values, int steps, double dt, Draws draws);

  /** The intensities in [0, 1] of raw values; throws naming the first bad element. */
  static double[] intensities(float[] values, double scale) {
    double[] x = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!(v >= 0) || !Float.isFinite(v)) {
        throw new IllegalArgumentException("input " + i + " has intensity " + v + "; spike encoders need finite "
            + "values >= 0");
      }
      x[i] = Math.min(1.0, v / scale);
    }
    return x;
  }
}
