package org.lottalora.models.conversion;

import java.util.Locale;

/**
 * What an integrate-and-fire neuron's membrane does after a spike. Subtraction keeps the charge above threshold,
 * so a neuron's spike count tracks its integrated input to within one spike at any time (Rueckauer et al. 2017,
 * section 2.2); reset to zero discards it, which costs accuracy most at short simulation times and high rates.
 */
public enum Reset {
  /** {@code V <- V - threshold}. */
  SUBTRACT,
  /** {@code V <- 0}. */
  ZERO;

  /** {@code subtract} or {@code zero}, case-insensitive. */
  public static Reset parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "subtract", "subtraction" -> SUBTRACT;
      case "zero" -> ZERO;
      default -> throw new IllegalArgumentException("unknown reset '" + text + "'; use subtract or zero");
    };
  }

  /** The lower-case name used on the command line and in JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
