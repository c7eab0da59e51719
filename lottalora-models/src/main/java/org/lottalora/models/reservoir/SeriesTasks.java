package org.lottalora.models.reservoir;

import java.nio.file.Path;
import java.util.Locale;
import org.lottalora.core.data.series.Lorenz;
import org.lottalora.core.data.series.MackeyGlass;
import org.lottalora.core.data.series.SeriesCsv;
import org.lottalora.core.data.series.TimeSeries;

/**
 * Names a series for the command line and for provenance: {@code mackey-glass} and {@code lorenz} are
 * generated (length and seed given), anything else is a CSV path. The description written into an artifact
 * says how to get the same series back.
 */
public final class SeriesTasks {
  private SeriesTasks() {
  }

  /** The series a name stands for. */
  public static TimeSeries load(String name, int steps, long seed) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "mackey-glass":
      case "mg":
        return MackeyGlass.generate(steps, seed);
      case "lorenz":
        return Lorenz.generate(steps);
      default:
        if (!name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
          throw new IllegalArgumentException("unknown series '" + name + "'; valid: mackey-glass, lorenz, or a .csv "
              + "file");
        }
        return SeriesCsv.read(Path.of(name));
    }
  }

  /** How the series was made, for provenance. */
  public static String describe(String name, int steps, long seed) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("mackey-glass") || n.equals("mg")) {
      return "mackey-glass(tau=17, rk4 h=1, steps=" + steps + ", seed=" + seed + ")";
    }
    if (n.equals("lorenz")) {
      return "lorenz(rk4 h=0.03/10, steps=" + steps + ")";
    }
    return name;
  }
}
