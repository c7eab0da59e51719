package org.lottalora.core;

/**
 * Who wrote an artifact: the producer name and version every family's writer records, in one place so that the
 * related-work models (reservoir, spiking), which depend on core and format only, write the same header.
 */
public final class Producer {
  /** Producer name written into artifacts. */
  public static final String NAME = "lottalora";
  /** Producer version written into artifacts. */
  public static final String VERSION = "0.1.0";
  /** Producer string written into artifacts. */
  public static final String ID = NAME + " " + VERSION;

  private Producer() {}
}
