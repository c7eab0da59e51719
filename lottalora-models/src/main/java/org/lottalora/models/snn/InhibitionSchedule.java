package org.lottalora.models.snn;

import java.util.List;

/**
 * How the LM-SNN's lateral inhibition scale c changes over training (Hazan et al. 2018): {@code constant} (c_max
 * throughout), {@code growing} (linear from c_min to c_max over the whole pass) and {@code two-level} (c_min for
 * the first half, c_max after). After training, inference uses c_max.
 *
 * @param kind the schedule id
 * @param cMin the starting scale
 * @param cMax the final scale
 */
public record InhibitionSchedule(String kind, double cMin, double cMax) {
  /** The schedule ids. */
  public static final List<String> KINDS = List.of("constant", "growing", "two-level");

  /** Validates. */
  public InhibitionSchedule {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown inhibition schedule '" + kind + "' (known: " + String.join(", ",
          KINDS) + ")");
    }
    if (!(cMin >= 0) || !(cMax >= cMin)) {
      throw new IllegalArgumentException("inhibition needs 0 <= c_min <= c_max, got " + cMin + " and " + cMax);
    }
  }

  /** The scale at training progress {@code f} in [0, 1]. */
  public double at(double f) {
    switch (kind) {
      case "growing":
        return cMin + (cMax - cMin) * Math.min(1, Math.max(0, f));
      case "two-level":
        return f < 0.5 ? cMin : cMax;
      default:
        return cMax;
    }
  }
}
