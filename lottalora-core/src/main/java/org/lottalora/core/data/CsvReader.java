package org.lottalora.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.lottalora.core.LottaException;

/**
 * Reads a numeric CSV (optionally gzip-compressed): one sample a line, features then an integer label in the
 * last column, no header (a first line that does not parse as numbers is taken as a header and skipped).
 */
public final class CsvReader {
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
    InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(b) : b;
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    FloatList feats = new FloatList();
    java.util.ArrayList<Integer> labels = new java.util.ArrayList<>();
    int cols = -1;
    int maxLabel = -1;
    String line;
    int lineNo = 0;
    while ((line = r.readLine()) != null) {
      lineNo++;
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split(",");
      if (cols < 0 && lineNo == 1 && !parts[0].trim().matches("[-+0-9.eE]+")) {
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
      try {
        for (int i = 0; i < cols; i++) {
          feats.add(Float.parseFloat(parts[i].trim()));
        }
        int label = Integer.parseInt(parts[cols].trim());
        if (label < 0) {
          throw new LottaException(where + " line " + lineNo + ": negative label " + label);
        }
        labels.add(label);
        maxLabel = Math.max(maxLabel, label);
      } catch (NumberFormatException e) {
        throw new LottaException(where + " line " + lineNo + ": not a number (" + e.getMessage()
            + "); the last column must be an integer label");
      }
    }
    if (labels.isEmpty()) {
      throw new LottaException(where + " holds no samples");
    }
    int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
    return new Dataset(name, feats.toArray(), l.length, cols, l, maxLabel + 1);
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
