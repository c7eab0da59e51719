package org.lottalora.models;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Adapter;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.BackboneTensor;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Metrics;
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
  /** Values sampled per backbone tensor for its fingerprint. */
  static final int FINGERPRINT_VALUES = 64;

  private ArtifactMapper() {}

  /** The artifact's form of an init spec. */
  public static org.lottalora.format.proto.InitSpec init(InitSpec s) {
    return org.lottalora.format.proto.InitSpec.newBuilder().setFamily(s.family().id())
        .putAllParams(s.params()).build();
  }

  public static InitSpec init(org.lottalora.format.proto.InitSpec p, String where) {
    try {
      return new InitSpec(InitFamily.byId(p.getFamily()), new TreeMap<>(p.getParamsMap()));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
  }

  /**
   * SHA-256 of {@value #FINGERPRINT_VALUES} values at indices {@code floor(k * n / 64)}, k = 0..63 (all values
   * when n is at most 64), as fp32 little-endian: cheap, spread over the tensor, and any generator or spec
   * mismatch changes it.
   */
  public static byte[] fingerprint(float[] v) {
    long[] at = fingerprintIndices(v.length);
    float[] sampled = new float[at.length];
    for (int k = 0; k < at.length; k++) {
      sampled[k] = v[(int) at[k]];
    }
    return fingerprintOfSampled(sampled);
  }

  /** The indices of a tensor of {@code n} values that its fingerprint covers. */
  static long[] fingerprintIndices(long n) {
    int m = (int) Math.min(FINGERPRINT_VALUES, n);
    long[] at = new long[m];
    for (int k = 0; k < m; k++) {
      at[k] = n <= FINGERPRINT_VALUES ? k : k * n / FINGERPRINT_VALUES;
    }
    return at;
  }

  private static byte[] fingerprintOfSampled(float[] sampled) {
    ByteBuffer b = ByteBuffer.allocate(4 * sampled.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : sampled) {
      b.putFloat(x);
    }
    return sha256().digest(b.array());
  }

  /**
   * Regenerates the backbone {@code a} records, checking fingerprints twice: before ({@link #precheckFingerprints})
   * and on the regenerated values ({@link #checkFingerprints}).
   *
   * @throws ArtifactException {@link Reason#FINGERPRINT_MISMATCH} naming the first tensor that disagrees
   */
  public static Backbone regenerateChecked(Artifact a, long seed, List<TensorSpec> specs, int threads,
      String where) {
    precheckFingerprints(a, seed, specs, where);
    Backbone bb = Backbone.regenerate(seed, specs, threads);
    checkFingerprints(a, bb, where);
    return bb;
  }

  /**
   * Checks each recorded tensor's fingerprint from its {@value #FINGERPRINT_VALUES} fingerprinted values computed
   * alone, before any tensor is regenerated (element-local families; global ones wait for {@link
   * #checkFingerprints}): a file whose fingerprints lie is refused in microseconds, not after regenerating a backbone
   * it may have made as large as the heap allows.
   *
   * @throws ArtifactException {@link Reason#FINGERPRINT_MISMATCH} naming the first tensor that disagrees
   */
  public static void precheckFingerprints(Artifact a, long seed, List<TensorSpec> specs, String where) {
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    specs.forEach(t -> byName.put(t.name(), t));
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      TensorSpec spec = byName.get(t.getName());
      if (spec == null || spec.init().family().isGlobal()) {
        continue; // a stranger is refused by the record checks; a global tensor is checked once regenerated
      }
      byte[] sampled = fingerprintOfSampled(
          org.lottalora.core.backbone.Initializer.valuesAt(seed, spec, fingerprintIndices(spec.size())));
      if (!Arrays.equals(t.getFingerprint().toByteArray(), sampled)) {
        throw mismatch(where, t.getName());
      }
    }
  }

  private static ArtifactException mismatch(String where, String tensor) {
    return new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": backbone tensor '" + tensor
        + "' does not regenerate to the values it was trained on (generator or init spec mismatch)");
  }

  /** SHA-256 of every backbone tensor's values, in declaration order, as fp32 little-endian. */
  static byte[] fullHash(Backbone bb) {
    MessageDigest md = sha256();
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (String name : bb.specs().keySet()) {
      for (float x : bb.get(name)) {
        if (!chunk.hasRemaining()) {
          md.update(chunk.array(), 0, chunk.position());
          chunk.clear();
        }
        chunk.putFloat(x);
      }
    }
    md.update(chunk.array(), 0, chunk.position());
    return md.digest();
  }

  /** SHA-256 of a dataset's rows as loaded: features fp32 LE, then labels i32 LE. */
  public static byte[] datasetHash(Dataset d) {
    MessageDigest md = sha256();
    ByteBuffer b = ByteBuffer.allocate(d.features().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(d.features());
    md.update(b.array());
    ByteBuffer l = ByteBuffer.allocate(d.labels().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    l.asIntBuffer().put(d.labels());
    md.update(l.array());
    return md.digest();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
    org.lottalora.format.proto.Backbone.Builder bb = backboneRecord(spec.seed(), spec.init(), backbone,
        opts.fullHash());
    org.lottalora.format.proto.ModelSpec.Builder ms = org.lottalora.format.proto.ModelSpec.newBuilder()
        .setFamily(spec.family()).setInputDim(spec.inputDim()).setClasses(spec.classes()).setFull(spec.full());
    MlpConfig.Builder mlp = MlpConfig.newBuilder().setDropout(spec.dropout());
    for (int w : spec.widths()) {
      mlp.addWidths(w);
    }
    ms.setMlp(mlp);
    Artifact.Builder a = Artifact.newBuilder().setProducer(LottaModel.PRODUCER)
        .setProducerName(LottaModel.PRODUCER_NAME).setProducerVersion(LottaModel.VERSION)
        .setCreatedUnixMs(System.currentTimeMillis()).setBackbone(bb).setModel(ms);
    AdapterConfig ac = spec.adapter();
    a.setAdapter(org.lottalora.format.proto.AdapterConfig.newBuilder().setRank(ac.rank()).setAlpha(ac.alpha())
        .setRsLora(ac.rsLora()).setTrainBeta(ac.trainBeta()).setDropout(ac.dropout())
        .setTrainBias(ac.trainBias()).setInitSeed(ac.initSeed()).setDora(ac.dora()).setResidual(ac.residual())
        .setLayerNorm(ac.layerNorm()));
    if (!spec.full()) {
      a.addAllAdapters(adapters(graph, ac));
    }
    Map<String, float[]> values = graph.trainedValues();
    for (TrainedTensor t : graph.trained()) {
      a.addTensors(TensorCodec.encode(t.name(), t.shape(), role(t.kind()), values.get(t.name()), opts.dtype()));
    }
    a.setNormalization(org.lottalora.format.proto.Normalization.newBuilder().setMean(norm.mean())
        .setStd(norm.std()));
    Training.Builder tr = Training.newBuilder().setJavaVersion(System.getProperty("java.version"))
        .setOs(System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    if (p != null) {
      tr.setDataset(p.dataset() == null ? "" : p.dataset()).setThreads(p.threads());
      if (p.datasetSha256() != null) {
        tr.setDatasetSha256(ByteString.copyFrom(p.datasetSha256())).setDatasetRows(p.datasetRows());
      }
      TrainConfig tc = p.config();
      if (tc != null) {
        tr.setConfig(org.lottalora.format.proto.TrainConfig.newBuilder().setEpochs(tc.epochs())
            .setBatchSize(tc.batchSize()).setLearningRate(tc.learningRate()).setWeightDecay(tc.weightDecay())
            .setWarmupEpochs(tc.warmupEpochs()).setCosine(tc.cosine()).setPatience(tc.patience())
            .setShuffleSeed(tc.shuffleSeed()).setSplitSeed(p.splitSeed()));
      }
      TrainReport report = p.report();
      if (report != null) {
        tr.setMetrics(Metrics.newBuilder().setTestAccuracy(report.testAccuracy())
            .setBestValAccuracy(report.bestValAccuracy()).setBestEpoch(report.bestEpoch())
            .setEpochsRun(report.epochs().size()).setTrainableParams(report.trainableParams())
            .setModelParams(report.modelParams()).setWallSeconds(report.wallSeconds())
            .setSamplesPerSecond(report.samplesPerSecond())
            .setFailure(report.failure() == null ? "" : report.failure()));
        tr.putAllBetas(report.betas());
      }
    }
    if (opts.dtype() != DType.FLOAT32) {
      a.addHistory("stored as " + TensorCodec.shortName(opts.dtype()) + " at save time by " + LottaModel.PRODUCER);
    }
    return a.setTraining(tr).build();
  }

  /**
   * The recorded backbone tensors must be exactly the model's, with the same shapes, init specs and fans (checked
   * before anything is regenerated).
   */
  public static void checkBackboneRecords(Artifact a, List<TensorSpec> tensors, String where) {
    Map<String, BackboneTensor> stored = new LinkedHashMap<>();
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (stored.put(t.getName(), t) != null) {
        throw new ArtifactException(Reason.MALFORMED, where + ": backbone tensor '" + t.getName()
            + "' is recorded twice");
      }
    }
    Set<String> expected = new HashSet<>();
    for (TensorSpec t : tensors) {
      expected.add(t.name());
      BackboneTensor s = stored.get(t.name());
      if (s == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": backbone tensor '" + t.name()
            + "' is not recorded");
      }
      long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
      if (!Arrays.equals(shape, s.getShapeList().stream().mapToLong(Long::longValue).toArray())) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": backbone tensor '" + t.name()
            + "' is recorded with shape " + s.getShapeList() + ", the model spec gives " + Arrays.toString(shape));
      }
      if (!ArtifactMapper.init(s.getInit(), where).equals(t.init()) || s.getFanIn() != t.fanIn()
          || s.getFanOut() != t.fanOut()) {
        throw new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": backbone tensor '" + t.name()
            + "' is recorded with init " + s.getInit().getFamily() + " fan-in " + s.getFanIn()
            + ", the model spec gives " + t.init().canonical() + " fan-in " + t.fanIn());
      }
    }
    for (String name : stored.keySet()) {
      if (!expected.contains(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": backbone tensor '" + name + "' is not "
            + "part of a " + a.getModel().getFamily() + " model of this spec");
      }
    }
  }

  /** Every regenerated backbone tensor must hash to the fingerprint recorded at save time. */
  public static void checkFingerprints(Artifact a, Backbone bb, String where) {
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (!Arrays.equals(t.getFingerprint().toByteArray(), fingerprint(bb.get(t.getName())))) {
        throw mismatch(where, t.getName());
      }
    }
  }

  /**
   * One regenerated tensor must hash to its recorded fingerprint: a loader that regenerates tensor by tensor checks
   * each as it is made.
   */
  public static void checkFingerprint(Artifact a, String name, float[] values, String where) {
    checkRecorded(a, name, fingerprint(values), where);
  }

  /**
   * {@link #checkFingerprint} from the values at {@link #fingerprintIndices} alone, for a loader that never holds the
   * tensor whole.
   */
  static void checkSampledFingerprint(Artifact a, String name, float[] sampled, String where) {
    checkRecorded(a, name, fingerprintOfSampled(sampled), where);
  }

  private static void checkRecorded(Artifact a, String name, byte[] fingerprint, String where) {
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (t.getName().equals(name)) {
        if (!Arrays.equals(t.getFingerprint().toByteArray(), fingerprint)) {
          throw mismatch(where, name);
        }
        return;
      }
    }
    throw new ArtifactException(Reason.MALFORMED, where + ": backbone tensor '" + name + "' has no record");
  }

  /** The artifact's record of a regenerated backbone: generator, seed, every tensor's spec and fingerprint. */
  public static org.lottalora.format.proto.Backbone.Builder backboneRecord(long seed, InitSpec init, Backbone backbone,
      boolean fullHash) {
    org.lottalora.format.proto.Backbone.Builder bb = org.lottalora.format.proto.Backbone.newBuilder()
        .setGenerator(Backbone.GENERATOR_ID).setSeed(seed).setInit(init(init));
    for (TensorSpec t : backbone.specs().values()) {
      org.lottalora.format.proto.BackboneTensor.Builder b = org.lottalora.format.proto.BackboneTensor.newBuilder()
          .setName(t.name()).setInit(init(t.init())).setFanIn(t.fanIn()).setFanOut(t.fanOut())
          .setFingerprint(ByteString.copyFrom(fingerprint(backbone.get(t.name()))));
      for (int d : t.shape()) {
        b.addShape(d);
      }
      bb.addTensors(b);
    }
    if (fullHash) {
      bb.setFullSha256(ByteString.copyFrom(fullHash(backbone)));
    }
    return bb;
  }

  /**
   * The artifact's trained tensors, decoded, checked against the arrays the model {@code expected} (same names,
   * same lengths, none missing).
   *
   * @param what the model, for the error ("this ViT")
   * @throws ArtifactException naming the first stranger, wrong length or missing tensor
   */
  public static Map<String, float[]> trainedTensors(Artifact a, Map<String, float[]> expected, String where,
      String what) {
    Map<String, float[]> stored = new java.util.HashMap<>();
    for (org.lottalora.format.proto.Tensor t : a.getTensorsList()) {
      float[] v = org.lottalora.format.TensorCodec.decode(t, where);
      float[] want = expected.get(t.getName());
      if (want == null || want.length != v.length) {
        throw new ArtifactException(want == null ? Reason.MISSING_TENSOR : Reason.SHAPE_MISMATCH, where
            + ": tensor '" + t.getName() + "' " + (want == null ? "is not part of " + what
            : "has " + v.length + " values, the model needs " + want.length));
      }
      stored.put(t.getName(), v);
    }
    for (String name : expected.keySet()) {
      if (!stored.containsKey(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no '" + name + "' tensor");
      }
    }
    return stored;
  }

  /** Refuses an artifact whose backbone needs a generator this build does not have. */
  public static void checkGenerator(Artifact a, String where) {
    if (!Backbone.GENERATOR_ID.equals(a.getBackbone().getGenerator())) {
      throw new ArtifactException(Reason.UNKNOWN_GENERATOR, where + " needs backbone generator '"
          + a.getBackbone().getGenerator() + "'; this build has only '" + Backbone.GENERATOR_ID + "'");
    }
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
    checkGenerator(a, where);
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
          a.getBackbone().getSeed(), init(a.getBackbone().getInit(), where),
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
