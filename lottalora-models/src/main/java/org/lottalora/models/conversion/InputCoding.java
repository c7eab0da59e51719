package org.lottalora.models.conversion;

import java.util.Locale;

/**
 * How an image enters the spiking network. Constant current feeds the scaled pixel values to the first layer as an
 * analog input current at every step (Rueckauer et al. 2017), which removes input sampling noise; Poisson coding
 * turns each pixel into an independent Bernoulli spike train with probability equal to its scaled value per step
 * (the rate coding of Diehl et al. 2015), drawn from the project's counter-based generator.
 */
public enum InputCoding {
  /** The scaled image as a constant input current. */
  CURRENT,
  /** Bernoulli spikes per pixel and step with the scaled value as probability. */
  POISSON;

  /** {@code current} or {@code poisson}, case-insensitive. */
  public static InputCoding parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "current", "constant" -> CURRENT;
      case "poisson", "bernoulli", "rate" -> POISSON;
      default -> throw new IllegalArgumentException("unknown input coding '" + text + "'; use current or poisson");
    };
  }

  /** The lower-case name used on the command line and in JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
