package org.lottalora.core;

/**
 * A failure the user can act on (a missing or malformed file, a diverged run, an unwritable path): the
 * message names the problem and the fix in one line. The CLI prints it without a stack trace and exits 1;
 * bad arguments are {@link IllegalArgumentException}s and exit 2.
 */
public class LottaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a one-line message. */
  public LottaException(String message) {
    super(message);
  }

  /** A failure with a one-line message and its cause (kept for debugging, never printed to users). */
  public LottaException(String message, Throwable cause) {
    super(message, cause);
  }
}
