package org.lottalora.models;

import org.lottalora.core.train.TrainingRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.BackboneRecord;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Adapter;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.MlpConfig;
import org.lottalora.format.proto.ScalingRule;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;
import org.lottalora.format.proto.Training;

/**
 * Translates between the library's records and the artifact's protobuf messages, in both directions. The
 * only place that knows both vocabularies.
 */
public final class ArtifactMapper {
  private ArtifactMapper() {}

  /** SHA-256 of a dataset's rows as loaded: features fp32 LE, then labels i32 LE. */
  public static byte[] datasetHash(Dataset d) {
    MessageDigest md = BackboneRecord.sha256();
    ByteBuffer b = ByteBuffer.allocate(d.features().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(d.features());
    md.update(b.array());
    ByteBuffer l = ByteBuffer.allocate(d.labels().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    l.asIntBuffer().put(d.labels());
    md.update(l.array());
    return md.digest();
  }

  static TensorRole role(TrainedTensor.Kind k) {
    return switch (k) {
      case LORA_A -> TensorRole.LORA_A;
      case LORA_B -> TensorRole.LORA_B;
      case BETA -> TensorRole.BETA;
      case WEIGHT -> TensorRole.WEIGHT;
      case BIAS, STATISTIC -> TensorRole.BIAS;
    };
  }

  /** The role of a hand-written engine's trained array, from its name's suffix. */
  public static TensorRole roleByName(String name) {
    return name.endsWith(".lora_A") ? TensorRole.LORA_A : name.endsWith(".lora_B") ? TensorRole.LORA_B
        : name.endsWith(".beta") ? TensorRole.BETA : name.endsWith(".bias") ? TensorRole.BIAS : TensorRole.WEIGHT;
  }

  /** The adapter records of a graph: one per adapted affine step. */
  static List<Adapter> adapters(ModelGraph g, AdapterConfig ac) {
    return g.densePlan() == null ? new java.util.ArrayList<>() : adapters(g.densePlan(), ac);
  }

  /** The adapter records of a dense plan's adapted layers, in order. */
  static List<Adapter> adapters(List<LayerStep> densePlan, AdapterConfig ac) {
    List<Adapter> out = new java.util.ArrayList<>();
    for (LayerStep s : densePlan) {
      if (s instanceof LayerStep.Affine a && a.loraA() != null) {
        int r = ac.effectiveRank(a.dIn(), a.dOut()); // the layer's own rank, not the configured one
        out.add(Adapter.newBuilder().setTarget(a.weight()).setRank(r).setAlpha(ac.recordedAlpha(r))
            .setScalingRule(ac.rsLora() ? ScalingRule.ALPHA_OVER_SQRT_R : ScalingRule.ALPHA_OVER_R)
            .setA(a.loraA()).setB(a.loraB()).setBeta(a.beta() == null ? "" : a.beta()).build());
      }
    }
    return out;
  }

  static Artifact toProto(ModelSpec spec, Backbone backbone, ModelGraph graph, LottaModel.Provenance p,
      Normalization norm, LottaModel.SaveOptions opts) {
    org.lottalora.format.proto.ModelSpec.Builder ms = org.lottalora.format.proto.ModelSpec.newBuilder()
        .setFamily(spec.family()).setInputDim(spec.inputDim()).setClasses(spec.classes()).setFull(spec.full());
    MlpConfig.Builder mlp = MlpConfig.newBuilder().setDropout(spec.dropout());
    for (int w : spec.widths()) {
      mlp.addWidths(w);
    }
    ms.setMlp(mlp);
    // the header and adapter record as every family writes them (EngineArtifacts); the dense parts follow
    Artifact.Builder a = EngineArtifacts.newArtifact(spec.seed(), spec.init(), backbone, opts.fullHash()).setModel(ms);
    AdapterConfig ac = spec.adapter();
    a.setAdapter(EngineArtifacts.adapterRecord(ac));
    if (!spec.full()) {
      a.addAllAdapters(adapters(graph, ac));
    }
    Map<String, float[]> values = graph.trainedValues();
    for (TrainedTensor t : graph.trained()) {
      a.addTensors(TensorCodec.encode(t.name(), t.shape(), role(t.kind()), values.get(t.name()), opts.dtype()));
    }
    a.setNormalization(org.lottalora.format.proto.Normalization.newBuilder().setMean(norm.mean())
        .setStd(norm.std()));
    Training.Builder tr = p == null ? TrainingRecord.untrained("").toProto(0, 0)
        : p.record().toProto(p.report() == null ? 0 : p.report().trainableParams(),
            p.report() == null ? 0 : p.report().modelParams());
    if (opts.dtype() != DType.FLOAT32) {
      a.addHistory("stored as " + TensorCodec.shortName(opts.dtype()) + " at save time by " + LottaModel.PRODUCER);
    }
    return a.setTraining(tr).build();
  }

  /**
   * The model spec an artifact of the dense / SameDiff families records, without regenerating its backbone
   * (distributed scoring reads the input width on the driver before any executor loads the model).
   *
   * @throws ArtifactException naming {@code where} for a family this spec does not describe
   */
  public static ModelSpec spec(Artifact a, String where) {
    org.lottalora.format.proto.ModelSpec m = a.getModel();
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.RESERVOIR) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a reservoir (family '" + m.getFamily()
          + "'): load it with ReservoirModel.load, or use `lottalora reservoir eval|forecast`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.SNN) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a spiking network (family '" + m.getFamily()
          + "'): load it with SnnArtifact.load, or use `lottalora snn eval|inspect`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.TEXT) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a Transformer text classifier (family '"
          + m.getFamily() + "'): load it with TextModel.load, or use `lottalora text eval|predict`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.VIT) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a Vision Transformer (family '"
          + m.getFamily() + "'): load it with VitModel.load, or use `lottalora vit eval|predict`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.LM) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a byte-level language model (family '"
          + m.getFamily() + "'): load it with LmModel.load, or use `lottalora lm eval` / `lottalora generate`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.SEQUENCE) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a recurrent sequence model (family '"
          + m.getFamily() + "'): load it with RecurrentModel.load, or use `lottalora sequence eval`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.GRAPH) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a graph network (family '" + m.getFamily()
          + "'): load it with GraphModel.load, or use `lottalora graph eval|predict`");
    }
    if (m.getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.SAMEDIFF) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is an adapted SameDiff graph (family '"
          + m.getFamily() + "'): load it with GraphArtifacts.load, or use `lottalora eval|predict|inspect`, or "
          + "`lottalora export --format samediff` for the merged graph (--base FILE for a pretrained base)");
    }
    if (Families.ON_ENGINE.contains(m.getFamily())) { // a CfC written by the former SameDiff family
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a CfC (family '" + m.getFamily()
          + "', now on the recurrent engine): load it with RecurrentModel.load or AnyModel.load, or use "
          + "`lottalora eval|predict|inspect`");
    }
    if (!a.hasModel() || !a.hasBackbone() || !a.hasAdapter()) {
      throw new ArtifactException(Reason.MALFORMED, where + ": missing " + (!a.hasModel() ? "model spec"
          : !a.hasBackbone() ? "backbone" : "adapter config"));
    }
    BackboneRecord.checkGenerator(a, where);
    try {
      Families.get(m.getFamily());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + ": " + e.getMessage() + " (a newer lottalora "
          + "may have it)");
    }
    if (m.getConfigCase() != org.lottalora.format.proto.ModelSpec.ConfigCase.MLP) {
      throw new ArtifactException(Reason.MALFORMED, where + ": family '" + m.getFamily() + "' needs an mlp "
          + "config, the file has " + m.getConfigCase());
    }
    org.lottalora.format.proto.AdapterConfig ac = a.getAdapter();
    try {
      int[] widths = m.getMlp().getWidthsList().stream().mapToInt(Integer::intValue).toArray();
      return new ModelSpec(m.getFamily(), m.getInputDim(), m.getClasses(), widths, m.getMlp().getDropout(),
          a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where),
          new AdapterConfig(ac.getRank(), ac.getAlpha(), ac.getRsLora(), ac.getTrainBeta(), ac.getDropout(),
              ac.getTrainBias(), ac.getInitSeed(), ac.getDora(), ac.getResidual(), ac.getLayerNorm()), m.getFull());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid model spec: " + e.getMessage());
    }
  }

  /** Decodes every stored tensor to fp32 (validating values). */
  static Map<String, float[]> tensors(Artifact a, String where) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Tensor t : a.getTensorsList()) {
      out.put(t.getName(), TensorCodec.decode(t, where));
    }
    return out;
  }

  static Normalization normalization(Artifact a, String where) {
    try {
      return a.hasNormalization()
          ? new Normalization(a.getNormalization().getMean(), a.getNormalization().getStd())
          : Normalization.NONE;
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
  }
}
