package org.lottalora.models.snn;

import java.util.HashMap;
import java.util.Map;

/**
 * The n-gram evaluation rule of the LM-SNN papers (BindsNET's {@code ngram}): a presentation is read as the
 * sequence of neurons in firing order; every run of n consecutive neurons seen in labelled data counts towards that
 * label, and a new presentation is given the label its n-grams were seen with most often.
 */
public final class NGram {
  private final int n;
  private final int classes;
  private final Map<Key, float[]> scores;

  /** A key: n neuron ids. */
  record Key(int[] ids) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && java.util.Arrays.equals(ids, k.ids);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(ids);
    }
  }

  NGram(int n, int classes, Map<Key, float[]> scores) {
    if (n < 1) {
      throw new IllegalArgumentException("n-gram length must be >= 1, got " + n);
    }
    this.n = n;
    this.classes = classes;
    this.scores = scores;
  }

  /** Counts the n-grams of labelled firing orders. */
  public static NGram fit(int n, int classes, int[][] orders, int[] labels) {
    NGram g = new NGram(n, classes, new HashMap<>());
    for (int e = 0; e < orders.length; e++) {
      int[] o = orders[e];
      for (int s = 0; s + n <= o.length; s++) {
        g.scores.computeIfAbsent(new Key(java.util.Arrays.copyOfRange(o, s, s + n)), k -> new float[classes])[labels[e]]
            += 1;
      }
    }
    return g;
  }

  /** The label whose n-grams best match {@code order}; -1 when none was seen. */
  public int predict(int[] order) {
    double[] score = new double[classes];
    for (int s = 0; s + n <= order.length; s++) {
      float[] v = scores.get(new Key(java.util.Arrays.copyOfRange(order, s, s + n)));
      if (v != null) {
        for (int k = 0; k < classes; k++) {
          score[k] += v[k];
        }
      }
    }
    return LabelAssignment.argmax(score);
  }

  public int n() {
    return n;
  }

  public int classes() {
    return classes;
  }

  /** Distinct n-grams seen. */
  public int size() {
    return scores.size();
  }

  /** Keys [size * n] and scores [size * classes], in a stable (sorted) order, for the artifact. */
  float[][] flatten() {
    java.util.List<Key> keys = new java.util.ArrayList<>(scores.keySet());
    keys.sort((a, b) -> java.util.Arrays.compare(a.ids, b.ids));
    float[] k = new float[keys.size() * n];
    float[] v = new float[keys.size() * classes];
    for (int i = 0; i < keys.size(); i++) {
      for (int q = 0; q < n; q++) {
        k[i * n + q] = keys.get(i).ids[q];
      }
      System.arraycopy(scores.get(keys.get(i)), 0, v, i * classes, classes);
    }
    return new float[][] {k, v};
  }

  /** The inverse of {@link #flatten}. */
  static NGram unflatten(int n, int classes, float[] keys, float[] values) {
    if (keys.length % n != 0 || values.length != keys.length / n * classes) {
      throw new IllegalArgumentException("n-gram table of " + keys.length + " ids and " + values.length
          + " scores does not fit n = " + n + " and " + classes + " classes");
    }
    Map<Key, float[]> m = new HashMap<>();
    for (int i = 0; i < keys.length / n; i++) {
      int[] ids = new int[n];
      for (int q = 0; q < n; q++) {
        ids[q] = (int) keys[i * n + q];
      }
      m.put(new Key(ids), java.util.Arrays.copyOfRange(values, i * classes, (i + 1) * classes));
    }
    return new NGram(n, classes, m);
  }
}
