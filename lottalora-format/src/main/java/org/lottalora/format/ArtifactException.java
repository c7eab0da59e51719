package org.lottalora.format;

/**
 * Why an artifact could not be read, verified or written: one exception type, a {@link Reason} a program can
 * switch on, and a one-line message that names the problem (and where there is one, the fix) for a person.
 */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** The file does not exist or cannot be read or written. */
    IO,
    /** Shorter than the fixed header and digest, or shorter than its length field says. */
    TRUNCATED,
    /** Does not start with the .lotta magic: not an artifact. */
    BAD_MAGIC,
    /** Written by a newer format version, or needs a feature, that this reader does not have. */
    UNSUPPORTED_VERSION,
    /** A length field disagrees with the file size or exceeds a hard limit. */
    BAD_LENGTH,
    /** The SHA-256 digest does not match: the file was changed or damaged. */
    DIGEST_MISMATCH,
    /** The payload is not a valid message, or a field holds a value no model can have. */
    MALFORMED,
    /** The backbone generator id is unknown to this build. */
    UNKNOWN_GENERATOR,
    /** A tensor's byte size or shape disagrees with its dtype or with the model. */
    SHAPE_MISMATCH,
    /** The model family is not in the registry. */
    UNKNOWN_FAMILY,
    /** A tensor the model needs is missing, or one it does not have is present. */
    MISSING_TENSOR,
    /** Regenerated backbone values do not match the fingerprints (or full hash) stored at save time. */
    FINGERPRINT_MISMATCH,
    /** A stored tensor decodes to NaN or infinity. */
    NON_FINITE,
    /** The model described is larger than this reader may allocate. */
    TOO_LARGE,
    /** The file carries no signature but one was required. */
    UNSIGNED,
    /** The signature does not verify: the file or its signature was altered. */
    BAD_SIGNATURE,
    /** The signature is valid but was made with a different key than the trusted one. */
    WRONG_KEY
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
