package org.lottalora.format;

/**
 * Why an artifact could not be read or written: one exception type, a {@link Reason} a program can switch
 * on, and a one-line message that names the problem for a person.
 */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** The file does not exist or cannot be read. */
    IO,
    /** Shorter than the fixed header and digest, or shorter than its length field says. */
    TRUNCATED,
    /** Does not start with the .lotta magic: not an artifact. */
    BAD_MAGIC,
    /** Written by a newer format version than this reader understands. */
    UNSUPPORTED_VERSION,
    /** The length field disagrees with the file size or exceeds the limit. */
    BAD_LENGTH,
    /** The SHA-256 digest does not match: the file was changed or damaged. */
    DIGEST_MISMATCH,
    /** The payload is not a valid message. */
    MALFORMED,
    /** The backbone generator id is unknown to this build. */
    UNKNOWN_GENERATOR,
    /** A tensor's byte size disagrees with its shape and dtype. */
    SHAPE_MISMATCH,
    /** The model family is not in the registry. */
    UNKNOWN_FAMILY,
    /** A tensor the model needs is missing. */
    MISSING_TENSOR,
    /** Regenerated backbone values do not match the fingerprints stored at save time. */
    FINGERPRINT_MISMATCH
  }

  private final Reason reason;

  /** An exception with a reason and a one-line message. */
  public ArtifactException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** An exception with a cause. */
  public ArtifactException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }
}
