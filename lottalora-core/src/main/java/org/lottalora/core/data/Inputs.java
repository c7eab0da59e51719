package org.lottalora.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.LottaException;

/**
 * Samples to predict, read from files or a stream: CSV lines of exactly {@code features} numbers, or of
 * {@code features + 1} with an integer label last (the training CSV layout), or the images of an IDX file
 * whose item size is {@code features}. Sizes are checked against the model before anything runs.
 *
 * @param rows one float array per sample, raw (the model normalizes)
 * @param labels the labels when the input carries them, else null
 */
public record Inputs(float[][] rows, int[] labels) {
  /** Most samples one call reads (a guard against an endless stdin). */
  public static final int MAX_ROWS = 10_000_000;

  /**
   * Reads CSV text; blank lines and a non-numeric first line (a header) are skipped.
   *
   * @throws LottaException naming the line and the problem
   */
  public static Inputs csv(InputStream in, String where, int features) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    Boolean labelled = null;
    String line;
    int lineNo = 0;
    while ((line = r.readLine()) != null) {
      lineNo++;
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("[,\\s]+");
      if (lineNo == 1 && !parts[0].matches("[-+0-9.eE]+|NaN|[-+]?Infinity")) {
        continue;
      }
      boolean withLabel = parts.length == features + 1;
      if (parts.length != features && !withLabel) {
        throw new LottaException(where + " line " + lineNo + ": " + parts.length + " values; the model takes "
            + features + " features (optionally followed by a label)");
      }
      if (labelled == null) {
        labelled = withLabel;
      } else if (labelled != withLabel) {
        throw new LottaException(where + " line " + lineNo + ": " + parts.length + " values, earlier lines had "
            + (labelled ? features + 1 : features));
      }
      float[] x = new float[features];
      String token = "";
      try {
        for (int i = 0; i < features; i++) {
          token = parts[i];
          x[i] = Float.parseFloat(token);
          if (!Float.isFinite(x[i])) {
            throw new LottaException(where + " line " + lineNo + ": value " + (i + 1) + " is " + token);
          }
        }
        if (withLabel) {
          token = parts[features];
          labels.add(Integer.parseInt(token));
        }
      } catch (NumberFormatException e) {
        throw new LottaException(where + " line " + lineNo + ": '" + token + "' is not a number");
      }
      rows.add(x);
      if (rows.size() > MAX_ROWS) {
        throw new LottaException(where + ": more than " + MAX_ROWS + " samples; split the input");
      }
    }
    if (rows.isEmpty()) {
      throw new LottaException(where + " holds no samples");
    }
    return new Inputs(rows.toArray(new float[0][]), Boolean.TRUE.equals(labelled)
        ? labels.stream().mapToInt(Integer::intValue).toArray() : null);
  }

  /** Reads the images of an IDX file (bytes 0..255 as floats), and their labels from a second one if given. */
  public static Inputs idx(java.nio.file.Path images, java.nio.file.Path labelsFile, int features) {
    IdxReader.Idx im = IdxReader.read(images);
    if (im.dims().length < 2 || im.itemSize() != features) {
      throw new LottaException(images + " holds items of " + (im.dims().length < 2 ? 1 : im.itemSize())
          + " values; the model takes " + features + " features");
    }
    int n = im.dims()[0];
    float[][] rows = new float[n][features];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < features; j++) {
        rows[i][j] = im.data()[i * features + j] & 0xff;
      }
    }
    int[] labels = null;
    if (labelsFile != null) {
      IdxReader.Idx lb = IdxReader.read(labelsFile);
      if (lb.dims().length != 1 || lb.dims()[0] != n) {
        throw new LottaException(labelsFile + " holds " + lb.dims()[0] + " labels for " + n + " images");
      }
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = lb.data()[i] & 0xff;
      }
    }
    return new Inputs(rows, labels);
  }
}
