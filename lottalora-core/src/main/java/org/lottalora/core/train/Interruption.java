package org.lottalora.core.train;

/**
 * A request to stop training early and keep the best so far (Ctrl-C): set from another thread (a shutdown hook),
 * read by {@link EpochLoop} after every step, which then restores the best epoch's arrays and returns, so the
 * caller saves them. One flag for the process: a JVM trains one model per command.
 */
public final class Interruption {
  private static volatile boolean requested;

  private Interruption() {}

  /** Asks the running loop to stop after its current step. */
  public static void request() {
    requested = true;
  }

  /** Whether a stop was asked for. */
  public static boolean requested() {
    return requested;
  }

  /** Forgets a request (a new run starts). */
  public static void clear() {
    requested = false;
  }
}
