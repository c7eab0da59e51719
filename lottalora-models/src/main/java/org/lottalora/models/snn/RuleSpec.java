package org.lottalora.models.snn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A connection's learning rule and its parameters, defaults filled in. Rules: {@code none}; {@code post-pre}
 * (pair-based STDP: depression nu_pre at pre spikes times the post trace, potentiation nu_post at post spikes times
 * the pre trace); {@code weight-dependent} (the same, scaled by {@code w - wmin} and {@code wmax - w});
 * {@code hebbian} (both terms potentiate); {@code mstdp} (reward-modulated STDP, Florian 2007: nu, a_plus,
 * a_minus, tc_plus, tc_minus); {@code delay-stdp} (shifts integer delays by {@code step} towards the post spike,
 * weights untouched; {@code window}: how far back a pre spike counts, in steps).
 *
 * @param kind the rule id
 * @param params every parameter
 */
public record RuleSpec(String kind, Map<String, Double> params) {
  /** The rule ids. */
  public static final List<String> KINDS = List.of("none", "post-pre", "weight-dependent", "hebbian", "mstdp",
      "delay-stdp");
  /** No learning. */
  public static final RuleSpec NONE = new RuleSpec("none", Map.of());

  /** Validates and fills in defaults. */
  public RuleSpec {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown learning rule '" + kind + "' (known: " + String.join(", ", KINDS)
          + ")");
    }
    Map<String, Double> all = new TreeMap<>(defaults(kind));
    for (Map.Entry<String, Double> e : params.entrySet()) {
      if (!all.containsKey(e.getKey())) {
        throw new IllegalArgumentException("rule " + kind + " has no parameter '" + e.getKey() + "'");
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException("rule " + kind + ": " + e.getKey() + " must be a finite number");
      }
      all.put(e.getKey(), e.getValue());
    }
    params = java.util.Collections.unmodifiableMap(all);
    for (String k : List.of("tc_plus", "tc_minus", "step", "window")) {
      if (params.containsKey(k) && !(params.get(k) > 0)) {
        throw new IllegalArgumentException("rule " + kind + ": " + k + " must be > 0, got " + params.get(k));
      }
    }
  }

  /** A rule with overrides given as key, value pairs. */
  public static RuleSpec of(String kind, Object... kv) {
    Map<String, Double> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return new RuleSpec(kind, p);
  }

  /** A parameter value. */
  public double p(String key) {
    Double v = params.get(key);
    if (v == null) {
      throw new IllegalArgumentException("rule " + kind + " has no parameter '" + key + "'");
    }
    return v;
  }

  private static Map<String, Double> defaults(String kind) {
    Map<String, Double> d = new LinkedHashMap<>();
    switch (kind) {
      case "post-pre":
      case "weight-dependent":
      case "hebbian":
        d.put("nu_pre", 1e-4);
        d.put("nu_post", 1e-2);
        break;
      case "mstdp":
        d.put("nu", 1e-2);
        d.put("a_plus", 1.0);
        d.put("a_minus", -1.0);
        d.put("tc_plus", 20.0);
        d.put("tc_minus", 20.0);
        break;
      case "delay-stdp":
        d.put("step", 1.0);
        d.put("window", 64.0);
        break;
      default:
        break;
    }
    return d;
  }
}
