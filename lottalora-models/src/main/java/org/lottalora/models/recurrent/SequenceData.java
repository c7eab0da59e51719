package org.lottalora.models.recurrent;

import java.nio.file.Path;
import java.util.Locale;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;

/**
 * Sequence data named by one line of text, the {@code --data} of {@code lottalora sequence}: an image dataset read
 * row by row ({@code digits}, {@code fashion-mnist}, or any name {@link Datasets} knows; its own splits),
 * {@code csv:FILE} (long-form series, {@link SequenceCsv}) or {@code irregular[:count=2000,positive=0.2,seed=3]}
 * ({@link IrregularSeries}); the last two are split 70 / 15 / 15 by the split seed and standardised per feature with
 * the training share's statistics (over valid steps only); images get their dataset's pixel normalization. The sets
 * returned are standardised; {@code mean} and {@code std} say how, for raw inputs later.
 *
 * @param text the canonical text
 * @param train training sequences
 * @param validation sequences that pick the epoch
 * @param test held-out sequences
 * @param mean per-feature mean subtracted (empty: none)
 * @param std per-feature standard deviation divided by (empty: none)
 */
public record SequenceData(String text, SequenceSet train, SequenceSet validation, SequenceSet test, float[] mean,
    float[] std) {

  /**
   * Loads the data {@code text} names.
   *
   * @param maxTrain at most this many training sequences (0: all); validation and test shrink in proportion
   * @param pad allow series of different lengths in a CSV file (padding is masked)
   * @param download fetch a missing image dataset
   */
  public static SequenceData load(String text, long splitSeed, int maxTrain, boolean pad, boolean download,
      Path dataDir) {
    String t = text.trim();
    String kind = (t.contains(":") ? t.substring(0, t.indexOf(':')) : t).toLowerCase(Locale.ROOT);
    String rest = t.contains(":") ? t.substring(t.indexOf(':') + 1) : "";
    SequenceSet all;
    String canon;
    switch (kind) {
      case "csv":
        if (rest.isBlank()) {
          throw new IllegalArgumentException("sequence data 'csv:' needs a file, e.g. csv:series.csv");
        }
        all = SequenceCsv.read(Path.of(rest), pad);
        canon = "csv:" + rest;
        break;
      case "irregular": {
        int count = 2000;
        double positive = 0.2;
        long seed = 3;
        for (String part : rest.isBlank() ? new String[0] : rest.split(",")) {
          String[] kv = part.split("=", 2);
          try {
            switch (kv[0].trim()) {
              case "count" -> count = Integer.parseInt(kv[1].trim());
              case "positive" -> positive = Double.parseDouble(kv[1].trim());
              case "seed" -> seed = Long.parseLong(kv[1].trim());
              default -> throw new IllegalArgumentException("sequence data '" + text + "': '" + part.trim()
                  + "' is not one of count=, positive=, seed=");
            }
          } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("sequence data '" + text + "': '" + part.trim() + "' needs a number");
          }
        }
        all = IrregularSeries.generate(count, positive, seed);
        canon = String.format(Locale.ROOT, "irregular:count=%d,positive=%s,seed=%d", count, positive, seed);
        break;
      }
      default: {
        DataSplits d = Datasets.load(t, new Datasets.Options(dataDir, download, splitSeed));
        if (maxTrain > 0) {
          d = d.limit(maxTrain);
        }
        return ofImages(t, d);
      }
    }
    int n = all.size();
    int[] perm = Dataset.permutation(n, splitSeed, "sequence.split");
    int nt = (int) Math.round(n * 0.7);
    int nv = (int) Math.round(n * 0.15);
    if (nt < 1 || nv < 1 || n - nt - nv < 1) {
      throw new IllegalArgumentException(canon + ": " + n + " series are too few to split 70 / 15 / 15");
    }
    SequenceSet train = all.subset(java.util.Arrays.copyOfRange(perm, 0, nt), "/train");
    if (maxTrain > 0 && maxTrain < train.size()) {
      train = train.subset(range(maxTrain), "");
    }
    SequenceSet val = all.subset(java.util.Arrays.copyOfRange(perm, nt, nt + nv), "/validation");
    SequenceSet test = all.subset(java.util.Arrays.copyOfRange(perm, nt + nv, n), "/test");
    float[][] stats = statistics(train);
    return new SequenceData(canon, standardise(train, stats[0], stats[1]), standardise(val, stats[0], stats[1]),
        standardise(test, stats[0], stats[1]), stats[0], stats[1]);
  }

  /**
   * The splits of an image dataset (raw pixels, already limited as wanted) as sequences read row by row, with the
   * dataset's own pixel normalization (fitted on its training split) applied and recorded per feature.
   *
   * @param text what the data is called (the dataset name the model records)
   * @throws IllegalArgumentException when the images are not square
   */
  public static SequenceData ofImages(String text, DataSplits raw) {
    DataSplits d = raw.normalized();
    int side = (int) Math.round(Math.sqrt(d.train().cols()));
    float[] mean = new float[side];
    float[] std = new float[side];
    java.util.Arrays.fill(mean, (float) d.normalization().mean());
    java.util.Arrays.fill(std, (float) d.normalization().std());
    return new SequenceData(text, SequenceSet.ofImages(d.train(), text), SequenceSet.ofImages(d.validation(), text),
        SequenceSet.ofImages(d.test(), text), mean, std);
  }

  /**
   * Whether {@code text} names an image dataset (read row by row, time gap 1) rather than {@code csv:} or
   * {@code irregular} series: only then is a flat row of {@code side * side} values one sequence.
   */
  public static boolean isImages(String text) {
    String t = text.trim();
    String kind = (t.contains(":") ? t.substring(0, t.indexOf(':')) : t).toLowerCase(Locale.ROOT);
    return !kind.equals("csv") && !kind.equals("irregular");
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /** Per-feature mean and standard deviation over the valid steps of {@code s} (std 1 for a constant feature). */
  static float[][] statistics(SequenceSet s) {
    int f = s.features();
    double[] sum = new double[f];
    double[] sq = new double[f];
    long count = 0;
    for (int i = 0; i < s.size(); i++) {
      for (int t = 0; t < s.lengths()[i]; t++) {
        for (int k = 0; k < f; k++) {
          sum[k] += s.x()[i][t][k];
          sq[k] += (double) s.x()[i][t][k] * s.x()[i][t][k];
        }
        count++;
      }
    }
    float[] mean = new float[f];
    float[] std = new float[f];
    for (int k = 0; k < f; k++) {
      double m = sum[k] / count;
      double var = Math.max(0, sq[k] / count - m * m);
      mean[k] = (float) m;
      std[k] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
    }
    return new float[][] {mean, std};
  }

  /** {@code s} with every valid step's features standardised (padding left at 0). */
  public static SequenceSet standardise(SequenceSet s, float[] mean, float[] std) {
    if (mean.length == 0) {
      return s;
    }
    if (mean.length != s.features()) {
      throw new IllegalArgumentException(s.name() + " has " + s.features() + " features per step, the model takes "
          + mean.length);
    }
    float[][][] x = new float[s.size()][s.steps()][s.features()];
    for (int i = 0; i < s.size(); i++) {
      for (int t = 0; t < s.lengths()[i]; t++) {
        for (int k = 0; k < s.features(); k++) {
          x[i][t][k] = (s.x()[i][t][k] - mean[k]) / std[k];
        }
      }
    }
    return new SequenceSet(s.name(), x, s.dt(), s.lengths(), s.labels(), s.classes());
  }
}
