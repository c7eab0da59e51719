package org.lottalora.core.data;

import java.util.Arrays;
import org.lottalora.core.backbone.Stream;

/**
 * A labelled classification dataset held in memory: {@code rows} samples of {@code cols} float features,
 * row-major, and integer labels in {@code [0, classes)}.
 *
 * @param name where it came from, for reports and provenance
 * @param features row-major, {@code rows * cols} values
 * @param rows number of samples
 * @param cols features per sample
 * @param labels one label per sample
 * @param classes number of classes
 */
public record Dataset(String name, float[] features, int rows, int cols, int[] labels, int classes) {

  /** Checks that the arrays agree with the sizes and the labels with the class count. */
  public Dataset {
    if (features.length != (long) rows * cols || labels.length != rows) {
      throw new IllegalArgumentException("dataset '" + name + "': " + features.length + " features and "
          + labels.length + " labels do not fit " + rows + " rows of " + cols);
    }
    if (classes < 1) {
      throw new IllegalArgumentException("dataset '" + name + "': " + classes + " classes; need at least 1");
    }
    for (int l : labels) {
      if (l < 0 || l >= classes) {
        throw new IllegalArgumentException("dataset '" + name + "': label " + l + " outside [0, " + classes + ")");
      }
    }
  }

  /** The rows at {@code idx}, in that order. */
  public Dataset subset(int[] idx, String newName) {
    float[] f = new float[Math.multiplyExact(idx.length, cols)];
    int[] l = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(features, idx[i] * cols, f, i * cols, cols);
      l[i] = labels[idx[i]];
    }
    return new Dataset(newName, f, idx.length, cols, l, classes);
  }

  /** The first {@code n} rows (all if fewer). */
  public Dataset head(int n) {
    int[] idx = new int[Math.min(n, rows)];
    Arrays.setAll(idx, i -> i);
    return subset(idx, name);
  }

  /**
   * A permutation of {@code 0..n-1} by Fisher-Yates, drawing from the project's generator: the stream named
   * {@code name} under {@code seed}, word j for step j. Same (seed, name, n) gives the same order anywhere.
   */
  public static int[] permutation(int n, long seed, String name) {
    int[] p = new int[n];
    Arrays.setAll(p, i -> i);
    if (n < 2) {
      return p;
    }
    long[] w = new long[n - 1];
    new Stream(seed, name).words(0, w, n - 1);
    for (int i = n - 1, j = 0; i > 0; i--, j++) {
      int k = (int) Math.floor(Stream.uniform(w[j]) * (i + 1));
      k = Math.min(k, i); // uniform can be exactly 1.0 for the top word
      int t = p[i];
      p[i] = p[k];
      p[k] = t;
    }
    return p;
  }

  /**
   * Splits into (first, second) with {@code fraction} of a seeded shuffle going to the second; the shuffle is
   * the stream {@code "split/" + name()}.
   */
  public Dataset[] split(double fraction, long seed, String firstName, String secondName) {
    return split(fraction, seed, "split/" + name, firstName, secondName);
  }

  /**
   * Splits as {@link #split(double, long, String, String)} with the shuffle drawn from the stream named
   * {@code stream}, so that the rows' order does not depend on how the dataset is called.
   */
  public Dataset[] split(double fraction, long seed, String stream, String firstName, String secondName) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
    }
    int[] p = permutation(rows, seed, stream);
    int second = (int) Math.round(rows * fraction);
    if (second == 0 || second == rows) {
      throw new IllegalArgumentException("dataset '" + name + "' has " + rows + " rows: too few to split "
          + fraction + " off");
    }
    return new Dataset[] {
        subset(Arrays.copyOfRange(p, second, rows), firstName),
        subset(Arrays.copyOfRange(p, 0, second), secondName)
    };
  }

  /** Features with a normalization applied, as a new dataset. */
  public Dataset normalized(Normalization n) {
    float[] f = features.clone();
    n.applyInPlace(f);
    return new Dataset(name, f, rows, cols, labels, classes);
  }
}
