package org.lottalora.core.data.graph;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.LottaException;

/**
 * Reads a node-classification graph from CSV files: {@code features.csv} (node id, then one column per
 * feature), {@code edges.csv} (two node ids per line) and {@code labels.csv} (node id, class). Ids are any
 * strings; a header line is skipped when its first cell is not an id of the features file. Every problem names
 * the file and the line: an edge or label naming a node the features file does not have, a ragged or
 * non-numeric row, a labels file without labels.
 */
public final class GraphCsv {
  private GraphCsv() {
  }

  /** Loads the three files. */
  public static Graph read(Path features, Path edges, Path labels) {
    Map<String, Integer> ids = new HashMap<>();
    List<float[]> rows = new ArrayList<>();
    int dims = -1;
    for (Line l : lines(features)) {
      String[] c = l.cells();
      if (rows.isEmpty() && dims < 0 && c.length > 1 && !numeric(c[1])) {
        continue; // header
      }
      if (dims < 0) {
        dims = c.length - 1;
        if (dims < 1) {
          throw new IllegalArgumentException(features + " line " + l.no() + ": a node id and at least one feature "
              + "expected");
        }
      }
      if (c.length - 1 != dims) {
        throw new IllegalArgumentException(features + " line " + l.no() + ": " + (c.length - 1) + " features, "
            + "expected " + dims);
      }
      if (ids.put(c[0], rows.size()) != null) {
        throw new IllegalArgumentException(features + " line " + l.no() + ": node '" + c[0] + "' appears twice");
      }
      float[] f = new float[dims];
      for (int k = 0; k < dims; k++) {
        f[k] = number(c[k + 1], features, l.no());
      }
      rows.add(f);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(features + ": no nodes");
    }
    int n = rows.size();
    List<int[]> es = new ArrayList<>();
    for (Line l : lines(edges)) {
      String[] c = l.cells();
      if (es.isEmpty() && c.length == 2 && !ids.containsKey(c[0]) && !ids.containsKey(c[1])) {
        continue; // header
      }
      if (c.length != 2) {
        throw new IllegalArgumentException(edges + " line " + l.no() + ": two node ids expected, got " + c.length
            + " cells");
      }
      es.add(new int[] {node(ids, c[0], edges, l.no(), features), node(ids, c[1], edges, l.no(), features)});
    }
    int[] lab = new int[n];
    java.util.Arrays.fill(lab, -1);
    int classes = 0;
    int seen = 0;
    for (Line l : lines(labels)) {
      String[] c = l.cells();
      if (seen == 0 && c.length == 2 && !ids.containsKey(c[0])) {
        continue; // header
      }
      if (c.length != 2) {
        throw new IllegalArgumentException(labels + " line " + l.no() + ": a node id and a class expected");
      }
      int i = node(ids, c[0], labels, l.no(), features);
      int y;
      try {
        y = Integer.parseInt(c[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(labels + " line " + l.no() + ": class '" + c[1] + "' is not a whole "
            + "number");
      }
      if (y < 0) {
        throw new IllegalArgumentException(labels + " line " + l.no() + ": class " + y + " is negative");
      }
      lab[i] = y;
      classes = Math.max(classes, y + 1);
      seen++;
    }
    if (seen == 0) {
      throw new IllegalArgumentException(labels + ": no labels (a node-classification graph needs at least one)");
    }
    float[] feats = new float[n * dims];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows.get(i), 0, feats, i * dims, dims);
    }
    int[] src = new int[es.size()];
    int[] dst = new int[es.size()];
    for (int e = 0; e < src.length; e++) {
      src[e] = es.get(e)[0];
      dst[e] = es.get(e)[1];
    }
    return Graph.of(features.getFileName().toString(), n, src, dst, feats, dims, lab, classes);
  }

  record Line(int no, String[] cells) {
  }

  static List<Line> lines(Path p) {
    List<Line> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      String s;
      int no = 0;
      while ((s = r.readLine()) != null) {
        no++;
        if (s.isBlank()) {
          continue;
        }
        String[] c = s.split(s.indexOf(',') >= 0 ? "," : "\\s+", -1);
        for (int i = 0; i < c.length; i++) {
          c[i] = c[i].trim();
        }
        out.add(new Line(no, c));
      }
    } catch (NoSuchFileException e) {
      throw new LottaException("no such file: " + p);
    } catch (IOException e) {
      throw new LottaException("cannot read " + p + ": " + e.getMessage(), e);
    }
    return out;
  }

  static int node(Map<String, Integer> ids, String id, Path file, int line, Path features) {
    Integer i = ids.get(id);
    if (i == null) {
      throw new IllegalArgumentException(file + " line " + line + ": node '" + id + "' does not exist (not in "
          + features.getFileName() + ", which has " + ids.size() + " nodes)");
    }
    return i;
  }

  private static float number(String s, Path file, int line) {
    try {
      float v = Float.parseFloat(s);
      if (Float.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(file + " line " + line + ": '" + s + "' is not a finite number");
  }

  private static boolean numeric(String s) {
    try {
      Float.parseFloat(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
