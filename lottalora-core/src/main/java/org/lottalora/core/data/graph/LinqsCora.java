package org.lottalora.core.data.graph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the Cora citation graph in the LINQS distribution's format (the files Planetoid was built from):
 * {@code cora.content}, one paper per line, {@code <id> <0/1 word features...> <class name>}, and
 * {@code cora.cites}, {@code <cited id> <citing id>} per line; citations are taken as undirected edges, class
 * names are numbered in sorted order. A citation naming a paper that is not in the content file is an error
 * with the file and line (the LINQS file has none; edited copies sometimes do).
 */
public final class LinqsCora {
  private LinqsCora() {
  }

  /** Loads {@code dir/cora.content} and {@code dir/cora.cites}. */
  public static Graph read(Path dir) {
    Path content = dir.resolve("cora.content");
    Path cites = dir.resolve("cora.cites");
    List<GraphCsv.Line> rows = GraphCsv.lines(content);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(content + ": no papers");
    }
    int dims = rows.get(0).cells().length - 2;
    if (dims < 1) {
      throw new IllegalArgumentException(content + " line " + rows.get(0).no() + ": an id, features and a class "
          + "expected");
    }
    TreeSet<String> names = new TreeSet<>();
    for (GraphCsv.Line l : rows) {
      if (l.cells().length != dims + 2) {
        throw new IllegalArgumentException(content + " line " + l.no() + ": " + (l.cells().length - 2)
            + " features, expected " + dims);
      }
      names.add(l.cells()[dims + 1]);
    }
    List<String> classes = new ArrayList<>(names);
    Map<String, Integer> ids = new HashMap<>();
    float[] feats = new float[rows.size() * dims];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      GraphCsv.Line l = rows.get(i);
      String[] c = l.cells();
      if (ids.put(c[0], i) != null) {
        throw new IllegalArgumentException(content + " line " + l.no() + ": paper '" + c[0] + "' appears twice");
      }
      for (int k = 0; k < dims; k++) {
        try {
          feats[i * dims + k] = Float.parseFloat(c[k + 1]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(content + " line " + l.no() + ": feature " + (k + 1) + " '" + c[k + 1]
              + "' is not a number");
        }
      }
      labels[i] = classes.indexOf(c[dims + 1]);
    }
    List<GraphCsv.Line> es = GraphCsv.lines(cites);
    int[] src = new int[es.size()];
    int[] dst = new int[es.size()];
    for (int e = 0; e < es.size(); e++) {
      GraphCsv.Line l = es.get(e);
      if (l.cells().length != 2) {
        throw new IllegalArgumentException(cites + " line " + l.no() + ": two paper ids expected");
      }
      src[e] = GraphCsv.node(ids, l.cells()[0], cites, l.no(), content);
      dst[e] = GraphCsv.node(ids, l.cells()[1], cites, l.no(), content);
    }
    return Graph.of("cora", rows.size(), src, dst, feats, dims, labels, classes.size());
  }
}
