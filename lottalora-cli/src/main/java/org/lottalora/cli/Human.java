package org.lottalora.cli;

import java.util.HexFormat;
import java.util.Locale;

/** Number formats for people: byte sizes and short hex digests. */
final class Human {
  private Human() {}

  static String bytes(long bytes) {
    if (bytes < 0) {
      return "n/a";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
