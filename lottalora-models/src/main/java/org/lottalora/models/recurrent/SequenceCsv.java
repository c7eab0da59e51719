package org.lottalora.models.recurrent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.LottaException;

/**
 * Reads labelled time series in long form, one observation per line: {@code id,time,f1,...,fk,label} (a header
 * line is skipped when its time cell is not a number). Lines of one series may be anywhere in the file; within a
 * series they must come in time order (equal times give a gap of 0; a time before the previous one is an error), and
 * the label must be the same on every line. The gap of a series' first step is 0. Series of different lengths are an
 * error unless {@code pad} is set: then shorter ones are padded (masked, so padding never changes an output). Every
 * problem names the file and the line.
 */
public final class SequenceCsv {
  private SequenceCsv() {
  }

  /** Reads {@code file}. */
  public static SequenceSet read(Path file, boolean pad) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Map<String, List<float[]>> rows = new LinkedHashMap<>();
    Map<String, Integer> labels = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new LinkedHashMap<>();
    int width = -1;
    int maxLabel = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      int no = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      String[] c = line.split(",", -1);
      if (i == 0 && c.length >= 2 && !numeric(c[1].trim())) {
        continue; // header
      }
      if (c.length < 4) {
        throw new IllegalArgumentException(file + " line " + no + ": need id,time,at least one feature,label; got "
            + c.length + " cells");
      }
      if (width < 0) {
        width = c.length;
      } else if (c.length != width) {
        throw new IllegalArgumentException(file + " line " + no + ": " + c.length + " cells, earlier lines have "
            + width);
      }
      String id = c[0].trim();
      float time = number(c[1], file, no, "time");
      float[] v = new float[c.length - 2];
      v[0] = time;
      for (int f = 2; f < c.length - 1; f++) {
        v[f - 1] = number(c[f], file, no, "feature " + (f - 1));
      }
      int label;
      try {
        label = Integer.parseInt(c[c.length - 1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + " line " + no + ": label '" + c[c.length - 1].trim()
            + "' is not a class number (0, 1, ...)");
      }
      if (label < 0) {
        throw new IllegalArgumentException(file + " line " + no + ": label " + label + " is negative");
      }
      Integer prior = labels.putIfAbsent(id, label);
      if (prior != null && prior != label) {
        throw new IllegalArgumentException(file + " line " + no + ": series '" + id + "' has label " + label
            + " here and " + prior + " on line " + firstLine.get(id));
      }
      firstLine.putIfAbsent(id, no);
      List<float[]> series = rows.computeIfAbsent(id, k -> new ArrayList<>());
      if (!series.isEmpty() && time < series.get(series.size() - 1)[0]) {
        throw new IllegalArgumentException(file + " line " + no + ": time " + c[1].trim() + " of series '" + id
            + "' goes backwards (the previous observation was at " + series.get(series.size() - 1)[0] + ")");
      }
      series.add(v);
      maxLabel = Math.max(maxLabel, label);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(file + ": no observations (expected lines id,time,f1,...,label)");
    }
    if (maxLabel == 0) {
      throw new IllegalArgumentException(file + ": every series has label 0; a classifier needs at least two classes");
    }
    int steps = 0;
    String longest = null;
    for (Map.Entry<String, List<float[]>> e : rows.entrySet()) {
      if (e.getValue().size() > steps) {
        steps = e.getValue().size();
        longest = e.getKey();
      }
    }
    int features = width - 3;
    int n = rows.size();
    float[][][] x = new float[n][steps][features];
    float[][] dt = new float[n][steps];
    int[] len = new int[n];
    int[] lab = new int[n];
    int s = 0;
    for (Map.Entry<String, List<float[]>> e : rows.entrySet()) {
      List<float[]> series = e.getValue();
      if (series.size() != steps && !pad) {
        throw new IllegalArgumentException(file + ": series '" + e.getKey() + "' (from line "
            + firstLine.get(e.getKey()) + ") has " + series.size() + " observations, series '" + longest + "' has "
            + steps + "; pass --pad to pad shorter series (padding is masked)");
      }
      for (int t = 0; t < series.size(); t++) {
        float[] v = series.get(t);
        System.arraycopy(v, 1, x[s][t], 0, features);
        dt[s][t] = t == 0 ? 0f : v[0] - series.get(t - 1)[0];
      }
      len[s] = series.size();
      lab[s] = labels.get(e.getKey());
      s++;
    }
    return new SequenceSet(file.getFileName().toString(), x, dt, len, lab, maxLabel + 1);
  }

  private static boolean numeric(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static float number(String s, Path file, int line, String what) {
    try {
      float v = Float.parseFloat(s.trim());
      if (!Float.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + " line " + line + ": " + what + " '" + s.trim()
          + "' is not a finite number");
    }
  }
}
