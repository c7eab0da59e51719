package org.lottalora.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.lottalora.models.mlp.LinearFamily;
import org.lottalora.models.mlp.MlpFamily;

/** The fixed registry of model families, keyed by the lower-case id that artifacts store. */
public final class Families {
  private static final Map<String, ModelFamily> BY_ID = new LinkedHashMap<>();

  static {
    register(new LinearFamily());
    register(new MlpFamily());
    register(new org.lottalora.models.recurrent.CfcFamily());
    register(new org.lottalora.models.cnn.CnnFamily());
  }

  private Families() {}

  private static void register(ModelFamily f) {
    BY_ID.put(f.id(), f);
  }

  // families on the hand-written engines, whose options differ enough to have their own command groups
  private static final Map<String, String> ELSEWHERE = Map.ofEntries(Map.entry("vit", "vit"),
      Map.entry("byte-lm", "lm"), Map.entry("lm", "lm"), Map.entry("llama", "lm"), Map.entry("text", "text"),
      Map.entry("text-encoder", "text"), Map.entry("gcn", "graph"), Map.entry("gin", "graph"),
      Map.entry("lstm", "sequence"), Map.entry("esn", "reservoir"), Map.entry("diehl-cook", "snn"));

  /**
   * The family with this id.
   *
   * @throws IllegalArgumentException naming the known ids
   */
  public static ModelFamily get(String id) {
    ModelFamily f = BY_ID.get(id.toLowerCase(Locale.ROOT));
    if (f == null) {
      String elsewhere = ELSEWHERE.get(id.toLowerCase(Locale.ROOT));
      throw new IllegalArgumentException(elsewhere != null ? "family '" + id + "' trains with `lottalora " + elsewhere
          + " train`, not `lottalora train`" : "unknown model family '" + id + "'; known: "
          + String.join(", ", BY_ID.keySet()) + "; on their own commands: vit, lm, text, graph (gcn, gin), sequence "
          + "(lstm), reservoir, snn");
    }
    return f;
  }

  /** All families, in registration order. */
  public static Map<String, ModelFamily> all() {
    return java.util.Collections.unmodifiableMap(BY_ID);
  }
}
