package org.lottalora.core.engine;

import java.util.Locale;

/**
 * How a weight matrix of the scaffold is treated: {@code ADAPTER} ({@code beta W_seed + s B A}, only the adapter and
 * beta trained), {@code FULL} (the matrix itself trained, from its seed values) or {@code FROZEN} (the seed values
 * as they are, nothing trained, gradients still flow through).
 */
public enum MatrixMode {
  /** Low-rank adapter and beta over the frozen seed matrix. */
  ADAPTER,
  /** The matrix trained in full. */
  FULL,
  /** The seed matrix, untouched. */
  FROZEN;

  /**
   * Parses "adapter", "full" or "frozen" (any case).
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static MatrixMode parse(String s) {
    for (MatrixMode m : values()) {
      if (m.name().equalsIgnoreCase(s.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a matrix mode; use adapter, full or frozen");
  }

  /** Lower-case name, as options and artifacts spell it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The layer this mode gives (its trained arrays go to {@code params}). */
  public AdaptedDense layer(String prefix, int in, int out, org.lottalora.core.backbone.Backbone bb,
      org.lottalora.core.adapter.AdapterConfig ac, java.util.List<Param> params) {
    return switch (this) {
      case ADAPTER -> new AdaptedDense(prefix, in, out, bb, ac, false, params);
      case FULL -> new AdaptedDense(prefix, in, out, bb, ac, true, params);
      case FROZEN -> AdaptedDense.frozen(prefix, in, out, bb);
    };
  }
}
