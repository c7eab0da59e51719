package org.lottalora.models.adapt;

import org.lottalora.core.backbone.BackboneRecord;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.util.NdArrays;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Adapter;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.GraphTarget;
import org.lottalora.format.proto.Metrics;
import org.lottalora.format.proto.ModelSpec;
import org.lottalora.format.proto.SameDiffGraphConfig;
import org.lottalora.format.proto.ScalingRule;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;
import org.lottalora.models.EngineArtifacts;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code .lotta} form of an {@link AdaptedGraph} (family {@value #FAMILY}): the graph before wrapping as
 * SameDiff FlatBuffers with its base weights left out, the seed and init spec of the targets' scaffold (seed
 * base) or the SHA-256 of every left-out base weight (pretrained base, where loading needs the base model),
 * the adapter records and the trained tensors. Loading checks in the toolkit's order: generator, records,
 * fingerprints, tensors; then replays the wrapping.
 */
public final class GraphArtifacts {
  /** The family id in the artifact. */
  public static final String FAMILY = "samediff-graph";

  private GraphArtifacts() {
  }

  /** Writes {@code g} atomically. */
  public static void write(AdaptedGraph g, Path path) {
    ArtifactCodec.write(toArtifact(g, Metrics.newBuilder()), path);
  }

  /** Writes {@code g} atomically with these metrics in its training record, and its {@link AdaptedGraph#dataRecord}. */
  public static void write(AdaptedGraph g, Path path, Metrics.Builder metrics) {
    ArtifactCodec.write(toArtifact(g, metrics), path);
  }

  /** The input normalization an artifact records ({@link Normalization#NONE} when it records none). */
  public static Normalization normalization(Artifact a, String where) {
    if (!a.hasNormalization()) {
      return Normalization.NONE;
    }
    try {
      return new Normalization(a.getNormalization().getMean(), a.getNormalization().getStd());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
  }

  /** The artifact of {@code g} with these metrics in its training record. */
  public static Artifact toArtifact(AdaptedGraph g, Metrics.Builder metrics) {
    AdaptedGraph.Spec s = g.spec();
    SameDiffGraphConfig.Builder c = SameDiffGraphConfig.newBuilder()
        .setGraph(ByteString.copyFrom(g.storedGraph())).setBase(s.base() == GraphAdapter.Base.SEED ? "seed"
            : "pretrained").addAllInputs(s.inputs()).setOutput(s.output()).setLabels(nz(s.labels()))
        .setLoss(s.loss()).setHeadClasses(s.headClasses()).setSource(s.source()).setSourceSha256(ByteString.copyFrom(s.sourceSha256()))
        .addAllTrained(s.trained());
    for (AdaptedTarget t : s.targets()) {
      c.addTargets(GraphTarget.newBuilder().setVariable(t.variable()).addShape(t.graphShape()[0])
          .addShape(t.graphShape()[1]).setTransposed(t.transposed()).setConsumer(t.consumer()));
    }
    for (AdaptedGraph.BaseWeight w : g.baseWeights()) {
      org.lottalora.format.proto.BaseWeight.Builder b = org.lottalora.format.proto.BaseWeight.newBuilder()
          .setVariable(w.variable()).setSha256(ByteString.copyFrom(w.sha256()));
      for (long d : w.shape()) {
        b.addShape(d);
      }
      c.addBaseWeights(b);
    }
    ModelSpec.Builder m = ModelSpec.newBuilder().setFamily(FAMILY).setSamediff(c);
    AdapterConfig ac = s.adapter();
    Artifact.Builder a;
    if (s.base() == GraphAdapter.Base.SEED) {
      a = EngineArtifacts.newArtifact(s.seed(), s.init(), g.backbone());
    } else {
      a = Artifact.newBuilder().setProducer(org.lottalora.models.LottaModel.PRODUCER)
          .setProducerName(org.lottalora.models.LottaModel.PRODUCER_NAME)
          .setProducerVersion(org.lottalora.models.LottaModel.VERSION).setCreatedUnixMs(System.currentTimeMillis());
    }
    a.setModel(m).setAdapter(EngineArtifacts.adapterRecord(ac)); // the one adapter record (no residual/LayerNorm here)
    for (AdaptedTarget t : s.targets()) {
      a.addAdapters(Adapter.newBuilder().setTarget(t.variable()).setRank(t.rank(ac))
          .setAlpha(ac.recordedAlpha(t.rank(ac)))
          .setScalingRule(ac.rsLora() ? ScalingRule.ALPHA_OVER_SQRT_R : ScalingRule.ALPHA_OVER_R).setA(t.a())
          .setB(t.b()).setBeta(ac.trainBeta() ? t.beta() : ""));
    }
    Map<String, long[]> shapes = g.trainedShapes();
    long trained = 0;
    for (Map.Entry<String, float[]> e : g.trainedTensors().entrySet()) {
      trained += e.getValue().length;
      a.addTensors(TensorCodec.encode(e.getKey(), shapes.get(e.getKey()), role(e.getKey(), s), e.getValue(),
          DType.FLOAT32));
    }
    AdaptedGraph.ParameterCounts pc = g.parameterCounts();
    AdaptedGraph.DataRecord r = g.dataRecord();
    // the one training record; the caller's metrics (test accuracy, wall time) go over its counts
    org.lottalora.core.train.TrainingRecord record = new org.lottalora.core.train.TrainingRecord(r == null ? s.source()
        : r.dataset(), null, 0, r == null ? null : new org.lottalora.core.train.TrainingRecord.Schedule(
            (int) g.epochsTrained(), 0, r.batch(), r.learningRate(), 0, 0, false, 0, r.shuffleSeed(), r.splitSeed()),
        0, null, Map.of());
    org.lottalora.format.proto.Training.Builder tr = record.toProto(trained, pc.trained() + pc.frozen());
    tr.getMetricsBuilder().mergeFrom(metrics.build()).setTrainableParams(trained)
        .setModelParams(pc.trained() + pc.frozen()).setEpochsRun((int) g.epochsTrained());
    a.setTraining(tr);
    if (r != null) {
      a.setNormalization(org.lottalora.format.proto.Normalization.newBuilder().setMean(r.normalization().mean())
          .setStd(r.normalization().std()));
    }
    return a.build();
  }

  private static TensorRole role(String name, AdaptedGraph.Spec s) {
    if (name.endsWith(AdaptedTarget.LORA_A)) {
      return TensorRole.LORA_A;
    }
    if (name.endsWith(AdaptedTarget.LORA_B)) {
      return TensorRole.LORA_B;
    }
    if (name.endsWith(AdaptedTarget.BETA)) {
      return TensorRole.BETA;
    }
    return s.trained().contains(name) ? TensorRole.WEIGHT : TensorRole.BIAS;
  }

  /** Loads a seed-base artifact (a pretrained-base one needs {@link #load(Path, TrustPolicy, SameDiff)}). */
  public static AdaptedGraph load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString(), null);
  }

  /**
   * Loads an artifact; {@code base} is the base model for a pretrained-base artifact (e.g. from
   * {@link OnnxImport}), ignored for a seed base.
   */
  public static AdaptedGraph load(Path path, TrustPolicy trust, SameDiff base) {
    return load(ArtifactCodec.open(path, trust), path.toString(), base);
  }

  /**
   * Loads an opened artifact.
   *
   * @throws ArtifactException naming the problem: not this family, a generator or record mismatch, a base that is
   *     missing or does not match its fingerprints, a missing or stray tensor
   */
  public static AdaptedGraph load(ArtifactFile f, String where, SameDiff base) {
    Artifact a = f.artifact();
    if (a.getModel().getConfigCase() != ModelSpec.ConfigCase.SAMEDIFF) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a '" + a.getModel().getFamily()
          + "' model, not an adapted SameDiff graph; load it with `lottalora predict` or its family's loader");
    }
    SameDiffGraphConfig c = a.getModel().getSamediff();
    boolean seeded = switch (c.getBase()) {
      case "seed" -> true;
      case "pretrained" -> false;
      default -> throw new ArtifactException(Reason.MALFORMED, where + ": unknown base '" + c.getBase()
          + "' (expected seed or pretrained)");
    };
    AdapterConfig ac;
    try {
      org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
      EngineArtifacts.refuseSwitches(pa, false);
      ac = new AdapterConfig(pa.getRank(), pa.getAlpha(), pa.getRsLora(), pa.getTrainBeta(), pa.getDropout(),
          false, pa.getInitSeed(), pa.getDora(), false, false);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
    List<AdaptedTarget> targets = new ArrayList<>();
    for (GraphTarget t : c.getTargetsList()) {
      if (t.getShapeCount() != 2 || t.getShape(0) < 1 || t.getShape(1) < 1 || t.getShape(0) > Integer.MAX_VALUE
          || t.getShape(1) > Integer.MAX_VALUE) {
        throw new ArtifactException(Reason.MALFORMED, where + ": target '" + t.getVariable() + "' has shape "
            + t.getShapeList() + ", not a 2-D weight");
      }
      int r0 = (int) t.getShape(0);
      int r1 = (int) t.getShape(1);
      targets.add(new AdaptedTarget(t.getVariable(), t.getTransposed() ? r1 : r0, t.getTransposed() ? r0 : r1,
          t.getTransposed(), t.getConsumer()));
    }
    if (a.getAdaptersCount() != targets.size()) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + a.getAdaptersCount() + " adapter records for "
          + targets.size() + " targets");
    }
    InitSpec init = InitSpec.DEFAULT;
    Backbone backbone = null;
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    if (seeded) {
      BackboneRecord.checkGenerator(a, where);
      init = BackboneRecord.init(a.getBackbone().getInit(), where);
      List<TensorSpec> specs = GraphAdapter.specs(targets, init);
      BackboneRecord.checkBackboneRecords(a, specs, where);
      backbone = BackboneRecord.regenerateChecked(a, a.getBackbone().getSeed(), specs,
          Runtime.getRuntime().availableProcessors(), where);
      for (AdaptedTarget t : targets) {
        arrays.put(t.variable(), AdaptedGraph.graphArray(backbone.get(t.variable()), t));
      }
    } else {
      if (base == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + " adapts a pretrained graph (" + c.getSource()
            + "): its base weights are not in the file; pass the base model it was trained on (--base FILE)");
      }
      for (org.lottalora.format.proto.BaseWeight w : c.getBaseWeightsList()) {
        SDVariable v = base.hasVariable(w.getVariable()) ? base.getVariable(w.getVariable()) : null;
        INDArray arr = v == null ? null : v.getArr();
        if (arr == null) {
          throw new ArtifactException(Reason.MISSING_TENSOR, where + ": the base model has no weight '"
              + w.getVariable() + "'; pass the base model the adapters were trained on (" + c.getSource() + ")");
        }
        long[] shape = w.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(arr.shape(), shape)
            || !Arrays.equals(sha256(NdArrays.read(arr.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT))),
            w.getSha256().toByteArray())) {
          throw new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": base weight '" + w.getVariable()
              + "' does not match the fingerprint recorded at training: this base model is not the one the "
              + "adapters were trained on (" + c.getSource() + ")");
        }
        arrays.put(w.getVariable(), arr.dup());
      }
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Tensor t : a.getTensorsList()) {
      values.put(t.getName(), TensorCodec.decode(t, where));
      shapes.put(t.getName(), TensorCodec.shapeOf(t));
    }
    SameDiff g;
    try {
      g = AdaptedGraph.restore(c.getGraph().toByteArray(), Map.of());
    } catch (RuntimeException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": the stored graph cannot be read back ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      if (!g.hasVariable(e.getKey())) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": the stored graph has no variable '"
            + e.getKey() + "'");
      }
      g.getVariable(e.getKey()).setArray(e.getValue());
    }
    for (String name : c.getTrainedList()) {
      if (!values.containsKey(name) || !g.hasVariable(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no tensor for '" + name
            + "', which the graph trains in full");
      }
      // the stored graph holds a one-element stand-in for a weight trained in full: put the real shape back
      SDVariable v = g.getVariable(name);
      g.getVariable(name).setArray(NdArrays.of(values.get(name), shapes.get(name)).castTo(v.dataType()));
    }
    checkInterface(g, c, where);
    checkShapes(g, targets, ac, shapes, where);
    AdaptedGraph.Spec spec = new AdaptedGraph.Spec(seeded ? GraphAdapter.Base.SEED : GraphAdapter.Base.PRETRAINED,
        a.getBackbone().getSeed(), init, targets, ac, c.getInputsList(), c.getOutput(), c.getHeadClasses(),
        c.getLabels(), c.getLoss(), c.getTrainedList(), c.getSource(), c.getSourceSha256().toByteArray());
    AdaptedGraph ag;
    try {
      ag = AdaptedGraph.create(g, spec, backbone, List.of(), values);
    } catch (RuntimeException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": the stored graph does not rebuild with its adapters ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "): the file was altered or written by another "
          + "tool");
    }
    ag.epochsDone(Math.max(0, a.getTraining().getMetrics().getEpochsRun()));
    if (a.hasNormalization() || a.getTraining().hasConfig()) {
      // kept, so that saving the loaded graph again records the same data preparation
      var tc = a.getTraining().getConfig();
      ag.dataRecord(new AdaptedGraph.DataRecord(a.getTraining().getDataset(), normalization(a, where),
          tc.getBatchSize(), tc.getLearningRate(), tc.getShuffleSeed(), tc.getSplitSeed()));
    }
    Map<String, long[]> expected = ag.trainedShapes();
    for (String name : values.keySet()) {
      if (!expected.containsKey(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": tensor '" + name + "' is not part of this "
            + "adapted graph");
      }
    }
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      float[] v = values.get(e.getKey());
      long n = Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y);
      if (v == null || v.length != n) {
        throw new ArtifactException(v == null ? Reason.MISSING_TENSOR : Reason.SHAPE_MISMATCH, where + ": tensor '"
            + e.getKey() + "' " + (v == null ? "is missing" : "has " + v.length + " values, the graph needs " + n));
      }
    }
    return ag;
  }

  /** The variables the record names (inputs, output, loss, labels) exist, and the head's names are free. */
  private static void checkInterface(SameDiff g, SameDiffGraphConfig c, String where) {
    List<String> need = new ArrayList<>(c.getInputsList());
    need.add(c.getOutput());
    if (c.getHeadClasses() < 0) {
      throw new ArtifactException(Reason.MALFORMED, where + ": head_classes is " + c.getHeadClasses());
    }
    if (c.getHeadClasses() == 0) {
      need.add(c.getLoss());
      if (!c.getLabels().isEmpty()) {
        need.add(c.getLabels());
      }
    } else {
      for (String n : List.of(c.getLoss(), c.getLabels())) {
        if (n.isEmpty() || g.hasVariable(n)) {
          throw new ArtifactException(Reason.MALFORMED, where + ": the training head's name '" + n + "' is "
              + (n.isEmpty() ? "empty" : "already taken in the stored graph"));
        }
      }
    }
    for (String n : need) {
      if (n.isEmpty() || !g.hasVariable(n)) {
        throw new ArtifactException(Reason.MALFORMED, where + ": the record names variable '" + n + "', which the "
            + "stored graph does not have");
      }
    }
  }

  /**
   * Every target holds a 2-D base of its recorded shape, and every adapter tensor has the shape the rank and the
   * target imply ({@code A [r, d_in]}, {@code B [d_out, r]}, beta [1], DoRA's m [d_out]).
   */
  private static void checkShapes(SameDiff g, List<AdaptedTarget> targets, AdapterConfig ac,
      Map<String, long[]> shapes, String where) {
    for (AdaptedTarget t : targets) {
      if (!g.hasVariable(t.variable()) || g.getVariable(t.variable()).getArr() == null) {
        throw new ArtifactException(Reason.MALFORMED, where + ": target '" + t.variable() + "' is not a weight of "
            + "the stored graph");
      }
      long[] have = g.getVariable(t.variable()).getArr().shape();
      if (!Arrays.equals(have, t.graphShape())) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": target '" + t.variable() + "' is recorded "
            + "as " + Arrays.toString(t.graphShape()) + " but its base has shape " + Arrays.toString(have));
      }
      Map<String, long[]> want = new LinkedHashMap<>();
      want.put(t.a(), new long[] {t.rank(ac), t.dIn()});
      want.put(t.b(), new long[] {t.dOut(), t.rank(ac)});
      if (ac.trainBeta()) {
        want.put(t.beta(), new long[] {1});
      }
      if (ac.dora()) {
        want.put(t.doraM(), new long[] {t.dOut()});
      }
      for (Map.Entry<String, long[]> e : want.entrySet()) {
        long[] got = shapes.get(e.getKey());
        if (got == null) {
          throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no tensor '" + e.getKey() + "'");
        }
        if (!Arrays.equals(got, e.getValue())) {
          throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + e.getKey() + "' has shape "
              + Arrays.toString(got) + "; rank " + t.rank(ac) + " on target '" + t.variable() + "' needs "
              + Arrays.toString(e.getValue()));
        }
      }
    }
  }

  /** SHA-256 of the values as fp32 little-endian. */
  static byte[] sha256(float[] v) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer bb = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) {
        if (!bb.hasRemaining()) {
          md.update(bb.array(), 0, bb.position());
          bb.clear();
        }
        bb.putFloat(x);
      }
      md.update(bb.array(), 0, bb.position());
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of a file (the source graph). */
  public static byte[] sha256(Path file) throws IOException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(file));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
