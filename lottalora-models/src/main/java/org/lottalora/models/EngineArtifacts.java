package org.lottalora.models;

import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/**
 * The artifact protocol of the hand-written engines' families (ViT, text encoder, byte LM, GCN, GIN, recurrent
 * cells, and through {@link FamilyArtifact} a family configured by its settings): {@link #write} is the one writer of
 * the header, backbone record, adapter record (every switch), trained tensors and training record
 * ({@link TrainingRecord}); a loader checks in one order, {@link #require} (config, generator), then
 * {@link #scaffold} (records, fingerprints on samples, regeneration, every fingerprint), then {@link #trained}
 * (names and lengths). A family supplies only the mapping of its config to and from its message.
 */
public final class EngineArtifacts {
  private EngineArtifacts() {
  }

  /** A new artifact produced by this build, with the regenerated scaffold's record (seed, init, fingerprints). */
  public static Artifact.Builder newArtifact(long seed, InitSpec init, Backbone backbone) {
    return newArtifact(seed, init, backbone, false);
  }

  /**
   * The header every artifact of a seeded scaffold starts with, the one place it is written (the engine families,
   * a settings family, the dense families' {@code ArtifactMapper}, adapters on a seeded SameDiff graph): producer,
   * creation time, and the backbone record, with the SHA-256 of every backbone value when {@code fullHash}.
   */
  public static Artifact.Builder newArtifact(long seed, InitSpec init, Backbone backbone, boolean fullHash) {
    return Artifact.newBuilder().setProducer(LottaModel.PRODUCER).setProducerName(LottaModel.PRODUCER_NAME)
        .setProducerVersion(LottaModel.VERSION).setCreatedUnixMs(System.currentTimeMillis())
        .setBackbone(BackboneRecord.backboneRecord(seed, init, backbone, fullHash));
  }

  /**
   * The adapter record, the one place it is written for every family: rank, alpha, rsLoRA, beta, adapter dropout and
   * trained biases (the dense families'; 0 and false, so absent, for the engines), A's seed and the DoRA / residual /
   * LayerNorm switches. Every switch is written: a loader that rebuilt the model without one would
   * build another model than the one trained (a DoRA ViT saved without {@code dora} could not be reloaded).
   */
  public static org.lottalora.format.proto.AdapterConfig adapterRecord(AdapterConfig ac) {
    return org.lottalora.format.proto.AdapterConfig.newBuilder().setRank(ac.rank()).setAlpha(ac.alpha())
        .setRsLora(ac.rsLora()).setTrainBeta(ac.trainBeta()).setDropout(ac.dropout()).setTrainBias(ac.trainBias())
        .setInitSeed(ac.initSeed()).setDora(ac.dora()).setResidual(ac.residual()).setLayerNorm(ac.layerNorm())
        .build();
  }

  /**
   * The first checks of every engine family's loader, in the protocol's order: the file holds this family's config
   * (else {@code UNKNOWN_FAMILY}, pointing to {@link Lotta#load}, which finds the right loader), then its backbone
   * generator is this build's. Returns the model record.
   *
   * @param what the model, for the error ("ViT")
   */
  public static org.lottalora.format.proto.ModelSpec require(Artifact a,
      org.lottalora.format.proto.ModelSpec.ConfigCase config, String where, String what) {
    if (!a.hasModel() || a.getModel().getConfigCase() != config) {
      throw new org.lottalora.format.ArtifactException(org.lottalora.format.ArtifactException.Reason.UNKNOWN_FAMILY,
          where + " is not a " + what + " (family '" + a.getModel().getFamily() + "'): load it with Lotta.load, "
          + "which picks its family's loader");
    }
    org.lottalora.core.backbone.BackboneRecord.checkGenerator(a, where);
    return a.getModel();
  }

