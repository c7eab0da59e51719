package org.lottalora.models;

import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.FamilySettings;

/**
 * The artifact protocol for a family whose whole config is its settings ({@link FamilySettings}: option name to
 * text), so that a new family writes and reads its artifacts without a message of its own: one place writes the
 * header, the backbone record, the adapter record (every switch), the model spec with the settings, the trained
 * tensors and the training record, and one place reads them back and checks them in one order: family, generator,
 * records, fingerprints, tensors. The family supplies only the tensor list its settings give and its trained
 * arrays.
 */
public final class FamilyArtifact {
  private FamilyArtifact() {}

  /**
   * What a model is, as the artifact records it.
   *
   * @param family registry id
   * @param settings the family's settings (option name to text)
   * @param inputDim input features
   * @param classes output classes
   * @param full every weight trained (no adapters)
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings
   */
  public record Header(String family, Map<String, String> settings, int inputDim, int classes, boolean full,
      long seed, InitSpec init, AdapterConfig adapter) {
    /** Copies the settings, sorted. */
    public Header {
      settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
    }
  }

  /**
   * Writes a model atomically: matrices as {@code dtype}, vectors as fp32, signed with {@code key} when not null,
   * through the one engine writer ({@link EngineArtifacts#write}).
   *
   * @param shapeOf a trained array's stored shape by name (e.g. {@link EngineArtifacts#shapeFromBackbone})
   * @param record how it was trained ({@link TrainingRecord#ofRun} for a contract family's run)
   */
  public static void write(Path path, Header h, Backbone backbone, Map<String, float[]> trained,
      Function<String, long[]> shapeOf, TrainingRecord record, long modelParams, DType dtype, PrivateKey key) {
    EngineArtifacts.write(path, h.seed(), h.init(), backbone, org.lottalora.format.proto.ModelSpec.newBuilder()
        .setFamily(h.family()).setInputDim(h.inputDim()).setClasses(h.classes()).setFull(h.full())
        .setSettings(FamilySettings.newBuilder().putAllValues(h.settings())), h.adapter(), trained, shapeOf, record,
        modelParams, dtype, key);
  }

  /** Whether {@code a} was written by {@link #write} for {@code family}. */
  public static boolean holds(Artifact a, String family) {
    return a.hasModel() && a.getModel().hasSettings() && a.getModel().getFamily().equals(family);
  }

  /**
   * Reads the header of a {@code family} artifact: the family, then the generator, then the model and adapter
   * records.
   *
   * @throws ArtifactException naming the file and the problem
   */
  public static Header header(ArtifactFile f, String where, String family) {
    Artifact a = f.artifact();
    if (!holds(a, family)) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is not a " + family + " model (family '"
          + (a.hasModel() ? a.getModel().getFamily() : "") + "'): load it with Lotta.load");
    }
    EngineArtifacts.require(a, org.lottalora.format.proto.ModelSpec.ConfigCase.SETTINGS, where, family + " model");
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    try {
      return new Header(family, a.getModel().getSettings().getValuesMap(), a.getModel().getInputDim(),
          a.getModel().getClasses(), a.getModel().getFull(), a.getBackbone().getSeed(),
          BackboneRecord.init(a.getBackbone().getInit(), where), EngineArtifacts.adapterWithBlocks(pa));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid " + family + " spec: " + e.getMessage());
    }
  }

  /**
   * The scaffold of a model whose tensors are {@code specs}: the recorded backbone records are checked against
   * them, the fingerprints prechecked on sampled values, the backbone regenerated from the seed and every
   * fingerprint checked.
   */
  public static Backbone backbone(ArtifactFile f, Header h, List<TensorSpec> specs, String where) {
    return EngineArtifacts.scaffold(f.artifact(), h.seed(), specs, Runtime.getRuntime().availableProcessors(), where);
  }

  /** The stored trained tensors, each checked against the model's own array of that name and length. */
  public static Map<String, float[]> trained(ArtifactFile f, Map<String, float[]> expected, String where,
      String what) {
    return EngineArtifacts.trained(f.artifact(), expected, where, what);
  }
}
