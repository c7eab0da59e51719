package org.lottalora.models;

import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.LottaException;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.ScaffoldSchedule;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;

/**
 * A LottaLoRA model in a Java application: create one from a spec and train it, or load a saved
 * {@code .lotta} artifact, then predict. Loading regenerates the frozen backbone from the seed, checks it
 * against the fingerprints stored at save time, and restores every trained tensor; any disagreement between
 * the file and the model it describes is an {@link ArtifactException}, never a silently different model.
 *
 * <pre>{@code
 * LottaModel m = LottaModel.load(Path.of("model.lotta"));
 * float[] probs = m.predict(features);      // raw features, normalized as in training
 * float[][] many = m.predict(batch);
 * MergedModel fast = m.merged();             // W' = beta W + s B A once; lock-free, for many threads
 * }</pre>
 *
 * <p>Prediction is safe from many threads: this class serializes calls on its SameDiff graph (SameDiff
 * sessions are not thread-safe), while {@link #merged()} returns a predictor with no shared mutable state
 * that runs calls in parallel.
 */
public final class LottaModel {
  /** Producer name written into artifacts. */
  public static final String PRODUCER_NAME = org.lottalora.core.Producer.NAME;
  /** Producer version written into artifacts. */
  public static final String VERSION = org.lottalora.core.Producer.VERSION;
  /** Producer string written into artifacts. */
  public static final String PRODUCER = org.lottalora.core.Producer.ID;

  private final ModelSpec spec;
  private final Backbone backbone;
  private final ModelGraph graph;
  private Normalization normalization;
  private Artifact provenance;
  private byte[] trainedOnSha256;
  private long trainedOnRows;
  private volatile MergedModel merged;

  /**
   * Where a model came from, for the artifact's provenance.
   *
   * @param dataset dataset name
   * @param config training hyperparameters (null if not trained here)
   * @param splitSeed seed of the train/validation split
   * @param report the training report (null if not trained here)
   * @param threads ND4J threads used
   * @param datasetSha256 hash of the raw training rows (null if unknown)
   * @param datasetRows training rows
   */
  public record Provenance(String dataset, TrainConfig config, long splitSeed, TrainReport report, int threads,
      byte[] datasetSha256, long datasetRows) {
    /** The one training record ({@link TrainingRecord}) this provenance fills. */
    public TrainingRecord record() {
      TrainingRecord.Schedule s = config == null ? null : new TrainingRecord.Schedule(config.epochs(), 0,
          config.batchSize(), config.learningRate(), config.weightDecay(), config.warmupEpochs(), config.cosine(),
          config.patience(), config.shuffleSeed(), splitSeed);
      TrainingRecord.Outcome o = report == null ? null : new TrainingRecord.Outcome(report.testAccuracy(),
          Double.NaN, report.bestValAccuracy(), report.bestEpoch(), report.epochs().size(), report.wallSeconds(),
          report.samplesPerSecond(), report.failure() == null ? "" : report.failure());
      return new TrainingRecord(dataset, datasetSha256, datasetRows, s, threads, o,
          report == null ? java.util.Map.of() : TrainingRecord.doubles(report.betas()));
    }
  }

  /**
   * How to save.
   *
   * @param dtype storage dtype of the trained matrices (vectors and betas stay fp32)
   * @param signingKey Ed25519 private key to sign with, or null
   * @param fullHash record the SHA-256 of every backbone value (verify --full checks it)
   */
  public record SaveOptions(DType dtype, PrivateKey signingKey, boolean fullHash) {
    /** fp32, unsigned, with the full backbone hash. */
    public static SaveOptions defaults() {
      return new SaveOptions(DType.FLOAT32, null, true);
    }
  }

  private LottaModel(ModelSpec spec, Backbone backbone, ModelGraph graph, Normalization normalization) {
    this.spec = spec;
    this.backbone = backbone;
    this.graph = graph;
    this.normalization = normalization;
  }

  /** A fresh, untrained model: regenerates the backbone and builds the graph. */
  public static LottaModel create(ModelSpec spec) {
    ModelFamily family = Families.get(spec.family());
    family.validate(spec);
    Backbone bb = Backbone.regenerate(spec.seed(), family.backboneTensors(spec));
    return new LottaModel(spec, bb, family.build(spec, bb, Map.of()), Normalization.NONE);
  }