  /**
   * The adapter config an adapter record describes, for the graph, recurrent and option-configured families: every
   * switch read back (DoRA, residual, LayerNorm); trained biases refused ({@link #refuseSwitches}).
   */
  public static AdapterConfig adapterWithBlocks(org.lottalora.format.proto.AdapterConfig pa) {
    refuseSwitches(pa, false);
    return new AdapterConfig(pa.getRank(), pa.getAlpha(), pa.getRsLora(), pa.getTrainBeta(), 0, false,
        pa.getInitSeed()).withVariants(pa.getDora(), pa.getResidual(), pa.getLayerNorm());
  }

  /**
   * The adapter config an adapter record describes, for the Transformer families: DoRA is read back; trained
   * biases, residual and LayerNorm are refused (an IllegalArgumentException naming the switch, which the loaders
   * report as a malformed spec), since these families implement none of them (see {@link #refuseBlockSwitches})
   * and the toolkit never writes them here.
   */
  public static AdapterConfig adapter(org.lottalora.format.proto.AdapterConfig pa) {
    refuseSwitches(pa, true);
    return new AdapterConfig(pa.getRank(), pa.getAlpha(), pa.getRsLora(), pa.getTrainBeta(), 0, false,
        pa.getInitSeed()).withVariants(pa.getDora(), false, false);
  }

  /**
   * Refuses adapter switches a family's engine does not implement: trained biases always (no engine family
   * trains its biases), and residual and LayerNorm when {@code transformer} (a Transformer block already has both;
   * DoRA every engine family implements, in its adapted layer).
   */
  public static void refuseSwitches(org.lottalora.format.proto.AdapterConfig pa, boolean transformer) {
    String bad = pa.getTrainBias() ? "train_bias" : !transformer ? null : pa.getResidual() ? "residual"
        : pa.getLayerNorm() ? "layer_norm" : null;
    if (bad != null) {
      throw new IllegalArgumentException("the adapter record sets " + bad + ", which this family does not "
          + "implement (the toolkit never writes it here): the file was altered or written by another tool");
    }
  }

  /**
   * Refuses, when a Transformer family ({@code family}: "ViT", "text encoder", "byte LM") is built, the adapter
   * switches residual and LayerNorm: each block already adds its input and normalises (pre-norm), so the switches
   * would change nothing and a model would claim a variant it does not have.
   *
   * @throws IllegalArgumentException naming the switch and what to use instead
   */
  public static void refuseBlockSwitches(AdapterConfig ac, String family) {
    if (ac.residual() || ac.layerNorm()) {
      throw new IllegalArgumentException("--" + (ac.residual() ? "residual" : "layer-norm") + " does not apply to "
          + "a " + family + ": its blocks already have residual connections and norms; drop the option (DoRA "
          + "applies; --residual and --layer-norm are for the MLP, graph and recurrent families)");
    }
  }

  /** Refuses a {@code ModelSpec.full} flag that contradicts the matrix modes the family config states. */
  public static void checkFull(boolean recorded, boolean fromModes) {
    if (recorded != fromModes) {
      throw new IllegalArgumentException("ModelSpec.full is " + recorded + " but the matrix modes say "
          + (fromModes ? "every matrix is trained in full" : "some matrices are adapted or frozen")
          + ": the file was altered or written by another tool");
    }
  }

  /**
   * Adds the trained arrays as tensors, each shaped by {@code shapeOf}: matrices stored as {@code dtype} (int8 gets
   * a scale per row), vectors as fp32. Returns the number of values.
   */
  public static long addTrained(Artifact.Builder a, Map<String, float[]> trained, Function<String, long[]> shapeOf,
      DType dtype) {
    long n = 0;
    for (Map.Entry<String, float[]> e : trained.entrySet()) {
      float[] v = e.getValue();
      n += v.length;
      long[] shape = shapeOf.apply(e.getKey());
      a.addTensors(TensorCodec.encode(e.getKey(), shape, ArtifactMapper.roleByName(e.getKey()), v,
          shape.length > 1 ? dtype : DType.FLOAT32));
    }
    return n;
  }

