package org.lottalora.models;

/**
 * The text form of a dense model's widths, read in one place: hidden widths ({@code 512,256}) or a full layout
 * ({@code 784-512-256-10}) whose ends must match the data's features and classes.
 */
public final class Widths {
  private Widths() {}

  /**
   * Hidden widths from text: {@code 512,256} lists hidden widths only; {@code 784-512-256-10} lists every
   * layer from input to classes and must match the data.
   *
   * @throws IllegalArgumentException when the text is malformed or the layout does not fit the data
   */
  public static int[] parse(String text, int inputDim, int classes) {
    String t = text.trim();
    boolean full = t.contains("-");
    String[] parts = t.split(full ? "-" : ",");
    int[] v = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad --widths '" + text + "': '" + parts[i].trim()
            + "' is not a whole number; write hidden widths as 512,256 or the full layout as 784-512-256-10");
      }
      if (v[i] < 1) {
        throw new IllegalArgumentException("bad --widths '" + text + "': widths must be at least 1");
      }
    }
    if (!full) {
      return v;
    }
    if (v.length < 3) {
      throw new IllegalArgumentException("bad --widths '" + text + "': a full layout needs input, at least one "
          + "hidden width and classes, e.g. " + inputDim + "-128-" + classes);
    }
    if (v[0] != inputDim || v[v.length - 1] != classes) {
      throw new IllegalArgumentException("--widths " + text + " does not fit the data: it has " + inputDim
          + " features and " + classes + " classes, so the layout must run " + inputDim + "-...-" + classes);
    }
    return java.util.Arrays.copyOfRange(v, 1, v.length - 1);
  }

}
