package org.lottalora.models.snn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A connection between two layers: its topology, initial weights, bounds, normalisation, delays and learning
 * rule.
 *
 * <p>Topologies: {@code dense} (every pre to every post); {@code one-to-one} (pre i to post i); {@code all-but-self}
 * (every pair but i to i); {@code local} (the LC-SNN paper's locally connected layer: an {@code in_height x
 * in_width} input seen through {@code kernel x kernel} windows at {@code stride}, {@code filters} neurons per
 * window, unshared weights; post index = filter * positions + window); {@code lattice} (the LM-SNN's
 * distance-dependent inhibition between neurons on a square lattice: {@code w = -min(c_max, c sqrt(d))});
 * {@code local-competition} (the LC-SNN's inhibition: a neuron of a {@code local} layer reaches every neuron of the
 * other {@code filters} at its own window).
 *
 * <p>Weights start at {@code w} everywhere the topology connects, or, when {@code w_hi > w_lo}, uniform in
 * [w_lo, w_hi) drawn from the seed (backbone tensor {@code snn.<name>.weight}). {@code wmin}/{@code wmax} bound them
 * (unbounded when absent); {@code norm} rescales each post neuron's incoming weights to that sum after every
 * learning run. Delays are integer steps in [delay_min, delay_max] (1 = next step; drawn from the seed as
 * {@code snn.<name>.delay} when the two differ).
 *
 * @param name unique in the network; keys the seed streams and the artifact tensors
 * @param source the pre-synaptic layer
 * @param target the post-synaptic layer
 * @param topology one of {@link #TOPOLOGIES}
 * @param params the settings above
 * @param rule how it learns
 */
public record ConnectionSpec(String name, String source, String target, String topology, Map<String, Double> params,
    RuleSpec rule) {
  /** The topology ids. */
  public static final List<String> TOPOLOGIES = List.of("dense", "one-to-one", "all-but-self", "local", "lattice",
      "local-competition");
  private static final Set<String> KEYS = Set.of("w", "w_lo", "w_hi", "wmin", "wmax", "norm", "delay_min",
      "delay_max", "kernel", "stride", "filters", "in_height", "in_width", "c", "c_max");

  /** Validates the settings that do not depend on the layers. */
  public ConnectionSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a connection needs a name");
    }
    if (!TOPOLOGIES.contains(topology)) {
      throw new IllegalArgumentException("connection '" + name + "': unknown topology '" + topology + "' (known: "
          + String.join(", ", TOPOLOGIES) + ")");
    }
    Map<String, Double> all = new TreeMap<>();
    all.put("delay_min", 1.0);
    all.put("delay_max", 1.0);
    for (Map.Entry<String, Double> e : params.entrySet()) {
      if (!KEYS.contains(e.getKey())) {
        throw new IllegalArgumentException("connection '" + name + "': unknown setting '" + e.getKey() + "' (known: "
            + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException("connection '" + name + "': " + e.getKey() + " must be a finite number");
      }
      all.put(e.getKey(), e.getValue());
    }
    params = java.util.Collections.unmodifiableMap(all);
    if (params.containsKey("wmin") && params.containsKey("wmax") && params.get("wmin") > params.get("wmax")) {
      throw new IllegalArgumentException("connection '" + name + "': weight bounds wmin (" + params.get("wmin")
          + ") > wmax (" + params.get("wmax") + "); give wmin <= wmax");
    }
    double dmin = params.get("delay_min");
    double dmax = params.get("delay_max");
    if (dmin < 1 || dmin != Math.rint(dmin) || dmax != Math.rint(dmax) || dmax < dmin) {
      throw new IllegalArgumentException("connection '" + name + "': delays must be whole steps with 1 <= delay_min "
          + "<= delay_max, got " + dmin + " and " + dmax);
    }
    if (params.containsKey("norm") && !(params.get("norm") > 0)) {
      throw new IllegalArgumentException("connection '" + name + "': norm must be > 0, got " + params.get("norm"));
    }
    if (rule == null) {
      rule = RuleSpec.NONE;
    }
    if (rule.kind().equals("weight-dependent") && !(params.containsKey("wmin") && params.containsKey("wmax"))) {
      throw new IllegalArgumentException("connection '" + name + "': the weight-dependent rule needs wmin and wmax");
    }
    if (rule.kind().equals("delay-stdp") && dmax == dmin) {
      throw new IllegalArgumentException("connection '" + name + "': delay-stdp needs a delay range (delay_max > "
          + "delay_min) to move in");
    }
  }

  /** A spec with settings given as key, value pairs. */
  public static ConnectionSpec of(String name, String source, String target, String topology, RuleSpec rule,
      Object... kv) {
    Map<String, Double> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return new ConnectionSpec(name, source, target, topology, p, rule);
  }

  /** A setting, or {@code fallback} when absent. */
  public double p(String key, double fallback) {
    return params.getOrDefault(key, fallback);
  }

  /** A required setting. */
  public double p(String key) {
    Double v = params.get(key);
    if (v == null) {
      throw new IllegalArgumentException("connection '" + name + "' (" + topology + ") needs the setting '" + key
          + "'");
    }
    return v;
  }

  /** True when the initial weights are drawn from the seed. */
  public boolean randomWeights() {
    return params.containsKey("w_hi") && params.get("w_hi") > params.getOrDefault("w_lo", 0.0);
  }

  /** True when the delays are drawn from the seed. */
  public boolean randomDelays() {
    return params.get("delay_max") > params.get("delay_min");
  }

  /** True when the rule changes the weights. */
  public boolean learnsWeights() {
    return !rule.kind().equals("none") && !rule.kind().equals("delay-stdp");
  }

  /** True when the rule changes the delays. */
  public boolean learnsDelays() {
    return rule.kind().equals("delay-stdp");
  }
}
