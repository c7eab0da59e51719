package org.lottalora.models.adapt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.train.QuietStdout;
import org.lottalora.core.util.NdArrays;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A user's graph with adapters, ready to train, predict, save and export. Made by {@link GraphAdapter#apply()}
 * or loaded from an artifact ({@link GraphArtifacts#load}). Only A, B, beta (and DoRA's magnitude) and the
 * weights the user named trainable are SameDiff variables; every other weight is a constant, so SameDiff's own
 * {@code fit} cannot change it. The graph as it was before wrapping is kept as FlatBuffers with its base
 * weights emptied: that is what the artifact stores and what {@link #merged()} fills with merged weights.
 */
public final class AdaptedGraph {
  /**
   * Everything that replays a wrapping: the base, the resolved targets, the adapter, the graph's interface
   * (inputs, output, labels, loss), the weights trained in full and where the graph came from.
   */
  public record Spec(GraphAdapter.Base base, long seed, InitSpec init, List<AdaptedTarget> targets,
      AdapterConfig adapter, List<String> inputs, String output, String labels, String loss, List<String> trained,
      String source, byte[] sourceSha256) {
    /** Copies the lists. */
    public Spec {
      targets = List.copyOf(targets);
      inputs = List.copyOf(inputs);
      trained = List.copyOf(trained);
      sourceSha256 = sourceSha256.clone();
    }
  }

  /** A base weight left out of the stored graph, with the SHA-256 its replacement must match (pretrained base). */
  public record BaseWeight(String variable, long[] shape, byte[] sha256) {
  }

  /** How {@link #fit} trains: Adam's learning rate, progress output, an artifact written after every epoch. */
  public record FitOptions(double learningRate, org.lottalora.core.train.Progress progress, Path checkpoint,
      List<Listener> listeners) {
    /** Learning rate 1e-3, silent, no checkpoint. */
    public static FitOptions defaults() {
      return new FitOptions(1e-3, org.lottalora.core.train.Progress.silent(), null, List.of());
    }

    /** Validates the rate and copies the listeners. */
    public FitOptions {
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException("the learning rate must be a positive number, got " + learningRate);
      }
      listeners = List.copyOf(listeners);
    }

    /** These options with another learning rate. */
    public FitOptions withLearningRate(double lr) {
      return new FitOptions(lr, progress, checkpoint, listeners);
    }

    /** These options with progress output. */
    public FitOptions withProgress(org.lottalora.core.train.Progress p) {
      return new FitOptions(learningRate, p, checkpoint, listeners);
    }

    /** These options writing the artifact to {@code path} after every epoch. */
    public FitOptions withCheckpoint(Path path) {
      return new FitOptions(learningRate, progress, path, listeners);
    }
  }

  /**
   * How the training data was prepared and fed: the dataset's name, the normalization applied to its raw
   * features, and the run's settings. Stored with every save, per-epoch checkpoints included, so that whoever
   * evaluates any saved file (an interrupted run's too) can feed the graph as training did.
   */
  public record DataRecord(String dataset, Normalization normalization, int batch, double learningRate,
      long shuffleSeed, long splitSeed) {
  }

  private final SameDiff graph;
  private final Spec spec;
  private final byte[] stored;
  private final Map<String, INDArray> left;
  private final Backbone backbone;
  private final List<BaseWeight> baseWeights;
  private final Map<String, long[]> trainedShapes = new LinkedHashMap<>();
  private long epochsTrained;
  private DataRecord dataRecord;

  private AdaptedGraph(SameDiff graph, Spec spec, byte[] stored, Map<String, INDArray> left, Backbone backbone,
      List<BaseWeight> baseWeights) {
    this.graph = graph;
    this.spec = spec;
    this.stored = stored;
    this.left = left;
    this.backbone = backbone;
    this.baseWeights = List.copyOf(baseWeights);
  }

  /**
   * Snapshots {@code g} (base arrays emptied), then rewrites it in place.
   *
   * @param trainedValues values of the trained tensors (loading), empty for a fresh wrapping
   */
  static AdaptedGraph create(SameDiff g, Spec spec, Backbone backbone, List<BaseWeight> ignored,
      Map<String, float[]> trainedValues) {
    Map<String, INDArray> left = new LinkedHashMap<>();
    List<BaseWeight> baseWeights = new ArrayList<>();
    for (String name : strippedNames(g, spec)) {
      INDArray a = g.getVariable(name).getArr();
      left.put(name, a.dup());
      if (spec.base() == GraphAdapter.Base.PRETRAINED && !spec.trained().contains(name)) {
        baseWeights.add(new BaseWeight(name, a.shape(), GraphArtifacts.sha256(NdArrays.read(a))));
      }
    }
    byte[] stored = snapshot(g, left.keySet());
    AdaptedGraph ag = new AdaptedGraph(g, spec, stored, left, backbone, baseWeights);
    ag.wrap(trainedValues);
    return ag;
  }

  /**
   * The weights whose arrays the stored graph leaves out: the targets and the weights trained in full (their
   * values travel as trained tensors), and with a pretrained base every other weight too (the base file has them).
   */
  static List<String> strippedNames(SameDiff g, Spec spec) {
    List<String> out = new ArrayList<>();
    for (AdaptedTarget t : spec.targets()) {
      out.add(t.variable());
    }
    out.addAll(spec.trained());
    if (spec.base() == GraphAdapter.Base.PRETRAINED) {
      for (SDVariable v : g.variables()) {
        if (TargetRule.isWeight(v) && !out.contains(v.name()) && v.getArr() != null && v.getArr().length() > 1) {
          out.add(v.name());
        }
      }
    }
    return out;
  }

  /** FlatBuffers of {@code g} with the named arrays replaced by one-element placeholders of their data type. */
  static byte[] snapshot(SameDiff g, java.util.Collection<String> strip) {
    SameDiff copy = g.dup();
    for (String name : strip) {
      INDArray a = copy.getVariable(name).getArr();
      copy.getVariable(name).setArray(Nd4j.zeros(a.dataType(), 1));
    }
    ByteBuffer bb = copy.asFlatBuffers(false);
    byte[] out = new byte[bb.remaining()];
    bb.get(out);
    return out;
  }

  /** Reads a stored graph back and puts the left-out arrays in. */
  static SameDiff restore(byte[] stored, Map<String, INDArray> arrays) {
    SameDiff g;
    try {
      g = SameDiff.fromFlatBuffers(ByteBuffer.wrap(stored), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      g.getVariable(e.getKey()).setArray(e.getValue().dup());
    }
    return g;
  }

  /** {@code values} (canonical [d_out, d_in] order) as the array the graph stores for {@code t}. */
  static INDArray graphArray(float[] values, AdaptedTarget t) {
    return t.transposed() ? NdArrays.ofTransposed(values, t.dOut(), t.dIn()) : NdArrays.of(values, t.dOut(), t.dIn());
  }

  private void wrap(Map<String, float[]> values) {
    List<SDVariable> freeze = new ArrayList<>();
    for (SDVariable v : graph.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && !spec.trained().contains(v.name())) {
        freeze.add(v);
      }
    }
    if (!freeze.isEmpty()) {
      graph.convertToConstants(freeze);
    }
    for (String name : spec.trained()) {
      SDVariable v = graph.getVariable(name);
      if (v.getVariableType() == VariableType.CONSTANT) {
        graph.convertToVariable(v);
      }
      float[] given = values.get(name);
      if (given != null) {
        graph.getVariable(name).setArray(Nd4j.create(given, v.getShape(), 'c').castTo(v.dataType()));
      }
      trainedShapes.put(name, graph.getVariable(name).getShape());
    }
    AdapterConfig ac = spec.adapter();
    for (AdaptedTarget t : spec.targets()) {
      List<String> consumers = new ArrayList<>(graph.getVariables().get(t.variable()).getInputsForOp());
      SDVariable w = graph.getVariable(t.variable());
      int r = ac.rank();
      SDVariable base = w;
      if (ac.trainBeta()) {
        SDVariable beta = trained(t.beta(), new long[] {1}, values, new float[] {1f});
        base = w.mul(beta);
      }
      TensorSpec aSpec = TensorSpec.of(t.a(), new int[] {r, t.dIn()}, InitSpec.parse("kaiming_uniform"));
      float[] aInit = values.containsKey(t.a()) ? null : Backbone.regenerate(ac.initSeed(), List.of(aSpec), 1)
          .get(t.a());
      SDVariable a = trained(t.a(), new long[] {r, t.dIn()}, values, aInit);
      SDVariable b = trained(t.b(), new long[] {t.dOut(), r}, values, new float[t.dOut() * r]);
      // delta in the graph's own layout: B A for [d_out, d_in], A^T B^T = (B A)^T for [d_in, d_out]
      SDVariable delta = t.transposed() ? graph.mmul(a, b, true, true, false) : b.mmul(a);
      SDVariable v = base.add(delta.mul(ac.scaling()));
      if (ac.dora()) {
        int axis = t.transposed() ? 0 : 1;
        float[] norms = rowNorms(w.getArr(), t);
        SDVariable m = trained(t.doraM(), new long[] {t.dOut()}, values, norms);
        SDVariable norm = graph.math().sqrt(v.mul(v).sum(true, axis));
        v = v.div(norm).mul(t.transposed() ? m.reshape(1, t.dOut()) : m.reshape(t.dOut(), 1));
      }
      SDVariable eff = v.rename(t.variable() + AdaptedTarget.ADAPTED);
      for (String opName : consumers) {
        SameDiffOp op = graph.getOps().get(opName);
        List<String> ins = op.getInputsToOp();
        for (int i = 0; i < ins.size(); i++) {
          if (ins.get(i).equals(t.variable())) {
            graph.replaceArgFor(i, eff, op.getOp());
          }
        }
      }
    }
    graph.setLossVariables(spec.loss());
  }

  private SDVariable trained(String name, long[] shape, Map<String, float[]> values, float[] init) {
    float[] v = values.getOrDefault(name, init);
    trainedShapes.put(name, shape);
    return graph.var(name, NdArrays.of(v, shape));
  }

  /** Row norms of the base in the canonical [d_out, d_in] sense (DoRA's magnitude starts there). */
  private static float[] rowNorms(INDArray w, AdaptedTarget t) {
    float[] v = NdArrays.read(w);
    float[] out = new float[t.dOut()];
    for (int o = 0; o < t.dOut(); o++) {
      double ss = 0;
      for (int i = 0; i < t.dIn(); i++) {
        double x = t.transposed() ? v[i * t.dOut() + o] : v[o * t.dIn() + i];
        ss += x * x;
      }
      out[o] = (float) Math.sqrt(ss);
    }
    return out;
  }

  /**
   * Trains with SameDiff's own {@code fit}: Adam at the options' rate on the graph's loss, features fed to the
   * graph's inputs in order and labels to its labels placeholder; progress per batch; the artifact written
   * after every epoch when a checkpoint path is given (atomically, so an interrupted run keeps the last epoch).
   */
  public void fit(DataSetIterator train, int epochs, FitOptions options) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    if (spec.labels() == null || spec.labels().isEmpty()) {
      throw new IllegalStateException("this graph has no labels placeholder to train on");
    }
    TrainingConfig tc = TrainingConfig.builder().updater(new Adam(options.learningRate()))
        .dataSetFeatureMapping(spec.inputs()).dataSetLabelMapping(spec.labels()).build();
    graph.setTrainingConfig(tc);
    List<Listener> ls = new ArrayList<>(options.listeners());
    ls.add(new FitProgress(this, train, epochs, options));
    QuietStdout.run(() -> graph.fit(train, epochs, ls.toArray(new Listener[0])), "Added differentiated op");
  }

  void epochDone() {
    epochsTrained++;
  }

  /** Records how the data is prepared (before {@link #fit}, so that its checkpoints carry it too). */
  public void dataRecord(DataRecord r) {
    this.dataRecord = r;
  }

  /** How the data was prepared, or null when not recorded. */
  public DataRecord dataRecord() {
    return dataRecord;
  }

  /** Epochs trained since this object was made. */
  public long epochsTrained() {
    return epochsTrained;
  }

  /** The output (logits or scores) for one input batch (a graph with one input). */
  public INDArray output(INDArray input) {
    if (spec.inputs().size() != 1) {
      throw new IllegalArgumentException("this graph has " + spec.inputs().size() + " inputs " + spec.inputs()
          + "; use output(Map)");
    }
    return output(Map.of(spec.inputs().get(0), input));
  }

  /** The output for named inputs. */
  public INDArray output(Map<String, INDArray> inputs) {
    return graph.output(inputs, spec.output()).get(spec.output());
  }

  /** The class with the highest output per row. */
  public int[] classify(INDArray input) {
    INDArray out = output(input);
    int[] c = new int[(int) out.size(0)];
    INDArray arg = Nd4j.argMax(out, 1);
    for (int i = 0; i < c.length; i++) {
      c[i] = arg.getInt(i);
    }
    return c;
  }

  /** The current values of every trained tensor (A, B, beta, DoRA's m, the weights trained in full), by name. */
  public Map<String, float[]> trainedTensors() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String name : trainedShapes.keySet()) {
      out.put(name, NdArrays.read(graph.getVariable(name).getArr().castTo(DataType.FLOAT)));
    }
    return out;
  }

  /** The graph shape of each trained tensor. */
  public Map<String, long[]> trainedShapes() {
    return Collections.unmodifiableMap(trainedShapes);
  }

  /** The merged value of target {@code t} in the graph's layout: the adapted weight the wrapped graph uses. */
  public INDArray mergedWeight(AdaptedTarget t) {
    String eff = t.variable() + AdaptedTarget.ADAPTED;
    return graph.output(Collections.emptyMap(), eff).get(eff).dup();
  }

  /**
   * The user's graph with every target's merged weight and the trained weights put in: a plain SameDiff graph
   * without adapters that predicts as this one does (to float rounding) and that DL4J loads without this toolkit.
   */
  public SameDiff merged() {
    Map<String, INDArray> arrays = new LinkedHashMap<>(left);
    for (AdaptedTarget t : spec.targets()) {
      arrays.put(t.variable(), mergedWeight(t).castTo(left.get(t.variable()).dataType()));
    }
    for (String name : spec.trained()) {
      arrays.put(name, graph.getVariable(name).getArr().dup());
    }
    return restore(stored, arrays);
  }

  /** Writes {@link #merged()} as a SameDiff FlatBuffers file ({@code SameDiff.load(file, false)} reads it). */
  public void exportMerged(Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      merged().save(tmp.toFile(), false);
      java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the artifact (seed + adapters, or base fingerprints + adapters) atomically. */
  public void save(Path path) {
    GraphArtifacts.write(this, path);
  }

  /** Trained values, frozen values and the trainable fraction. */
  public ParameterCounts parameterCounts() {
    long trainedCount = 0;
    for (long[] s : trainedShapes.values()) {
      long n = 1;
      for (long d : s) {
        n *= d;
      }
      trainedCount += n;
    }
    long frozen = 0;
    for (SDVariable v : graph.variables()) {
      if (v.getVariableType() == VariableType.CONSTANT && v.getArr() != null && v.dataType().isFPType()) {
        frozen += v.getArr().length();
      }
    }
    return new ParameterCounts(trainedCount, frozen);
  }

  /** Counts of trained and frozen values. */
  public record ParameterCounts(long trained, long frozen) {
    /** Trained values over all values. */
    public double fraction() {
      return trained / (double) (trained + frozen);
    }
  }

  /** The wrapped SameDiff graph itself (for listeners, evaluation or custom training). */
  public SameDiff sameDiff() {
    return graph;
  }

  /** The wrapping this graph replays. */
  public Spec spec() {
    return spec;
  }

  /** The regenerated scaffold of the targets (seed base), or null (pretrained base). */
  public Backbone backbone() {
    return backbone;
  }

  /** The base weights left out of the artifact with their SHA-256 (pretrained base). */
  public List<BaseWeight> baseWeights() {
    return baseWeights;
  }

  /** The stored form of the graph before wrapping, base arrays emptied. */
  byte[] storedGraph() {
    return stored.clone();
  }
}
