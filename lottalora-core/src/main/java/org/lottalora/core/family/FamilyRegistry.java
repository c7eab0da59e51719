package org.lottalora.core.family;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.lottalora.format.ArtifactFile;

/**
 * The one registry of model families: every {@link Family} on the class path, found through
 * {@link ServiceLoader} (each module lists its families in {@code META-INF/services/org.lottalora.core.family.Family}),
 * keyed by id. Nothing is instantiated by a class name read from an artifact: an artifact names its family by
 * id, or is recognised by {@link Family#owns}.
 */
public final class FamilyRegistry {
  // related-work models that are not adapter families: where they live instead
  private static final Map<String, String> ELSEWHERE = Map.of("esn", "lottalora reservoir train",
      "reservoir", "lottalora reservoir train", "snn", "lottalora snn train", "diehl-cook", "lottalora snn train");

  private static volatile Map<String, Family> byId;

  private FamilyRegistry() {}

  private static Map<String, Family> families() {
    Map<String, Family> m = byId;
    if (m == null) {
      synchronized (FamilyRegistry.class) {
        if (byId == null) {
          Map<String, Family> found = new LinkedHashMap<>();
          for (Family f : ServiceLoader.load(Family.class, FamilyRegistry.class.getClassLoader())) {
            Family before = found.putIfAbsent(f.id(), f);
            if (before != null && before.getClass() != f.getClass()) {
              throw new IllegalStateException("two families registered as '" + f.id() + "': "
                  + before.getClass().getName() + " and " + f.getClass().getName());
            }
          }
          byId = found;
        }
        m = byId;
      }
    }
    return m;
  }

  /** Every registered family, by id, in class-path order. */
  public static Map<String, Family> all() {
    return java.util.Collections.unmodifiableMap(families());
  }

  /** The registered ids. */
  public static List<String> ids() {
    return new ArrayList<>(families().keySet());
  }

  /**
   * The family with this id.
   *
   * @throws IllegalArgumentException in one line listing the valid ids (and where a related-work model lives)
   */
  public static Family get(String id) {
    String key = id == null ? "" : id.toLowerCase(Locale.ROOT);
    Family f = families().get(key);
    if (f != null) {
      return f;
    }
    String elsewhere = ELSEWHERE.get(key);
    if (elsewhere != null) {
      throw new IllegalArgumentException("'" + id + "' is a related-work model without LoRA adapters, not a model "
          + "family: train it with `" + elsewhere + "`; families: " + String.join(", ", ids()));
    }
    throw new IllegalArgumentException("unknown model family '" + id + "'; valid: " + String.join(", ", ids()));
  }

  /** The family that wrote this artifact, if any registered family recognises it. */
  public static Optional<Family> of(ArtifactFile file) {
    for (Family f : families().values()) {
      if (f.owns(file.artifact())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
