package org.lottalora.models.snn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One layer of spiking nodes: its name, neuron model, size and parameters. Parameters not given take the
 * model's defaults (BindsNET's, in mV and ms), so a stored spec lists every value it was built with.
 *
 * <p>Models and their parameters: {@code input} (tc_trace); {@code if} (thresh, reset, refrac); {@code lif}
 * (rest, reset, thresh, tc_decay, refrac); {@code adaptive-lif}, Diehl and Cook's neuron (lif's plus
 * theta_plus, tc_theta_decay, one_spike); {@code izhikevich} (a, b, c, d, thresh); {@code mcculloch-pitts}
 * (thresh). Every model also has tc_trace (the spike trace's time constant) and trace_additive (0 or 1).
 *
 * @param name the layer's name, unique in its network
 * @param model the neuron model id
 * @param n the number of neurons
 * @param params every parameter, defaults filled in
 */
public record NodeSpec(String name, String model, int n, Map<String, Double> params) {
  /** The neuron model ids. */
  public static final java.util.List<String> MODELS = java.util.List.of("input", "if", "lif", "adaptive-lif",
      "izhikevich", "mcculloch-pitts");

  /** Validates and fills in defaults. */
  public NodeSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a layer needs a name");
    }
    if (!MODELS.contains(model)) {
      throw new IllegalArgumentException("layer '" + name + "': unknown neuron model '" + model + "' (known: "
          + String.join(", ", MODELS) + ")");
    }
    if (n < 1) {
      throw new IllegalArgumentException("layer '" + name + "': size must be >= 1, got " + n);
    }
    Map<String, Double> all = new TreeMap<>(defaults(model));
    for (Map.Entry<String, Double> e : params.entrySet()) {
      if (!all.containsKey(e.getKey())) {
        throw new IllegalArgumentException("layer '" + name + "': model " + model + " has no parameter '"
            + e.getKey() + "' (it has " + String.join(", ", all.keySet()) + ")");
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException("layer '" + name + "': " + e.getKey() + " must be a finite number");
      }
      all.put(e.getKey(), e.getValue());
    }
    params = java.util.Collections.unmodifiableMap(all);
    positive(name, params, "tc_trace");
    if (params.containsKey("tc_decay")) {
      positive(name, params, "tc_decay");
    }
    if (params.containsKey("tc_theta_decay")) {
      positive(name, params, "tc_theta_decay");
    }
    if (params.containsKey("refrac") && params.get("refrac") < 0) {
      throw new IllegalArgumentException("layer '" + name + "': refrac must be >= 0, got " + params.get("refrac"));
    }
    if (params.containsKey("reset") && params.containsKey("thresh") && !model.equals("izhikevich")
        && params.get("reset") >= params.get("thresh")) {
      throw new IllegalArgumentException("layer '" + name + "': reset (" + params.get("reset")
          + ") must be below thresh (" + params.get("thresh") + ")");
    }
  }

  /** A spec with the model's defaults overridden by {@code params} (keys "k", values numbers). */
  public static NodeSpec of(String name, String model, int n, Object... kv) {
    Map<String, Double> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return new NodeSpec(name, model, n, p);
  }

  /** A parameter value. */
  public double p(String key) {
    Double v = params.get(key);
    if (v == null) {
      throw new IllegalArgumentException("layer '" + name + "' (" + model + ") has no parameter '" + key + "'");
    }
    return v;
  }

  private static void positive(String name, Map<String, Double> p, String key) {
    if (!(p.get(key) > 0)) {
      throw new IllegalArgumentException("layer '" + name + "': " + key + " must be > 0, got " + p.get(key));
    }
  }

  /** The defaults of a model (BindsNET's values). */
  public static Map<String, Double> defaults(String model) {
    Map<String, Double> d = new LinkedHashMap<>();
    d.put("tc_trace", 20.0);
    d.put("trace_additive", 0.0);
    switch (model) {
      case "input":
        break;
      case "if":
        d.put("thresh", -52.0);
        d.put("reset", -65.0);
        d.put("refrac", 5.0);
        break;
      case "lif":
        lif(d);
        break;
      case "adaptive-lif":
        lif(d);
        d.put("theta_plus", 0.05);
        d.put("tc_theta_decay", 1e7);
        d.put("one_spike", 1.0);
        break;
      case "izhikevich":
        d.put("a", 0.02);
        d.put("b", 0.2);
        d.put("c", -65.0);
        d.put("d", 8.0);
        d.put("thresh", 30.0);
        break;
      case "mcculloch-pitts":
        d.put("thresh", 1.0);
        break;
      default:
        throw new IllegalArgumentException("unknown neuron model '" + model + "'");
    }
    return d;
  }

  private static void lif(Map<String, Double> d) {
    d.put("rest", -65.0);
    d.put("reset", -65.0);
    d.put("thresh", -52.0);
    d.put("tc_decay", 100.0);
    d.put("refrac", 5.0);
  }
}
