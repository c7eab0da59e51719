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
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.DecayListener;
import org.lottalora.core.train.Progress;
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
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A user's graph with adapters, ready to train, predict, save and export. Made by {@link GraphAdapter#apply()}
 * or loaded from an artifact ({@link GraphArtifacts#load}). Only A, B, beta (and DoRA's magnitude) and the
 * weights the user named trainable are SameDiff variables; every other weight is a constant, so SameDiff's own
 * {@code fit} cannot change it. The graph as it was before wrapping is kept as FlatBuffers with its base
 * weights emptied: that is what the artifact stores and what {@link #merged()} fills with merged weights.
 *
 * <p>With adapter dropout p &gt; 0 (PEFT's {@code lora_dropout}) every matrix product that reads a target W computes
 * its base part with {@code beta * W} and adds {@code s * mmul(x * mask, delta)}, delta = B A in W's layout, so that
 * only the A path sees dropped inputs, as in PEFT. Each product's mask is a placeholder
 * {@code mask.<target>.lora_dropout} (then {@code .1}, {@code .2} for further products of one target, by op name)
 * that {@link #fit} fills from the project's seeded generator and {@link #output} with ones, so predictions are
 * deterministic and equal {@link #merged()}'s. The sum takes the product's output name, so the graph's output and
 * loss keep their names and a reload replays the same graph.
 */
public final class AdaptedGraph {
  /**
   * Everything that replays a wrapping: the base, the resolved targets, the adapter, the graph's interface
   * (inputs, output, labels, loss), the weights trained in full and where the graph came from.
   */
  public record Spec(GraphAdapter.Base base, long seed, InitSpec init, List<AdaptedTarget> targets,
      AdapterConfig adapter, List<String> inputs, String output, int headClasses, String labels, String loss,
      List<String> trained,
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

  /**
   * How {@link #fit} trains: Adam at {@code learningRate} with decoupled weight decay {@code weightDecay} (PyTorch's
   * AdamW; 0 for plain Adam), {@code warmupEpochs} of linear warm-up, then a half-cosine decay to 0 when
   * {@code cosine} (the toolkit's schedule, {@link CosineSchedule}); progress output; the artifact written after
   * every epoch to {@code checkpoint} (null: none); extra SameDiff listeners.
   */
  public record FitOptions(double learningRate, double weightDecay, int warmupEpochs, boolean cosine,
      Progress progress, Path checkpoint, List<Listener> listeners) {
    /** Adam at 1e-3, constant rate, no weight decay, silent, no checkpoint: what a SameDiff user expects. */
    public static FitOptions defaults() {
      return new FitOptions(1e-3, 0, 0, false, Progress.silent(), null, List.of());
    }

    /** The toolkit's recipe for the built-in families: AdamW lr 1e-3, weight decay 1e-2, cosine decay. */
    public static FitOptions recipe() {
      return new FitOptions(1e-3, 1e-2, 0, true, Progress.silent(), null, List.of());
    }

    /** Validates the numbers and copies the listeners. */
    public FitOptions {
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException("the learning rate must be a positive number, got " + learningRate);
      }
      if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
        throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
      }
      if (warmupEpochs < 0) {
        throw new IllegalArgumentException("warm-up epochs must be >= 0, got " + warmupEpochs);
      }
      listeners = List.copyOf(listeners);
    }

    /** These options with another learning rate. */
    public FitOptions withLearningRate(double lr) {
      return new FitOptions(lr, weightDecay, warmupEpochs, cosine, progress, checkpoint, listeners);
    }

    /** These options with another schedule and weight decay. */
    public FitOptions withSchedule(double weightDecay, int warmupEpochs, boolean cosine) {
      return new FitOptions(learningRate, weightDecay, warmupEpochs, cosine, progress, checkpoint, listeners);
    }

    /** These options with progress output. */
    public FitOptions withProgress(Progress p) {
      return new FitOptions(learningRate, weightDecay, warmupEpochs, cosine, p, checkpoint, listeners);
    }

    /** These options writing the artifact to {@code path} after every epoch. */
    public FitOptions withCheckpoint(Path path) {
      return new FitOptions(learningRate, weightDecay, warmupEpochs, cosine, progress, path, listeners);
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
  private AdapterDropout dropout;
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
    if (spec.headClasses() > 0) {
      // the training head is added after the snapshot: the stored graph and the merged export are the user's own
      SDVariable lab = g.placeHolder(spec.labels(), DataType.FLOAT, -1, spec.headClasses());
      g.loss.softmaxCrossEntropy(spec.loss(), lab, g.getVariable(spec.output()), null);
    }
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
    dropout = new AdapterDropout(ac.dropout(), ac.initSeed(), () -> restore(stored, left), spec.inputs());
    if (ac.dropout() > 0) {
      // refuse before rewriting anything, so a refused graph is not left half wrapped
      for (AdaptedTarget t : spec.targets()) {
        for (String opName : consumersOf(graph, t.variable())) {
          weightOperand(graph, t, opName, spec.targets());
        }
      }
    }
    for (AdaptedTarget t : spec.targets()) {
      List<String> consumers = consumersOf(graph, t.variable());
      SDVariable w = graph.getVariable(t.variable());
      int r = t.rank(ac);
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
      // with adapter dropout the products read beta*W only and the low-rank part comes in activation space
      // (below); the merged weight stays in the graph for mergedWeight() and merged()
      boolean dropping = ac.dropout() > 0;
      SDVariable used = dropping ? base : eff;
      Map<String, Integer> weightAt = new LinkedHashMap<>();
      for (String opName : consumers) {
        SameDiffOp op = graph.getOps().get(opName);
        List<String> ins = op.getInputsToOp();
        if (dropping) {
          weightAt.put(opName, weightOperand(graph, t, opName, spec.targets()));
        }
        for (int i = 0; i < ins.size(); i++) {
          if (ins.get(i).equals(t.variable()) && used != w) {
            graph.replaceArgFor(i, used, op.getOp());
          }
        }
      }
      if (dropping) {
        // sorted so that a fresh wrapping and a reload (whose consumer lists may be ordered differently) name
        // the same mask after the same product
        List<String> sorted = new ArrayList<>(weightAt.keySet());
        Collections.sort(sorted);
        for (int k = 0; k < sorted.size(); k++) {
          String mask = "mask." + t.variable() + ".lora_dropout" + (k == 0 ? "" : "." + k);
          dropoutPath(t, sorted.get(k), weightAt.get(sorted.get(k)), delta, ac.scaling(), mask);
        }
      }
    }
    graph.setLossVariables(spec.loss());
  }

  private static List<String> consumersOf(SameDiff g, String variable) {
    List<String> c = g.getVariables().get(variable).getInputsForOp();
    return c == null ? new ArrayList<>() : new ArrayList<>(c);
  }

  /**
   * Which operand of consumer {@code opName} is the target (0 or 1), refusing adapter dropout where it has no
   * meaning: a consumer that is not a matrix product (there is no input of an A path to drop), or a product whose
   * other operand is the same or another target (no activation to mask).
   */
  private static int weightOperand(SameDiff g, AdaptedTarget t, String opName, List<AdaptedTarget> targets) {
    SameDiffOp op = g.getOps().get(opName);
    if (!(op.getOp() instanceof Mmul)) {
      throw new IllegalArgumentException("adapter dropout masks the input of a matrix product, but target '"
          + t.variable() + "' also feeds op '" + opName + "' (" + op.getOp().opName() + "); set dropout 0 or "
          + "leave '" + t.variable() + "' out of the targets");
    }
    List<String> ins = op.getInputsToOp();
    int idx = ins.indexOf(t.variable());
    String other = ins.get(1 - idx);
    if (other.equals(t.variable()) || targets.stream().anyMatch(o -> o.variable().equals(other))) {
      throw new IllegalArgumentException("adapter dropout on target '" + t.variable() + "': matrix product '"
          + opName + "' multiplies it by '" + other + "', which is an adapter target too, not an activation to "
          + "mask; set dropout 0 or adapt only one of them");
    }
    return idx;
  }

  /**
   * Adds the dropout path of one consumer: {@code s * mmul(x * mask, delta)} with the consumer's own transpose
   * flags and operand order (delta is in W's layout, so the product reads it as it reads W), summed onto the
   * consumer's output. The sum takes over the output's name (the product's own output is renamed
   * {@code <name>.lora_base}) so the graph's output, loss and downstream ops, and the replay after loading,
   * read it under the name they already use.
   */
  private void dropoutPath(AdaptedTarget t, String opName, int weightAt, SDVariable delta, double scaling,
      String maskName) {
    SameDiffOp op = graph.getOps().get(opName);
    Map<String, Object> p = op.getOp().propertiesForFunction();
    boolean ta = Boolean.TRUE.equals(p.get("transposeA"));
    boolean tb = Boolean.TRUE.equals(p.get("transposeB"));
    boolean tr = Boolean.TRUE.equals(p.get("transposeResult"));
    SDVariable x = graph.getVariable(op.getInputsToOp().get(1 - weightAt));
    String out = op.getOutputsOfOp().get(0);
    String baseName = out + ".lora_base";
    if (graph.hasVariable(baseName) || graph.hasVariable(maskName)) {
      throw new IllegalStateException("the graph already has a variable '" + (graph.hasVariable(baseName)
          ? baseName : maskName) + "', a name adapter dropout needs; rename it");
    }
    List<String> downstream = consumersOf(graph, out);
    // no static shape: the mask takes x's runtime shape, measured by AdapterDropout's probe
    SDVariable mask = graph.placeHolder(maskName, x.dataType(), (long[]) null);
    SDVariable xm = x.mul(mask);
    SDVariable lora = (weightAt == 1 ? graph.mmul(xm, delta, ta, tb, tr) : graph.mmul(delta, xm, ta, tb, tr))
        .mul(scaling);
    graph.renameVariable(out, baseName);
    SDVariable sum = graph.getVariable(baseName).add(out, lora);
    for (String name : downstream) {
      SameDiffOp d = graph.getOps().get(name);
      List<String> ins = d.getInputsToOp();
      for (int i = 0; i < ins.size(); i++) {
        if (ins.get(i).equals(baseName)) {
          graph.replaceArgFor(i, sum, d.getOp());
        }
      }
    }
    dropout.add(new AdapterDropout.Site(t.variable(), maskName, x.name(), x.dataType()));
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
   * Trains with SameDiff's own {@code fit}: Adam(W) under the options' schedule on the graph's loss, features fed to the
   * graph's inputs in order and labels to its labels placeholder; progress per batch; the artifact written
   * after every epoch when a checkpoint path is given (atomically, so an interrupted run keeps the last epoch).
   * With adapter dropout, {@code train} is wrapped so that every batch carries one mask per site after its
   * features, drawn from the adapter seed and the step (batches since this object was made), so two fits from the
   * same state and seeds train identically; the first batch also sizes the masks (a probe forward).
   */
  public void fit(DataSetIterator train, int epochs, FitOptions options) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    train(train, 0, epochs, options);
  }

  /**
   * Trains on until {@code totalEpochs} epochs are done in all, counting those recorded in the artifact this graph
   * was loaded from (a checkpoint): the schedule continues where it stopped, the epochs are numbered on, and the
   * checkpoints record the total. Adam's moments are not stored in artifacts, so they start again from zero: a
   * resumed run ends close to an uninterrupted one, not bit for bit equal.
   *
   * @throws IllegalArgumentException when {@code totalEpochs} are already done
   */
  public void fitTo(DataSetIterator train, int totalEpochs, FitOptions options) {
    if (totalEpochs <= epochsTrained) {
      throw new IllegalArgumentException("this model has already trained " + epochsTrained + " epochs; ask for "
          + "more than that to train on");
    }
    train(train, (int) epochsTrained, totalEpochs, options);
  }

  private void train(DataSetIterator train, int done, int total, FitOptions options) {
    if (spec.labels() == null || spec.labels().isEmpty()) {
      throw new IllegalStateException("this graph has no labels placeholder to train on");
    }
    int epochs = total - done;
    FitProgress progress = new FitProgress(this, train, done, total, options);
    long steps = progress.batchesPerEpoch();
    if (steps == 0 && (options.cosine() || options.warmupEpochs() > 0)) {
      // the schedule is sized in steps; guessing would decay the rate to 0 after the first step
      throw new IllegalArgumentException("this data iterator cannot be reset and counted, so a warm-up or cosine "
          + "schedule cannot be sized: use a resettable iterator, or FitOptions with a constant rate");
    }
    ISchedule schedule = new ResumedSchedule(new CosineSchedule(options.learningRate(),
        steps * options.warmupEpochs(), steps * total, options.cosine()), steps * done);
    List<String> features = new ArrayList<>(spec.inputs());
    features.addAll(dropout.placeholders()); // the masks follow the inputs in every batch
    TrainingConfig.Builder tc = TrainingConfig.builder().updater(new Adam(schedule))
        .dataSetFeatureMapping(features).dataSetLabelMapping(spec.labels());
    graph.setTrainingConfig(tc.build());
    List<Listener> ls = new ArrayList<>(options.listeners());
    if (options.weightDecay() > 0) {
      // not tc.weightDecay, which decays every variable: WeightDecay's rule read by shape, since a user's names say
      // nothing (PyTorch calls a LayerNorm gain "weight"): the matrices trained, 2-D and up (the adapter factors,
      // weights trained in full), never a vector or scalar (biases, norm gains, betas, DoRA magnitudes)
      ls.add(new DecayListener(it -> schedule.valueAt((int) it, 0), options.weightDecay(),
          name -> trainedShapes.containsKey(name) && trainedShapes.get(name).length >= 2));
    }
    ls.add(progress);
    Listener[] all = ls.toArray(new Listener[0]);
    if (dropout.isEmpty()) {
      QuietStdout.run(() -> graph.fit(train, epochs, all), "Added differentiated op");
      return;
    }
    // measure the mask shapes on the first batch before SameDiff's loop starts; that batch is trained on first
    DataSet first = null;
    if (!dropout.probed() && train.hasNext()) {
      first = train.next();
      dropout.probe(Map.of(spec.inputs().get(0), first.getFeatures()));
    }
    MultiDataSetIterator masked = dropout.iterator(train, first);
    QuietStdout.run(() -> graph.fit(masked, epochs, all), "Added differentiated op");
  }

  void epochDone() {
    epochsTrained++;
  }

  /** Loading a checkpoint: the epochs its training record says were done. */
  void epochsDone(long n) {
    epochsTrained = n;
  }

  /** The toolkit's schedule shifted by the steps done before a resume (SameDiff counts from 0 on every fit). */
  private record ResumedSchedule(CosineSchedule schedule, long offset) implements ISchedule {
    @Override
    public double valueAt(int iteration, int epoch) {
      return schedule.at(iteration + offset);
    }

    @Override
    public ISchedule clone() {
      return new ResumedSchedule(schedule, offset);
    }
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

  /**
   * The output for named inputs. With adapter dropout the masks are fed as ones (no dropout), so the output is
   * deterministic and equals {@link #merged()}'s to float rounding.
   */
  public INDArray output(Map<String, INDArray> inputs) {
    if (dropout.isEmpty()) {
      return graph.output(inputs, spec.output()).get(spec.output());
    }
    dropout.probe(inputs);
    Map<String, INDArray> feed = new LinkedHashMap<>(inputs);
    feed.putAll(dropout.ones(AdapterDropout.batchSize(inputs, spec.inputs())));
    return graph.output(feed, spec.output()).get(spec.output());
  }

  /**
   * The adapter-dropout mask placeholders of the wrapped graph (empty without dropout), in the order
   * {@link #fit} feeds them after the inputs. Anyone running {@link #sameDiff()} directly must feed them: ones
   * for inference.
   */
  public List<String> dropoutMasks() {
    return dropout.placeholders();
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
    SameDiff m = restore(stored, arrays);
    m.setOutputs(List.of(spec.output())); // FlatBuffers do not keep the graph's declared outputs
    return m;
  }

  /** Writes {@link #merged()} as a SameDiff FlatBuffers file ({@code SameDiff.load(file, false)} reads it). */
  public void exportMerged(Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      merged().save(tmp.toFile(), false);
      java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        java.nio.file.Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("could not write " + file + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
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

  /**
   * The wrapped SameDiff graph itself (for listeners, evaluation or custom training). With adapter dropout it has
   * the mask placeholders of {@link #dropoutMasks()}, which whoever runs it must feed.
   */
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
