package org.lottalora.models;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Metrics;
import org.lottalora.format.proto.MlpConfig;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.Training;

/**
 * Translates between the library's records and the artifact's protobuf messages, in both directions. The
 * only place that knows both vocabularies.
 */
final class ArtifactMapper {
  static final int FINGERPRINT_VALUES = 64;

  private ArtifactMapper() {}

  static org.lottalora.format.proto.InitSpec init(InitSpec s) {
    return org.lottalora.format.proto.InitSpec.newBuilder().setFamily(s.family().id())
        .putAllParams(s.params()).build();
  }

  static InitSpec init(org.lottalora.format.proto.InitSpec p, String where) {
    try {
      return new InitSpec(InitFamily.byId(p.getFamily()), new TreeMap<>(p.getParamsMap()));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
  }

  /** SHA-256 of the first {@value #FINGERPRINT_VALUES} values: cheap, and catches a generator mismatch. */
  static byte[] fingerprint(float[] v) {
    float[] head = Arrays.copyOf(v, Math.min(FINGERPRINT_VALUES, v.length));
    try {
      return MessageDigest.getInstance("SHA-256").digest(ArtifactCodec.floatsToBytes(head));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Artifact toProto(ModelSpec spec, Backbone backbone, Map<String, float[]> trained,
      Map<String, long[]> shapes, Normalization norm, String dataset, TrainConfig tc, long splitSeed,
      TrainReport report, int threads) {
    org.lottalora.format.proto.Backbone.Builder bb = org.lottalora.format.proto.Backbone.newBuilder()
        .setGenerator(Backbone.GENERATOR_ID).setSeed(spec.seed()).setInit(init(spec.init()));
    for (TensorSpec t : backbone.specs().values()) {
      org.lottalora.format.proto.BackboneTensor.Builder b = org.lottalora.format.proto.BackboneTensor.newBuilder()
          .setName(t.name()).setInit(init(t.init())).setFanIn(t.fanIn()).setFanOut(t.fanOut())
          .setFingerprint(ByteString.copyFrom(fingerprint(backbone.get(t.name()))));
      for (int d : t.shape()) {
        b.addShape(d);
      }
      bb.addTensors(b);
    }
    org.lottalora.format.proto.ModelSpec.Builder ms = org.lottalora.format.proto.ModelSpec.newBuilder()
        .setFamily(spec.family()).setInputDim(spec.inputDim()).setClasses(spec.classes()).setFull(spec.full());
    MlpConfig.Builder mlp = MlpConfig.newBuilder().setDropout(spec.dropout());
    for (int w : spec.widths()) {
      mlp.addWidths(w);
    }
    ms.setMlp(mlp);
    Artifact.Builder a = Artifact.newBuilder().setProducer(LottaModel.PRODUCER)
        .setCreatedUnixMs(System.currentTimeMillis()).setBackbone(bb).setModel(ms);
    AdapterConfig ac = spec.adapter();
    a.setAdapter(org.lottalora.format.proto.AdapterConfig.newBuilder().setRank(ac.rank()).setAlpha(ac.alpha())
        .setRsLora(ac.rsLora()).setTrainBeta(ac.trainBeta()).setDropout(ac.dropout())
        .setTrainBias(ac.trainBias()).setInitSeed(ac.initSeed()));
    for (Map.Entry<String, float[]> e : trained.entrySet()) {
      Tensor.Builder t = Tensor.newBuilder().setName(e.getKey()).setDtype(DType.FLOAT32)
          .setData(ByteString.copyFrom(ArtifactCodec.floatsToBytes(e.getValue())));
      for (long d : shapes.get(e.getKey())) {
        t.addShape(d);
      }
      a.addTensors(t);
    }
    a.setNormalization(org.lottalora.format.proto.Normalization.newBuilder().setMean(norm.mean())
        .setStd(norm.std()));
    Training.Builder tr = Training.newBuilder().setDataset(dataset == null ? "" : dataset)
        .setJavaVersion(System.getProperty("java.version")).setThreads(threads);
    if (tc != null) {
      tr.setConfig(org.lottalora.format.proto.TrainConfig.newBuilder().setEpochs(tc.epochs())
          .setBatchSize(tc.batchSize()).setLearningRate(tc.learningRate()).setWeightDecay(tc.weightDecay())
          .setWarmupEpochs(tc.warmupEpochs()).setCosine(tc.cosine()).setPatience(tc.patience())
          .setShuffleSeed(tc.shuffleSeed()).setSplitSeed(splitSeed));
    }
    if (report != null) {
      tr.setMetrics(Metrics.newBuilder().setTestAccuracy(report.testAccuracy())
          .setBestValAccuracy(report.bestValAccuracy()).setBestEpoch(report.bestEpoch())
          .setEpochsRun(report.epochs().size()).setTrainableParams(report.trainableParams())
          .setModelParams(report.modelParams()).setWallSeconds(report.wallSeconds())
          .setSamplesPerSecond(report.samplesPerSecond())
          .setFailure(report.failure() == null ? "" : report.failure()));
      tr.putAllBetas(report.betas());
    }
    return a.setTraining(tr).build();
  }

  static ModelSpec spec(Artifact a, String where) {
    if (!a.hasModel() || !a.hasBackbone() || !a.hasAdapter()) {
      throw new ArtifactException(Reason.MALFORMED, where + ": missing " + (!a.hasModel() ? "model spec"
          : !a.hasBackbone() ? "backbone" : "adapter config"));
    }
    if (!Backbone.GENERATOR_ID.equals(a.getBackbone().getGenerator())) {
      throw new ArtifactException(Reason.UNKNOWN_GENERATOR, where + " needs backbone generator '"
          + a.getBackbone().getGenerator() + "'; this build has only '" + Backbone.GENERATOR_ID + "'");
    }
    org.lottalora.format.proto.ModelSpec m = a.getModel();
    try {
      Families.get(m.getFamily());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + ": " + e.getMessage());
    }
    org.lottalora.format.proto.AdapterConfig ac = a.getAdapter();
    try {
      int[] widths = m.getMlp().getWidthsList().stream().mapToInt(Integer::intValue).toArray();
      return new ModelSpec(m.getFamily(), m.getInputDim(), m.getClasses(), widths, m.getMlp().getDropout(),
          a.getBackbone().getSeed(), init(a.getBackbone().getInit(), where),
          new AdapterConfig(ac.getRank(), ac.getAlpha(), ac.getRsLora(), ac.getTrainBeta(), ac.getDropout(),
              ac.getTrainBias(), ac.getInitSeed()), m.getFull());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid model spec: " + e.getMessage());
    }
  }

  static Map<String, float[]> tensors(Artifact a) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Tensor t : a.getTensorsList()) {
      out.put(t.getName(), ArtifactCodec.bytesToFloats(t.getData()));
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
