package org.lottalora.models;

import java.nio.file.Path;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TrustPolicy;

/**
 * The one entry point that loads an artifact of any family: the family that wrote it ({@link FamilyRegistry#of})
 * regenerates the scaffold from the seed, checks generator, records, fingerprints and tensors, and returns its own
 * model type ({@link LottaModel}, {@code VitModel}, {@code LmModel}, {@code GraphModel}, ...). Related-work
 * artifacts (reservoir, spiking) and adapted SameDiff graphs load through {@link AnyModel}.
 *
 * <pre>{@code
 * VitModel vit = Lotta.load(Path.of("vit.lotta"), VitModel.class);
 * float[][] p = vit.probabilities(images);
 * }</pre>
 */
public final class Lotta {
  private Lotta() {}

  /** Loads {@code path} (signature checked if it has one), as whatever model its family makes. */
  public static Object load(Path path) {
    return load(ArtifactCodec.open(path), path);
  }

  /** Loads {@code path} under {@code trust} (its signer checked before anything is parsed). */
  public static Object load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path);
  }

  private static Object load(ArtifactFile f, Path path) {
    return FamilyRegistry.of(f).map(fam -> fam.load(f, path.toString())).orElseGet(() -> AnyModel.load(f,
        path.toString()));
  }

  /**
   * Loads {@code path} and checks that it is a {@code type}.
   *
   * @throws IllegalArgumentException naming the model type the file holds when it is another
   */
  public static <T> T load(Path path, Class<T> type) {
    Object m = load(path);
    if (!type.isInstance(m)) {
      throw new IllegalArgumentException(path + " holds a " + m.getClass().getSimpleName() + ", not a "
          + type.getSimpleName() + "; load it as " + m.getClass().getSimpleName());
    }
    return type.cast(m);
  }
}
