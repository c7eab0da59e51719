package org.lottalora.models.recurrent;

import org.lottalora.core.data.Dataset;

/**
 * Labelled sequences for the recurrent engine: per sequence, {@code steps} rows of {@code features} values, the time
 * gap before each step (the CfC's dt; 0 for the first step), its true length (steps after it are padding, masked:
 * the state stops changing), and one class label.
 *
 * @param name what the data is, for reports
 * @param x values [sequence][step][feature]
 * @param dt time gaps [sequence][step]
 * @param lengths valid steps per sequence, 1..steps
 * @param labels class per sequence
 * @param classes number of classes
 */
public record SequenceSet(String name, float[][][] x, float[][] dt, int[] lengths, int[] labels, int classes) {
  /** Validates shapes. */
  public SequenceSet {
    if (x.length == 0 || x.length != dt.length || x.length != lengths.length || x.length != labels.length) {
      throw new IllegalArgumentException(name + ": " + x.length + " sequences, " + dt.length + " gap rows, "
          + lengths.length + " lengths and " + labels.length + " labels must agree and be at least 1");
    }
    for (int i = 0; i < x.length; i++) {
      if (lengths[i] < 1 || lengths[i] > x[i].length) {
        throw new IllegalArgumentException(name + ": sequence " + i + " has length " + lengths[i] + " of "
            + x[i].length + " steps");
      }
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException(name + ": sequence " + i + " has label " + labels[i] + " outside 0.."
            + (classes - 1));
      }
    }
  }

  /** Number of sequences. */
  public int size() {
    return x.length;
  }

  /** Steps per (padded) sequence. */
  public int steps() {
    return x[0].length;
  }

  /** Features per step. */
  public int features() {
    return x[0][0].length;
  }

  /** Square images read row by row: {@code side} steps of {@code side} pixels, gaps of 1. */
  public static SequenceSet ofImages(Dataset d, String name) {
    int side = (int) Math.round(Math.sqrt(d.cols()));
    if (side * side != d.cols()) {
      throw new IllegalArgumentException(name + ": " + d.cols() + " features are not a square image to read by rows");
    }
    float[][][] x = new float[d.rows()][side][side];
    float[][] dt = new float[d.rows()][side];
    int[] len = new int[d.rows()];
    for (int r = 0; r < d.rows(); r++) {
      for (int t = 0; t < side; t++) {
        System.arraycopy(d.features(), r * d.cols() + t * side, x[r][t], 0, side);
        dt[r][t] = 1f;
      }
      len[r] = side;
    }
    return new SequenceSet(name, x, dt, len, d.labels().clone(), d.classes());
  }

  /** The sequences at {@code idx}, in that order. */
  public SequenceSet subset(int[] idx, String suffix) {
    float[][][] x2 = new float[idx.length][][];
    float[][] dt2 = new float[idx.length][];
    int[] len = new int[idx.length];
    int[] lab = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      x2[i] = x[idx[i]];
      dt2[i] = dt[idx[i]];
      len[i] = lengths[idx[i]];
      lab[i] = labels[idx[i]];
    }
    return new SequenceSet(name + suffix, x2, dt2, len, lab, classes);
  }

  /** Sequences per class. */
  public int[] classCounts() {
    int[] c = new int[classes];
    for (int l : labels) {
      c[l]++;
    }
    return c;
  }
}
