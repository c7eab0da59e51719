package org.lottalora.core.data.series;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.LottaException;

/**
 * Reads a time series from CSV: one row per step, one numeric column per channel, an optional header row
 * (kept as channel names). A missing or non-numeric value is an error that names the file, the line and the
 * column, because silently skipping or zero-filling a step would shift every later target.
 */
public final class SeriesCsv {
  private SeriesCsv() {
  }

  /**
   * Loads the file.
   *
   * @throws IllegalArgumentException for malformed content (a usage error: the user's file)
   * @throws LottaException when the file cannot be read
   */
  public static TimeSeries read(Path file) {
    List<double[]> rows = new ArrayList<>();
    String[] names = null;
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (rows.isEmpty() && names == null && !numeric(cells[0].trim())) {
          names = new String[cells.length];
          for (int i = 0; i < cells.length; i++) {
            names[i] = cells[i].trim();
          }
          continue;
        }
        int width = names != null ? names.length : rows.isEmpty() ? cells.length : rows.get(0).length;
        if (cells.length != width) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": " + cells.length + " columns, expected "
              + width);
        }
        double[] v = new double[cells.length];
        for (int c = 0; c < cells.length; c++) {
          String s = cells[c].trim();
          if (s.isEmpty() || s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("na")) {
            throw new IllegalArgumentException(file + " line " + lineNo + " column " + (c + 1)
                + ": missing value; fill or drop the row (a reservoir needs every step)");
          }
          try {
            v[c] = Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " line " + lineNo + " column " + (c + 1) + ": '" + s
                + "' is not a number");
          }
          if (!Double.isFinite(v[c])) {
            throw new IllegalArgumentException(file + " line " + lineNo + " column " + (c + 1)
                + ": non-finite value '" + s + "'");
          }
        }
        rows.add(v);
      }
    } catch (NoSuchFileException e) {
      throw new LottaException("no such series file: " + file);
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(file + ": no data rows");
    }
    if (names == null) {
      names = new String[rows.get(0).length];
      for (int i = 0; i < names.length; i++) {
        names[i] = "c" + i;
      }
    }
    String base = file.getFileName().toString();
    return new TimeSeries(base, rows.toArray(new double[0][]), names, 1.0);
  }

  private static boolean numeric(String s) {
    if (s.isEmpty() || s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("na")) {
      return true;
    }
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
