package org.lottalora.models.reservoir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.lottalora.core.LottaException;
import org.lottalora.format.AtomicFile;

/**
 * Writes a forecast as CSV, atomically: {@code step, <channel>_forecast..., <channel>_truth...} (the truth
 * columns only when the truth is known), values with full double precision.
 */
public final class ForecastCsv {
  private ForecastCsv() {
  }

  /** Writes the file; {@code truth} may be null or shorter (missing cells are left empty). */
  public static void write(Path path, int firstStep, String[] channels, double[][] pred, double[][] truth) {
    StringBuilder sb = new StringBuilder("step");
    for (String c : channels) {
      sb.append(',').append(c).append("_forecast");
    }
    if (truth != null) {
      for (String c : channels) {
        sb.append(',').append(c).append("_truth");
      }
    }
    sb.append('\n');
    for (int t = 0; t < pred.length; t++) {
      sb.append(firstStep + t);
      for (double v : pred[t]) {
        sb.append(',').append(String.format(Locale.ROOT, "%.17g", v));
      }
      if (truth != null) {
        for (int c = 0; c < channels.length; c++) {
          sb.append(',');
          if (t < truth.length) {
            sb.append(String.format(Locale.ROOT, "%.17g", truth[t][c]));
          }
        }
      }
      sb.append('\n');
    }
    try {
      AtomicFile.writeString(path, sb.toString());
    } catch (IOException e) {
      throw new LottaException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