  /**
   * The shape a trained array is stored with: its backbone tensor's shape when it is a 2-D backbone tensor (a head,
   * a matrix trained in full), the adapter factor's own [r', d_in] or [d_out, r'] next to its backbone weight
   * {@code prefix.weight} [d_out, d_in] (so the effective rank of each layer, capped by AdapterConfig.effectiveRank,
   * reads from the file), else a vector of {@code length}.
   */
  public static long[] shapeFromBackbone(Backbone backbone, String name, int length) {
    return shapeOf(backbone.specs(), name, length);
  }

  /** {@link #shapeFromBackbone} over the backbone's tensor specs by name (no values needed). */
  public static long[] shapeOf(Map<String, TensorSpec> specs, String name, int length) {
    TensorSpec t = specs.get(name);
    if (t != null && t.shape().length == 2) {
      return new long[] {t.shape()[0], t.shape()[1]};
    }
    boolean a = name.endsWith(".lora_A");
    if (a || name.endsWith(".lora_B")) {
      TensorSpec w = specs.get(name.substring(0, name.length() - ".lora_A".length()) + ".weight");
      if (w != null && w.shape().length == 2) {
        int side = a ? w.shape()[1] : w.shape()[0]; // A [r, d_in], B [d_out, r]
        if (length % side == 0) {
          return a ? new long[] {length / side, side} : new long[] {side, length / side};
        }
      }
    }
    return new long[] {length};
  }

  /**
   * Writes an engine family's artifact atomically, the one writer of every part but the family's config: the
   * producer and backbone record of {@code backbone} (seed, init, one record and fingerprint per tensor), the
   * family's {@code model} record (its config message), the adapter record (every switch), the trained arrays as
   * tensors (matrices as {@code dtype}, vectors fp32, each shaped by {@code shapeOf}) and the training record;
   * signed with {@code key} when not null.
   *
   * @param modelParams the full model's values, for the trainable fraction {@code inspect} shows
   */
  public static void write(Path path, long seed, InitSpec init, Backbone backbone,
      org.lottalora.format.proto.ModelSpec.Builder model, AdapterConfig adapter, Map<String, float[]> trained,
      Function<String, long[]> shapeOf, TrainingRecord record, long modelParams, DType dtype, PrivateKey key) {
    Artifact.Builder a = newArtifact(seed, init, backbone).setModel(model).setAdapter(adapterRecord(adapter));
    long n = addTrained(a, trained, shapeOf, dtype);
    a.setTraining((record == null ? TrainingRecord.untrained("") : record).toProto(n, modelParams));
    ArtifactCodec.write(a.build(), path, key);
  }

  /**
   * The one reader of a scaffold, after the family rebuilt its spec from its config: the recorded backbone records
   * are checked against the spec's tensors {@code specs}, the fingerprints prechecked on sampled values (before
   * anything is regenerated), the backbone regenerated from {@code seed} on {@code threads} threads (the bits do
   * not depend on them) and every fingerprint checked. The family builds its network on the result and puts back
   * {@link #trained}.
   */
  public static Backbone scaffold(Artifact a, long seed, List<TensorSpec> specs, int threads, String where) {
    BackboneRecord.checkBackboneRecords(a, specs, where);
    return BackboneRecord.regenerateChecked(a, seed, specs, threads, where);
  }

  /**
   * The stored trained tensors, each checked against the network's own array of that name and length
   * ({@code what}: "this ViT", for the error).
   */
  public static Map<String, float[]> trained(Artifact a, Map<String, float[]> expected, String where, String what) {
    return BackboneRecord.trainedTensors(a, expected, where, what);
  }

  /** The values of a scaffold's tensors: the full model's size. */
  public static long values(List<TensorSpec> specs) {
    long n = 0;
    for (TensorSpec t : specs) {
      n += t.size();
    }
    return n;
  }
}
