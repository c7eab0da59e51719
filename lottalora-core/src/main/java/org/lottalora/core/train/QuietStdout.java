package org.lottalora.core.train;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs a library call with {@code System.out} filtered: lines that start with a given prefix are dropped,
 * the rest pass through once the call returns. Only for short calls on one thread (it swaps a global).
 */
public final class QuietStdout {
  private QuietStdout() {}

  /** Runs {@code call}, dropping stdout lines that start with {@code dropPrefix}. */
  public static synchronized void run(Runnable call, String dropPrefix) {
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      call.run();
    } finally {
      System.setOut(original);
      for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
        if (!line.isEmpty() && !line.startsWith(dropPrefix)) {
          original.println(line);
        }
      }
    }
  }
}
