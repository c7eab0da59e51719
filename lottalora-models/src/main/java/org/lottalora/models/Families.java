package org.lottalora.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyRegistry;

/**
 * The dense families built as SameDiff graphs ({@link ModelFamily}: linear, mlp, cnn), as a view of the one
 * registry ({@link FamilyRegistry}). Asking it for a family of the hand-written engines (cfc, lstm, gcn, gin, vit,
 * text, lm) names that family's loader; an unknown id lists the valid ones.
 */
public final class Families {
  private Families() {}

  /**
   * Families that {@code lottalora train --family} trains itself on a hand-written engine although its options are
   * the dense ones ({@code --widths hidden,units}): {@code cfc}; also the family id of CfC artifacts written by
   * the former SameDiff family, which load as recurrent models.
   */
  public static final java.util.List<String> ON_ENGINE = java.util.List.of("cfc");

  /**
   * The dense family with this id.
   *
   * @throws IllegalArgumentException naming the known ids, or where an engine family's artifacts load
   */
  public static ModelFamily get(String id) {
    Family f = FamilyRegistry.get(id);
    if (f instanceof ModelFamily m) {
      return m;
    }
    throw new IllegalArgumentException("family '" + f.id() + "' trains on the hand-written engine, not as a SameDiff "
        + "graph: train it with `lottalora train --family " + f.id() + "`, load it with Lotta.load");
  }

  /** The dense families, in registry order. */
  public static Map<String, ModelFamily> all() {
    Map<String, ModelFamily> m = new LinkedHashMap<>();
    FamilyRegistry.all().forEach((k, v) -> {
      if (v instanceof ModelFamily mf) {
        m.put(k, mf);
      }
    });
    return java.util.Collections.unmodifiableMap(m);
  }
}
