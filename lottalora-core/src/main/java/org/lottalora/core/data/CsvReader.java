package org.lottalora.core.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.lottalora.core.LottaException;

/**
 * Reads a numeric CSV (optionally gzip-compressed): one sample a line, features then an integer label in the
 * last column, no header (a first line that does not parse as numbers is taken as a header and skipped).
 * Every feature must be finite and the labels must be the class ids {@code 0..K-1}, each present at least
 * once; anything else is refused naming the file, the line and the column, before any split is made.
 */
public final class CsvReader {
  /**
   * Fewest classes a file may always have; beyond it a file needs two rows per class on average. A label
   * column of ids or regression targets would otherwise become a model with millions of output units.
   */
  public static final int MIN_CLASS_CEILING = 1000;

  /** NaN and infinity as Java, numpy and pandas spell them (Java's own spellings also parse as floats). */
  private static final Pattern NON_FINITE = Pattern.compile("(?i)[-+]?(nan|inf|infinity)");

  private CsvReader() {}

  /** Reads a file; a {@code .gz} name or gzip magic means compressed. */
  public static Dataset read(Path file, String name) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), name);
    } catch (NoSuchFileException e) {
      throw new LottaException("missing data file " + file);
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The most classes a file of {@code rows} samples may declare through its labels. */
  public static int classCeiling(int rows) {
    return Math.max(MIN_CLASS_CEILING, rows / 2);
  }

  /**
   * Reads a stream.
   *
   * @param where the source, for error messages
   */
  public static Dataset read(InputStream raw, String where, String name) throws IOException {
    java.io.BufferedInputStream b = new java.io.BufferedInputStream(raw);
    b.mark(2);
    int b0 = b.read();
    int b1 = b.read();
    b.reset();
    boolean gz = b0 == 0x1f && b1 == 0x8b;
    try {
      return parse(gz ? new GZIPInputStream(b) : b, where, name);
    } catch (EOFException | ZipException e) {
      if (gz) {
        throw gzipError(where, e);
      }
      throw e;
    }
  }

  /**
   * The one-line error for a gzip stream that ends early or does not inflate (a partial download, a
   * truncated copy): {@link GZIPInputStream} reports it as a bare EOF or zip error.
   */
  public static LottaException gzipError(String where, IOException e) {
    return new LottaException(where + ": truncated or corrupt gzip (" + (e.getMessage() == null
        ? e.getClass().getSimpleName() : e.getMessage()) + "); fetch or compress the file again", e);
  }

  private static Dataset parse(InputStream in, String where, String name) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    FloatList feats = new FloatList();
    java.util.ArrayList<Integer> labels = new java.util.ArrayList<>();
    int cols = -1;
    int maxLabel = -1;
    int maxLabelLine = 0;
    String line;
    int lineNo = 0;
    while ((line = r.readLine()) != null) {
      lineNo++;
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split(",");
      // a header starts with a name; a missing or non-finite first value must not pass for one and be skipped
      String first = parts[0].trim();
      if (cols < 0 && lineNo == 1 && !first.isEmpty() && !first.matches("[-+0-9.eE]+") && !NON_FINITE.matcher(first)
          .matches()) {
        continue; // header
      }
      if (cols < 0) {
        cols = parts.length - 1;
        if (cols < 1) {
          throw new LottaException(where + " line " + lineNo + ": need at least one feature and a label");
        }
      } else if (parts.length - 1 != cols) {
        throw new LottaException(where + " line " + lineNo + ": " + parts.length + " columns, expected "
            + (cols + 1));
      }
      int col = 0;
      try {
        for (col = 0; col < cols; col++) {
          String t = parts[col].trim();
          // NaN spelled any way (nan, inf: numpy, pandas), or a value beyond float range (1e999): one such row
          // poisons the normalization of every row, wherever the split puts it
          float v = NON_FINITE.matcher(t).matches() ? Float.NaN : Float.parseFloat(t);
          if (!Float.isFinite(v)) {
            throw new LottaException(where + " line " + lineNo + ", column " + (col + 1) + ": '" + t
                + "' is not a finite number; remove or impute the value (NaN and infinities are refused in every "
                + "row)");
          }
          feats.add(v);
        }
      } catch (NumberFormatException e) {
        String t = parts[col].trim();
        throw new LottaException(where + " line " + lineNo + ", column " + (col + 1) + ": "
            + (t.isEmpty() ? "empty value; fill in or impute the missing value" : "'" + t + "' is not a number"));
      }
      String token = parts[cols].trim();
      int label;
      try {
        label = Integer.parseInt(token);
      } catch (NumberFormatException e) {
        throw new LottaException(where + " line " + lineNo + ", column " + (cols + 1) + ": label '" + token
            + "' is not an integer class id; the last column must be a label 0..K-1");
      }
      if (label < 0) {
        throw new LottaException(where + " line " + lineNo + ": negative label " + label
            + "; labels are class ids 0..K-1");
      }
      labels.add(label);
      if (label > maxLabel) {
        maxLabel = label;
        maxLabelLine = lineNo;
      }
    }
    if (labels.isEmpty()) {
      throw new LottaException(where + " holds no samples");
    }
    int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
    checkLabels(where, l, maxLabel, maxLabelLine);
    return new Dataset(name, feats.toArray(), l.length, cols, l, maxLabel + 1);
  }

  /**
   * The classes are the labels seen: {@code 0..max}, every one present, and no more than
   * {@link #classCeiling} of them. Checked before anything is sized by the class count.
   */
  private static void checkLabels(String where, int[] labels, int maxLabel, int maxLabelLine) {
    long classes = maxLabel + 1L; // long: a label of 2^31-1 must not wrap to a negative class count
    int ceiling = classCeiling(labels.length);
    if (classes > ceiling) {
      throw new LottaException(where + " line " + maxLabelLine + ": label " + maxLabel + " would make "
          + classes + " classes for " + labels.length + " rows (at most " + ceiling + "); relabel the classes "
          + "as 0..K-1 (is the last column an id or a regression target?)");
    }
    boolean[] seen = new boolean[(int) classes];
    for (int x : labels) {
      seen[x] = true;
    }
    StringBuilder missing = new StringBuilder();
    int count = 0;
    for (int c = 0; c < classes; c++) {
      if (!seen[c]) {
        if (count < 5) {
          missing.append(count == 0 ? "" : ", ").append(c);
        }
        count++;
      }
    }
    if (count > 0) {
      throw new LottaException(where + ": labels run to " + maxLabel + " (line " + maxLabelLine + ") but "
          + (count == 1 ? "label " + missing + " never occurs"
              : count + " labels never occur (" + missing + (count > 5 ? ", ..." : "") + ")")
          + "; relabel the classes as consecutive ids 0..K-1");
    }
  }

  private static final class FloatList {
    private float[] a = new float[1 << 12];
    private int n;

    void add(float v) {
      if (n == a.length) {
        a = java.util.Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(a, n);
    }
  }
}
