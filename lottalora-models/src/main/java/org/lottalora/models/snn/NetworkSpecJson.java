package org.lottalora.models.snn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link NetworkSpec} from JSON, so a user can describe a network of their own:
 * <pre>
 * {"dt": 1.0,
 *  "layers": [{"name": "input", "model": "input", "n": 64},
 *             {"name": "exc", "model": "lif", "n": 100, "params": {"thresh": -50}}],
 *  "connections": [{"name": "in_exc", "source": "input", "target": "exc", "topology": "dense",
 *                   "params": {"w_lo": 0, "w_hi": 0.3, "wmin": 0, "wmax": 1},
 *                   "rule": "post-pre", "rule_params": {"nu_post": 0.01}}]}
 * </pre>
 * Errors name the file and the element ({@code layers[1]}, {@code connections[0].params.wmin}).
 */
public final class NetworkSpecJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NetworkSpecJson() {
  }

  /** Parses {@code file}; throws IllegalArgumentException naming the file and element on any problem. */
  public static NetworkSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read network spec " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses JSON text; {@code where} names its source in errors. */
  public static NetworkSpec parse(String text, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not valid JSON (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + ": a network spec is a JSON object with dt, layers, connections");
    }
    double dt = root.has("dt") ? number(root.get("dt"), where, "dt") : 1.0;
    List<NodeSpec> layers = new ArrayList<>();
    JsonNode ls = array(root, "layers", where);
    for (int i = 0; i < ls.size(); i++) {
      String at = "layers[" + i + "]";
      JsonNode l = ls.get(i);
      try {
        layers.add(new NodeSpec(text(l, "name", where, at), text(l, "model", where, at), integer(l, "n", where, at),
            params(l.get("params"), where, at + ".params")));
      } catch (IllegalArgumentException e) {
        throw rethrow(e, where, at);
      }
    }
    List<ConnectionSpec> conns = new ArrayList<>();
    JsonNode cs = root.has("connections") ? array(root, "connections", where) : JSON.createArrayNode();
    for (int i = 0; i < cs.size(); i++) {
      String at = "connections[" + i + "]";
      JsonNode c = cs.get(i);
      try {
        RuleSpec rule = new RuleSpec(c.has("rule") ? text(c, "rule", where, at) : "none",
            params(c.get("rule_params"), where, at + ".rule_params"));
        conns.add(new ConnectionSpec(text(c, "name", where, at), text(c, "source", where, at),
            text(c, "target", where, at), c.has("topology") ? text(c, "topology", where, at) : "dense",
            params(c.get("params"), where, at + ".params"), rule));
      } catch (IllegalArgumentException e) {
        throw rethrow(e, where, at);
      }
    }
    try {
      return new NetworkSpec(layers, conns, dt);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static IllegalArgumentException rethrow(IllegalArgumentException e, String where, String at) {
    return e.getMessage().startsWith(where) ? e
        : new IllegalArgumentException(where + ": " + at + ": " + e.getMessage());
  }

  private static JsonNode array(JsonNode root, String key, String where) {
    JsonNode a = root.get(key);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException(where + ": '" + key + "' must be a JSON array");
    }
    return a;
  }

  private static String text(JsonNode n, String key, String where, String at) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(where + ": " + at + "." + key + " must be a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String key, String where, String at) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(where + ": " + at + "." + key + " must be a whole number");
    }
    return v.asInt();
  }

  private static double number(JsonNode v, String where, String at) {
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(where + ": " + at + " must be a number");
    }
    return v.asDouble();
  }

  private static Map<String, Double> params(JsonNode n, String where, String at) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException(where + ": " + at + " must be an object of numbers");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), number(e.getValue(), where, at + "." + e.getKey()));
    }
    return out;
  }
}
