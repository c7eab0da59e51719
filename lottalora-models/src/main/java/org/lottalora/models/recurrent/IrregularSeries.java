package org.lottalora.models.recurrent;

import org.lottalora.core.backbone.Stream;

/**
 * A seeded irregularly sampled binary task in the shape of PhysioNet's (series of different lengths observed at
 * uneven times, one label each, positives rare): a series observes {@code sin(2 pi f t + phase) + 0.3 noise} at
 * times with exponential gaps (mean 1), 16 to 48 observations; f is 0.12 for negatives and 0.2 for positives, a
 * difference that is only visible when the gaps are known. Draws come from stream "irregular.*" of the seed.
 */
public final class IrregularSeries {
  private IrregularSeries() {
  }

  /**
   * {@code count} series, each positive with probability {@code positive}, padded to the longest (masked).
   */
  public static SequenceSet generate(int count, double positive, long seed) {
    if (count < 10 || !(positive > 0 && positive < 1)) {
      throw new IllegalArgumentException("need at least 10 series and a positive share in (0, 1), got " + count
          + " and " + positive);
    }
    int maxLen = 48;
    float[][][] x = new float[count][maxLen][1];
    float[][] dt = new float[count][maxLen];
    int[] len = new int[count];
    int[] lab = new int[count];
    for (int i = 0; i < count; i++) {
      Stream s = new Stream(seed, "irregular.series/" + i);
      long w = 0;
      lab[i] = Stream.uniform(s.word(w++)) < positive ? 1 : 0;
      len[i] = 16 + (int) Math.min(32, Math.floor(Stream.uniform(s.word(w++)) * 33));
      double f = lab[i] == 1 ? 0.2 : 0.12;
      double phase = 2 * Math.PI * Stream.uniform(s.word(w++));
      double t = 0;
      for (int k = 0; k < len[i]; k++) {
        double gap = k == 0 ? 0 : -Math.log(1 - Stream.uniform(s.word(w++)));
        t += gap;
        double u1 = Math.max(1e-12, Stream.uniform(s.word(w++)));
        double u2 = Stream.uniform(s.word(w++));
        double noise = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        x[i][k][0] = (float) (Math.sin(2 * Math.PI * f * t + phase) + 0.3 * noise);
        dt[i][k] = (float) gap;
      }
    }
    return new SequenceSet("irregular", x, dt, len, lab, 2);
  }
}
