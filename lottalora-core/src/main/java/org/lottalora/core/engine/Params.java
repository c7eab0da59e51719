package org.lottalora.core.engine;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hand-written models do with their list of trained arrays when saving and loading: copy them out by
 * name, put stored copies back (refusing strangers), and read the learned betas.
 */
public final class Params {
  private Params() {
  }

  /** Copies of the arrays by name, in declaration order. */
  public static Map<String, float[]> copy(List<Param> params) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (Param p : params) {
      m.put(p.name, p.v.clone());
    }
    return m;
  }

  /**
   * Copies stored values into the arrays of the same names.
   *
   * @param what the model, for the error ("this ViT")
   * @throws IllegalArgumentException on a name the model lacks or a wrong length
   */
  public static void restore(List<Param> params, Map<String, float[]> values, String what) {
    Map<String, Param> byName = new HashMap<>();
    for (Param p : params) {
      byName.put(p.name, p);
    }
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      Param p = byName.get(e.getKey());
      if (p == null || p.v.length != e.getValue().length) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' " + (p == null ? "is not part of " + what
            : "has " + e.getValue().length + " values, the model needs " + p.v.length));
      }
      System.arraycopy(e.getValue(), 0, p.v, 0, p.v.length);
    }
  }

  /** Learned beta per adapted matrix, keyed by the matrix's prefix. */
  public static Map<String, Double> betas(List<Param> params) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Param p : params) {
      if (p.name.endsWith(".beta")) {
        m.put(p.name.substring(0, p.name.length() - ".beta".length()), (double) p.v[0]);
      }
    }
    return m;
  }

  /** The median of {@code betas}' values (the middle two averaged), NaN when there are none (full training). */
  public static double medianBeta(Map<String, Double> betas) {
    if (betas.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = betas.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Values over all arrays. */
  public static long count(List<Param> params) {
    long n = 0;
    for (Param p : params) {
      n += p.v.length;
    }
    return n;
  }
}
