package org.lottalora.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.lottalora.models.mlp.LinearFamily;
import org.lottalora.models.mlp.MlpFamily;

/**
 * The fixed registry of the SameDiff model families ({@link LottaModel}), keyed by the lower-case id that artifacts
 * store. {@code cfc} is not one of them: {@code lottalora train --family cfc} trains the recurrent engine
 * ({@link org.lottalora.models.recurrent.RecurrentNetwork}) and writes a
 * {@link org.lottalora.models.recurrent.RecurrentModel}, so asking this registry for it names that route.
 */
public final class Families {
  private static final Map<String, ModelFamily> BY_ID = new LinkedHashMap<>();

  static {
    register(new LinearFamily());
    register(new MlpFamily());
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
   * Families that {@code lottalora train --family} accepts besides the registry's, each trained on a hand-written
   * engine: {@code cfc} on the recurrent engine (its artifact is a recurrent sequence model).
   */
  public static final java.util.List<String> ON_ENGINE = java.util.List.of("cfc");

  /**
   * The family with this id.
   *
   * @throws IllegalArgumentException naming the known ids
   */
  public static ModelFamily get(String id) {
    ModelFamily f = BY_ID.get(id.toLowerCase(Locale.ROOT));
    if (f == null && ON_ENGINE.contains(id.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("family '" + id + "' runs on the recurrent engine, not as a SameDiff graph: "
          + "train it with `lottalora train --family cfc` or `lottalora sequence train`, load it with "
          + "RecurrentModel.load (or AnyModel.load)");
    }
    if (f == null) {
      String elsewhere = ELSEWHERE.get(id.toLowerCase(Locale.ROOT));
      throw new IllegalArgumentException(elsewhere != null ? "family '" + id + "' trains with `lottalora " + elsewhere
          + " train`, not `lottalora train`" : "unknown model family '" + id + "'; known: "
          + String.join(", ", BY_ID.keySet()) + ", " + String.join(", ", ON_ENGINE) + "; on their own commands: "
          + "vit, lm, text, graph (gcn, gin), sequence (lstm), reservoir, snn");
    }
    return f;
  }

  /** All families, in registration order. */
  public static Map<String, ModelFamily> all() {
    return java.util.Collections.unmodifiableMap(BY_ID);
  }
}