  /**
   * Loads an artifact, signed or not.
   *
   * @throws ArtifactException when the file is unreadable, damaged, foreign, from a newer version, or does
   *     not regenerate to the backbone it was saved with
   */
  public static LottaModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static LottaModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /**
   * Loads an artifact that must be signed by {@code trusted}.
   *
   * @throws ArtifactException also when the file is unsigned or signed by another key
   */
  public static LottaModel load(Path path, PublicKey trusted) {
    return load(path, TrustPolicy.of(trusted)); // the signer is checked before the payload is parsed
  }

  /** Builds the model a validated file describes; {@code where} names it in messages. */
  public static LottaModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    ModelSpec spec = ArtifactMapper.spec(a, where);
    ModelFamily family = Families.get(spec.family());
    try {
      family.validate(spec);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid model spec: " + e.getMessage());
    }
    List<TensorSpec> tensors;
    try {
      tensors = family.backboneTensors(spec);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.TOO_LARGE, where + ": its model spec cannot be built: " + e.getMessage());
    }
    checkAffordable(tensors, where);
    BackboneRecord.checkBackboneRecords(a, tensors, where);
    Backbone bb = BackboneRecord.regenerateChecked(a, spec.seed(), tensors, Runtime.getRuntime().availableProcessors(),
        where);
    Map<String, float[]> trained = ArtifactMapper.tensors(a, where);
    ModelGraph g;
    try {
      g = family.build(spec, bb, trained);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": " + e.getMessage());
    }
    checkTrainedTensors(a, g, where);
    if (!spec.full() && !a.getAdaptersList().equals(ArtifactMapper.adapters(g, spec.adapter()))) {
      throw new ArtifactException(Reason.MALFORMED, where + ": its adapter records (targets, ranks, scaling, "
          + "tensor names) disagree with its model spec");
    }
    LottaModel m = new LottaModel(spec, bb, g, ArtifactMapper.normalization(a, where));
    m.provenance = a;
    return m;
  }

  /** Refuses a spec whose backbone would not fit in this JVM before allocating any of it. */
  private static void checkAffordable(List<TensorSpec> tensors, String where) {
    checkAffordable(tensors, where, 2); // the values, plus the graph's copy
  }

  /**
   * Refuses a spec whose backbone would not fit in this JVM before allocating any of it.
   *
   * @param copies how many copies of the backbone the loader holds at once
   */
  static void checkAffordable(List<TensorSpec> tensors, String where, int copies) {
    long params = 0;
    for (TensorSpec t : tensors) {
      long n = 1;
      try {
        for (int d : t.shape()) {
          n = Math.multiplyExact(n, (long) d);
        }
        params = Math.addExact(params, n);
      } catch (ArithmeticException e) {
        n = Long.MAX_VALUE;
      }
      if (n > Integer.MAX_VALUE - 8) {
        throw new ArtifactException(Reason.TOO_LARGE, where + ": backbone tensor '" + t.name() + "' has "
            + (n == Long.MAX_VALUE ? "over 2^63" : Long.toString(n)) + " values; at most 2^31 - 9 fit one Java array");
      }
    }
    long need = params * 4 * copies;
    long max = Runtime.getRuntime().maxMemory();
    if (need > max) {
      throw new ArtifactException(Reason.TOO_LARGE, where + " describes a backbone of " + params
          + " parameters, which needs about " + (need >> 20) + " MiB; this JVM may use " + (max >> 20)
          + " MiB: raise -Xmx if the file is genuine");
    }
  }


  /** Stored trained tensors must be exactly the graph's, with the same shapes: none missing, none extra. */
  private static void checkTrainedTensors(Artifact a, ModelGraph g, String where) {
    Map<String, Tensor> stored = new LinkedHashMap<>();
    a.getTensorsList().forEach(t -> stored.put(t.getName(), t));
    Set<String> expected = new HashSet<>();
    for (TrainedTensor t : g.trained()) {
      expected.add(t.name());
      Tensor s = stored.get(t.name());
      if (s == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": trained tensor '" + t.name()
            + "' is missing");
      }
      if (!Arrays.equals(t.shape(), TensorCodec.shapeOf(s))) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": trained tensor '" + t.name() + "' has "
            + "shape " + s.getShapeList() + ", the model needs " + Arrays.toString(t.shape()));
      }
    }
    for (String name : stored.keySet()) {
      if (!expected.contains(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": tensor '" + name + "' is not part of "
            + "this model; the file does not match its own spec");
      }
    }
  }

  /**
   * Recomputes the SHA-256 of every regenerated backbone value and compares it with the one stored at save
   * time.
   *
   * @return false if the artifact records no full hash
   * @throws ArtifactException {@link Reason#FINGERPRINT_MISMATCH} if it differs
   */
  public boolean verifyFullHash() {
    if (provenance == null || provenance.getBackbone().getFullSha256().isEmpty()) {
      return false;
    }
    if (!Arrays.equals(provenance.getBackbone().getFullSha256().toByteArray(), BackboneRecord.fullHash(backbone))) {
      throw new ArtifactException(Reason.FINGERPRINT_MISMATCH, "the regenerated backbone's full SHA-256 differs "
          + "from the one stored at save time: this build generates different values");
    }
    return true;
  }

  /**
   * Trains on {@code data} (raw splits; its normalization becomes the model's).
   *
   * @return the report; {@link TrainReport#failure()} is set if the run stopped on a non-finite loss
   */
  public TrainReport train(DataSplits data, TrainConfig config, Progress progress) {
    return train(data, new Trainer(config, progress));
  }

  /**
   * Trains under a scaffold resampling schedule (meta-LoRA): the adapters see other scaffolds of the same
   * architecture while they train, and are validated, tested and saved on this model's own.
   *
   * @throws IllegalArgumentException for a fully trained model (it has no scaffold) or a non-dense family
   */
  public TrainReport train(DataSplits data, TrainConfig config, ScaffoldSchedule schedule, Progress progress) {
    if (schedule.kind() == ScaffoldSchedule.Kind.FIXED) {
      return train(data, config, progress);
    }
    if (spec.full()) {
      throw new IllegalArgumentException("a fully trained model has no frozen scaffold to resample");
    }
    if (graph.densePlan() == null) {
      throw new IllegalArgumentException("family '" + spec.family() + "' cannot resample its scaffold (not dense)");
    }
    return train(data, new Trainer(config, progress).withScaffolds(schedule, new ScaffoldBank(this)));
  }

  /**
   * Trains with a given trainer, so the caller can {@link Trainer#requestStop()} it from another thread;
   * an interrupted run keeps its best epoch and says so in {@link TrainReport#failure()}.
   */
  public TrainReport train(DataSplits data, Trainer trainer) {
    checkFits(data.train());
    normalization = data.normalization();
    trainedOnSha256 = ArtifactMapper.datasetHash(data.train());
    trainedOnRows = data.train().rows();
    merged = null;
    return trainer.fit(graph, data.normalized());
  }

  /** Writes the artifact atomically, fp32 and unsigned, with training provenance. */
  public void save(Path path, String dataset, TrainConfig config, long splitSeed, TrainReport report,
      int threads) {
    save(path, new Provenance(dataset, config, splitSeed, report, threads, trainedOnSha256, trainedOnRows),
        SaveOptions.defaults());
  }

  /**
   * Writes the artifact atomically with the given storage dtype and optional signature.
   *
   * @throws IllegalArgumentException if a value cannot be stored (non-finite, or beyond fp16's range)
   */
  public void save(Path path, Provenance p, SaveOptions options) {
    Artifact a = toArtifact(p, options);
    ArtifactCodec.write(a, path, options.signingKey());
    provenance = a;
  }

  /**
   * What reloading a saved artifact showed.
   *
   * @param reloadedAccuracy the reloaded model's accuracy on the probe
   * @param identical probe rows it classifies as the trained model does
   * @param total probe rows
   */
  public record ReloadCheck(double reloadedAccuracy, int identical, int total) {
    /** Whether every probe row got the same class. */
    public boolean allIdentical() {
      return identical == total;
    }
  }

  /**
   * The train -> save -> reload -> same-predictions check: writes the artifact, loads it back from the file and
   * classifies {@code probe} (raw rows) with both models.
   *
   * @throws LottaException when an fp32 artifact predicts any row differently: a bug, and the file is not to be
   *     trusted (a reduced dtype may move a few rows; the caller reports how many)
   */
  public ReloadCheck saveAndCheck(Path path, Provenance p, SaveOptions options, Dataset probe) {
    int[] inMemory = classify(probe);
    save(path, p, options);
    LottaModel reloaded = load(path);
    int[] fromFile = reloaded.classify(probe);
    int same = 0;
    for (int i = 0; i < inMemory.length; i++) {
      same += inMemory[i] == fromFile[i] ? 1 : 0;
    }
    if (same != inMemory.length && options.dtype() == DType.FLOAT32) {
      throw new LottaException("the reloaded artifact predicts differently on " + (inMemory.length - same)
          + " test samples: this is a bug, please report it; " + path + " is not to be trusted");
    }
    return new ReloadCheck(reloaded.accuracy(probe), same, inMemory.length);
  }

  /** The artifact this model would be saved as. */
  public Artifact toArtifact(Provenance p, SaveOptions options) {
    return ArtifactMapper.toProto(spec, backbone, graph, p, normalization, options);
  }

  /** The provenance of the last {@link #train} call (dataset hash and rows), for {@link #save}. */
  public Provenance provenance(String dataset, TrainConfig config, long splitSeed, TrainReport report,
      int threads) {
    return new Provenance(dataset, config, splitSeed, report, threads, trainedOnSha256, trainedOnRows);
  }

  /** Class probabilities of one raw sample (normalized as in training). */
  public float[] predict(float[] features) {
    return predict(new float[][] {features})[0];
  }

  /** Class probabilities of a batch of raw samples, one row each. */
  public float[][] predict(float[][] batch) {
    float[] x = Predictions.flatten(batch, spec.inputDim());
    normalization.applyInPlace(x);
    return Predictions.rows(graph.probabilities(x, batch.length), batch.length, spec.classes());
  }

  /** The most probable class of one raw sample. */
  public int classify(float[] features) {
    return Predictions.argMax(predict(features));
  }

  /** The most probable class of every row of a raw dataset. */
  public int[] classify(Dataset raw) {
    checkFits(raw);
    return graph.predict(raw.normalized(normalization));
  }

  /** Accuracy on a raw dataset. */
  public double accuracy(Dataset raw) {
    checkFits(raw);
    return graph.accuracy(raw.normalized(normalization));
  }

  /**
   * The merged inference path: every adapted weight folded once into {@code W' = beta W_seed + s B A} in fp32.
   * Predicts as this model does within float rounding, holds no locks, and is safe to share across threads.
   * Computed on first use and cached until the model trains again.
   *
   * @throws UnsupportedOperationException for a family without a dense plan
   */
  public MergedModel merged() {
    MergedModel m = merged;
    if (m == null) {
      synchronized (this) {
        if (merged == null) {
          merged = MergedModel.of(this);
        }
        m = merged;
      }
    }
    return m;
  }

  void checkFits(Dataset d) {
    if (d.cols() != spec.inputDim()) {
      throw new IllegalArgumentException("the model takes " + spec.inputDim() + " features (" + spec.layout()
          + ") but dataset '" + d.name() + "' has " + d.cols());
    }
    if (d.classes() > spec.classes()) {
      throw new IllegalArgumentException("the model has " + spec.classes() + " classes but dataset '"
          + d.name() + "' has labels up to " + (d.classes() - 1));
    }
  }

  /** The spec. */
  public ModelSpec spec() {
    return spec;
  }

  /** The regenerated backbone. */
  public Backbone backbone() {
    return backbone;
  }

  /** The graph (for advanced use and tests). */
  public ModelGraph graph() {
    return graph;
  }

  /** The input normalization. */
  public Normalization normalization() {
    return normalization;
  }

  /** The artifact this model was loaded from or last saved to; null before either. */
  public Artifact artifact() {
    return provenance;
  }
}
