package org.lottalora.core.backbone;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An init family with all its parameters filled in: what, together with seed, tensor name and shape, fixes
 * every backbone value. Written as text {@code family[:key=value,...]}, e.g. {@code cauchy:s=0.2}; the
 * {@link #canonical()} form lists every parameter, sorted, and is what artifacts store.
 *
 * @param family the init family
 * @param params every parameter of the family (defaults filled in), validated
 */
public record InitSpec(InitFamily family, Map<String, Double> params) {

  /** The default scaffold: normal with fan-in scaling (sigma = 1/sqrt(fan_in)). */
  public static final InitSpec DEFAULT = of(InitFamily.NORMAL);

  /** Validates and freezes the parameters. */
  public InitSpec {
    Map<String, Double> all = new TreeMap<>(family.defaults());
    for (Map.Entry<String, Double> e : params.entrySet()) {
      if (!all.containsKey(e.getKey())) {
        throw new IllegalArgumentException("init family '" + family.id() + "' has no parameter '" + e.getKey()
            + "'; it takes: " + String.join(", ", family.parameterNames()));
      }
      all.put(e.getKey(), e.getValue());
    }
    validate(family, all);
    params = java.util.Collections.unmodifiableMap(all);
  }

  /** The family with its default parameters. */
  public static InitSpec of(InitFamily family) {
    return new InitSpec(family, Map.of());
  }

  /**
   * Parses {@code family[:key=value,...]}.
   *
   * @throws IllegalArgumentException with a message naming the bad part and the fix
   */
  public static InitSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty init spec; use e.g. 'normal' or 'cauchy:s=0.2'");
    }
    String[] head = text.trim().split(":", 2);
    InitFamily family = InitFamily.byId(head[0]);
    Map<String, Double> params = new TreeMap<>();
    if (head.length == 2 && !head[1].isBlank()) {
      for (String kv : head[1].split(",")) {
        String[] p = kv.split("=", 2);
        if (p.length != 2) {
          throw new IllegalArgumentException("bad init parameter '" + kv + "' in '" + text
              + "'; write key=value, e.g. " + family.id() + ":" + family.parameterNames()[0] + "=1");
        }
        String key = p[0].trim().toLowerCase(Locale.ROOT);
        try {
          params.put(key, Double.parseDouble(p[1].trim()));
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("init parameter '" + key + "' of '" + family.id()
              + "' is not a number: '" + p[1].trim() + "'");
        }
      }
    }
    return new InitSpec(family, params);
  }

  /** The value of a parameter. */
  public double param(String name) {
    Double v = params.get(name);
    if (v == null) {
      throw new IllegalArgumentException("init family '" + family.id() + "' has no parameter '" + name + "'");
    }
    return v;
  }

  /** {@code family:k1=v1,k2=v2} with every parameter, sorted by name; values in Java's shortest repr. */
  public String canonical() {
    StringBuilder sb = new StringBuilder(family.id());
    char sep = ':';
    for (Map.Entry<String, Double> e : params.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = ',';
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return canonical();
  }

  private static void validate(InitFamily f, Map<String, Double> p) {
    for (Map.Entry<String, Double> e : p.entrySet()) {
      double v = e.getValue();
      String k = e.getKey();
      if (!Double.isFinite(v)) {
        throw bad(f, k, v, "a finite number");
      }
      switch (k) {
        case "fanin":
          if (v != 0 && v != 1) {
            throw bad(f, k, v, "0 or 1");
          }
          break;
        case "p":
          if (!(v > 0 && v <= 1)) {
            throw bad(f, k, v, "in (0, 1]");
          }
          break;
        case "nu":
          if (v != Math.rint(v) || v < 1 || v > 30) {
            throw bad(f, k, v, "a whole number from 1 to 30");
          }
          break;
        case "a":
          if (f == InitFamily.UNIFORM ? !(v > 0) : !(v >= 0)) {
            throw bad(f, k, v, f == InitFamily.UNIFORM ? "> 0" : ">= 0");
          }
          break;
        case "lo":
        case "hi":
          break;
        default:
          if (!(v > 0)) {
            throw bad(f, k, v, "> 0");
          }
      }
    }
    if (f == InitFamily.BETA && !(p.get("lo") < p.get("hi"))) {
      throw new IllegalArgumentException("init family 'beta' needs lo < hi, got lo=" + p.get("lo")
          + " hi=" + p.get("hi"));
    }
  }

  private static IllegalArgumentException bad(InitFamily f, String k, double v, String want) {
    return new IllegalArgumentException("init parameter '" + k + "' of '" + f.id() + "' must be " + want
        + ", got " + v);
  }
}
