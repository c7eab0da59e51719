package org.lottalora.models;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;

/**
 * A LottaLoRA model in a Java application: create one from a spec and train it, or load a saved
 * {@code .lotta} artifact, then predict. Loading regenerates the frozen backbone from the seed, checks it
 * against the fingerprints stored at save time, and restores every trained tensor.
 *
 * <pre>{@code
 * LottaModel m = LottaModel.load(Path.of("model.lotta"));
 * float[] probs = m.predictProba(features); // raw features, normalized as in training
 * }</pre>
 *
 * <p>Prediction is safe from several threads (calls are serialized on the graph).
 */
public final class LottaModel {
  /** Producer string written into artifacts. */
  public static final String PRODUCER = "lottalora 0.1.0";

  private final ModelSpec spec;
  private final Backbone backbone;
  private final ModelGraph graph;
  private Normalization normalization;
  private Artifact provenance;

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
   * Loads an artifact.
   *
   * @throws ArtifactException when the file is unreadable, damaged, foreign, from a newer version, or does
   *     not regenerate to the backbone it was saved with
   */
  public static LottaModel load(Path path) {
    Artifact a = ArtifactCodec.read(path);
    String where = path.toString();
    ModelSpec spec = ArtifactMapper.spec(a, where);
    ModelFamily family = Families.get(spec.family());
    List<TensorSpec> tensors = family.backboneTensors(spec);
    Backbone bb = Backbone.regenerate(spec.seed(), tensors);
    Map<String, org.lottalora.format.proto.BackboneTensor> stored = new LinkedHashMap<>();
    a.getBackbone().getTensorsList().forEach(t -> stored.put(t.getName(), t));
    for (TensorSpec t : tensors) {
      org.lottalora.format.proto.BackboneTensor s = stored.get(t.name());
      if (s == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": backbone tensor '" + t.name()
            + "' is not recorded");
      }
      if (!java.util.Arrays.equals(s.getFingerprint().toByteArray(), ArtifactMapper.fingerprint(bb.get(t.name())))) {
        throw new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": backbone tensor '" + t.name()
            + "' does not regenerate to the values it was trained on (generator or init spec mismatch)");
      }
    }
    Map<String, float[]> trained = ArtifactMapper.tensors(a);
    ModelGraph g;
    try {
      g = family.build(spec, bb, trained);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": " + e.getMessage());
    }
    for (TrainedTensor t : g.trained()) {
      if (!trained.containsKey(t.name())) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": trained tensor '" + t.name()
            + "' is missing");
      }
    }
    LottaModel m = new LottaModel(spec, bb, g, ArtifactMapper.normalization(a, where));
    m.provenance = a;
    return m;
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
   * Trains with a given trainer, so the caller can {@link Trainer#requestStop()} it from another thread;
   * an interrupted run keeps its best epoch and says so in {@link TrainReport#failure()}.
   */
  public TrainReport train(DataSplits data, Trainer trainer) {
    checkFits(data.train());
    normalization = data.normalization();
    return trainer.fit(graph, data.normalized());
  }

  /** Writes the artifact atomically, with training provenance. */
  public void save(Path path, String dataset, TrainConfig config, long splitSeed, TrainReport report,
      int threads) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (TrainedTensor t : graph.trained()) {
      shapes.put(t.name(), t.shape());
    }
    Artifact a = ArtifactMapper.toProto(spec, backbone, graph.trainedValues(), shapes, normalization, dataset,
        config, splitSeed, report, threads);
    ArtifactCodec.write(a, path);
    provenance = a;
  }

  /** Class probabilities of one raw sample. */
  public float[] predictProba(float[] features) {
    return predictProba(new float[][] {features})[0];
  }

  /** Class probabilities of a batch of raw samples. */
  public float[][] predictProba(float[][] batch) {
    int cols = spec.inputDim();
    float[] x = new float[batch.length * cols];
    for (int i = 0; i < batch.length; i++) {
      if (batch[i].length != cols) {
        throw new IllegalArgumentException("sample " + i + " has " + batch[i].length + " features, the model "
            + "expects " + cols);
      }
      System.arraycopy(batch[i], 0, x, i * cols, cols);
    }
    normalization.applyInPlace(x);
    float[] p = graph.probabilities(x, batch.length);
    float[][] out = new float[batch.length][spec.classes()];
    for (int i = 0; i < batch.length; i++) {
      System.arraycopy(p, i * spec.classes(), out[i], 0, spec.classes());
    }
    return out;
  }

  /** Predicted class of every row of a raw dataset. */
  public int[] predict(Dataset raw) {
    checkFits(raw);
    return graph.predict(raw.normalized(normalization));
  }

  /** Accuracy on a raw dataset. */
  public double accuracy(Dataset raw) {
    checkFits(raw);
    return graph.accuracy(raw.normalized(normalization));
  }

  private void checkFits(Dataset d) {
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
