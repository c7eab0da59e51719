package org.lottalora.models.transformer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.lottalora.core.LottaException;

/**
 * Labelled texts from a CSV file of {@code text,label} rows (RFC 4180 quoting: a text with commas, quotes or line
 * breaks is quoted, {@code ""} is a quote; an optional {@code text,label} header): each text becomes its UTF-8
 * bytes as tokens, labels become class indices in sorted order. A file that is missing, empty, not UTF-8 (byte
 * offset named), has a row without two fields, or an empty text is refused with its line.
 *
 * @param source the file
 * @param tokens each text's byte tokens
 * @param labels each text's class index
 * @param classes the label strings, index order
 * @param lines each row's first line in the file
 */
public record TextCsv(String source, List<int[]> tokens, int[] labels, List<String> classes, int[] lines) {

  /** Rows. */
  public int size() {
    return labels.length;
  }

  /**
   * Reads a file; texts longer than {@code maxLen} bytes are refused, or cut to their first {@code maxLen} bytes
   * with {@code truncate}. {@code classes} (null: from the file) fixes the label order, as a trained model's.
   *
   * @throws IllegalArgumentException on any of the problems above
   */
  public static TextCsv read(Path file, int maxLen, boolean truncate, List<String> classes) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no CSV file " + file + "; give text,label rows");
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (bytes.length == 0) {
      throw new IllegalArgumentException(file + " is empty; give text,label rows");
    }
    long bad = ByteCorpus.firstInvalidUtf8(bytes);
    if (bad >= 0) {
      throw new IllegalArgumentException(file + " is not UTF-8: invalid byte sequence at byte offset " + bad);
    }
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    parse(new String(bytes, StandardCharsets.UTF_8), file.toString(), rows, rowLines);
    if (!rows.isEmpty() && rows.get(0)[0].trim().equalsIgnoreCase("text")
        && rows.get(0)[1].trim().equalsIgnoreCase("label")) {
      rows.remove(0);
      rowLines.remove(0);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(file + " has no text,label rows");
    }
    List<String> names = classes;
    if (names == null) {
      TreeSet<String> set = new TreeSet<>();
      for (String[] r : rows) {
        set.add(r[1].trim());
      }
      names = new ArrayList<>(set);
      if (names.size() < 2) {
        throw new IllegalArgumentException(file + " has one label ('" + names.get(0) + "'); a classifier needs 2+");
      }
    }
    List<int[]> tokens = new ArrayList<>();
    int[] labels = new int[rows.size()];
    int[] lines = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      lines[i] = rowLines.get(i);
      byte[] b = r[0].getBytes(StandardCharsets.UTF_8);
      if (b.length == 0) {
        throw new IllegalArgumentException(file + " line " + lines[i] + ": the text is empty");
      }
      if (b.length > maxLen) {
        if (!truncate) {
          throw new IllegalArgumentException(file + " line " + lines[i] + ": the text has " + b.length + " bytes, "
              + "longer than the model's context of " + maxLen + "; pass --truncate to keep the first " + maxLen
              + " bytes, or a larger --max-len");
        }
        b = java.util.Arrays.copyOf(b, maxLen);
      }
      tokens.add(ByteCorpus.tokens(b, 0, b.length));
      int k = names.indexOf(r[1].trim());
      if (k < 0) {
        throw new IllegalArgumentException(file + " line " + lines[i] + ": label '" + r[1].trim() + "' is not one of "
            + "the model's " + names);
      }
      labels[i] = k;
    }
    return new TextCsv(file.toString(), tokens, labels, List.copyOf(names), lines);
  }

  private static void parse(String s, String where, List<String[]> rows, List<Integer> rowLines) {
    int line = 1;
    int i = 0;
    while (i < s.length()) {
      int start = line;
      List<String> fields = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      boolean quoted = false;
      boolean end = false;
      while (i < s.length() && !end) {
        char c = s.charAt(i++);
        if (quoted) {
          if (c == '"' && i < s.length() && s.charAt(i) == '"') {
            f.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            line += c == '\n' ? 1 : 0;
            f.append(c);
          }
        } else if (c == '"' && f.length() == 0) {
          quoted = true;
        } else if (c == ',') {
          fields.add(f.toString());
          f.setLength(0);
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && i < s.length() && s.charAt(i) == '\n') {
            i++;
          }
          line++;
          end = true;
        } else {
          f.append(c);
        }
      }
      if (quoted) {
        throw new IllegalArgumentException(where + " line " + start + ": a quoted text is never closed");
      }
      fields.add(f.toString());
      if (fields.size() == 1 && fields.get(0).isBlank()) {
        continue; // blank line
      }
      if (fields.size() != 2) {
        throw new IllegalArgumentException(where + " line " + start + ": " + fields.size() + " fields, expected "
            + "text,label (quote a text that contains commas)");
      }
      rows.add(fields.toArray(new String[0]));
      rowLines.add(start);
    }
  }
}
