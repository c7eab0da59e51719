package org.lottalora.models.graph;

import org.lottalora.models.EngineArtifacts;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.GraphConfig;

/**
 * A graph network as an application uses it: family {@code gcn} (node classification on one graph) or {@code gin}
 * (graph classification), its shape, the data and split it was trained on, and its trained arrays. Trains, predicts
 * and saves as "seed + adapters": loading regenerates the scaffold from the seed, checks every backbone tensor's
 * fingerprint, and puts the stored adapters, betas and head back.
 */
public final class GraphModel {
  /** Registry ids of the graph families. */
  public static final List<String> FAMILIES = List.of("gcn", "gin");

  /**
   * What defines a graph model before training.
   *
   * @param family {@code gcn} or {@code gin}
   * @param spec the network's shape, seed, scaffold init and adapter settings
   * @param data the text of the data it trains on ({@link GraphData#parse})
   * @param splitSeed seed of the train / validation / test split
   * @param trainFraction share of nodes or graphs that train
   * @param valFraction share that picks the epoch
   */
  public record Setup(String family, GcnNetwork.Spec spec, String data, long splitSeed, double trainFraction,
      double valFraction) {
    /** Validates the family and the fractions. */
    public Setup {
      if (!FAMILIES.contains(family)) {
        throw new IllegalArgumentException("unknown graph family '" + family + "'; known: gcn, gin");
      }
      if (!(trainFraction > 0) || !(valFraction > 0) || trainFraction + valFraction >= 1) {
        throw new IllegalArgumentException("train and validation fractions must be > 0 and leave a test share, got "
            + trainFraction + " and " + valFraction);
      }
    }
  }

  /**
   * The outcome of training.
   *
   * @param report test and validation accuracy, best epoch, trainable fraction, betas, seconds
   * @param betas beta per adapted layer by name
   * @param record the artifact's training record of the run (data, schedule, outcome, betas)
   */
  public record Trained(GcnTrainer.Report report, Map<String, Float> betas, TrainingRecord record) {
  }

  /** The training record of a run on {@code d}: nodes (gcn) or graphs (gin), the constant-rate schedule. */
  private TrainingRecord record(GraphData d, int epochs, double lr, double wd, int batch, GcnTrainer.Report r,
      Map<String, Float> betas) {
    boolean gin = setup.family().equals("gin");
    return TrainingRecord.of(setup.data(), gin ? d.set().graphs().size() : d.node().nodes(),
        new TrainingRecord.Schedule(epochs, 0, gin ? batch : d.node().nodes(), lr, wd, 0, false, 0,
            setup.splitSeed(), setup.splitSeed()),
        new TrainingRecord.Outcome(r.testAccuracy(), Double.NaN, r.bestValAccuracy(), r.bestEpoch(), epochs,
            r.seconds(), Double.NaN, ""), TrainingRecord.doubles(betas));
  }

  private final Setup setup;
  private Map<String, float[]> values;

  private GraphModel(Setup setup, Map<String, float[]> values) {
    this.setup = setup;
    this.values = values;
  }

  /** A fresh model (adapters at their initial values, head from the seed). */
  public static GraphModel create(Setup setup) {
    return new GraphModel(setup, Map.of());
  }

  /** The setup. */
  public Setup setup() {
    return setup;
  }

  /** Checks that {@code d} fits this model: the task, the features per node and the classes. */
  public void check(GraphData d) {
    boolean gin = setup.family().equals("gin");
    if (gin != d.graphTask()) {
      throw new IllegalArgumentException("family '" + setup.family() + "' " + (gin ? "classifies whole graphs" :
          "classifies nodes") + "; data '" + d.text() + "' is a " + (d.graphTask() ? "graph" : "node") + " task: use "
          + (gin ? "--model gcn or node data (sbm, csv:, cora:)" : "--model gin or --data synthetic"));
    }
    if (d.dims() != setup.spec().inputDim()) {
      throw new IllegalArgumentException("data '" + d.text() + "' has " + d.dims() + " features per node, the model "
          + "takes " + setup.spec().inputDim());
    }
    if (d.classes() > setup.spec().classes()) {
      throw new IllegalArgumentException("data '" + d.text() + "' has " + d.classes() + " classes, the model "
          + setup.spec().classes());
    }
  }

  /** Trains on {@code d} (node task: full batch; graph task: batches of {@code batch} graphs). */
  public Trained train(GraphData d, int epochs, double lr, double weightDecay, int batch, Progress p) {
    check(d);
    if (setup.family().equals("gcn")) {
      if (d.node().labels() == null) {
        throw new IllegalArgumentException("data '" + d.text() + "' has no labels to train on");
      }
      GcnNetwork net = new GcnNetwork(setup.spec(), d.node(), values);
      GcnTrainer.Report r;
      try {
        r = GcnTrainer.train(net, d.node(), new GcnTrainer.Config(epochs, lr, weightDecay, setup.trainFraction(),
            setup.valFraction(), setup.splitSeed()), p);
      } catch (org.lottalora.core.train.LossGuard.Diverged e) {
        values = GcnTrainer.copy(net.trained()); // the last good arrays the trainer put back, for a caller to save
        throw e;
      }
      values = GcnTrainer.copy(net.trained());
      Map<String, Float> betas = new java.util.LinkedHashMap<>();
      for (int l = 0; l < r.betas().length; l++) {
        betas.put("gcn." + l, r.betas()[l]);
      }
      return new Trained(r, betas, record(d, epochs, lr, weightDecay, batch, r, betas));
    }
    GinNetwork net = new GinNetwork(setup.spec(), values);
    GcnTrainer.Report r;
    try {
      r = GinTrainer.train(net, d.set(), new GinTrainer.Config(epochs, batch, lr, weightDecay,
          setup.trainFraction(), setup.valFraction(), setup.splitSeed()), p);
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      values = GcnTrainer.copy(net.trained()); // the last good arrays the trainer put back, for a caller to save
      throw e;
    }
    values = GcnTrainer.copy(net.trained());
    return new Trained(r, net.betas(), record(d, epochs, lr, weightDecay, batch, r, net.betas()));
  }

  /** Class probabilities of every node of {@code g} (family gcn), [nodes][classes]. */
  public float[][] nodeProbabilities(Graph g) {
    requireFamily("gcn");
    float[][] logits = new GcnNetwork(setup.spec(), g, values).forward(features(g));
    for (int n = 0; n < logits.length; n++) {
      logits[n] = org.lottalora.core.engine.Softmax.of(logits[n]);
    }
    return logits;
  }

  /** Class probabilities of graph {@code g} (family gin). */
  public float[] graphProbabilities(Graph g) {
    requireFamily("gin");
    return org.lottalora.core.engine.Softmax.of(new GinNetwork(setup.spec(), values).logits(g));
  }

  /** Accuracy on the test share of {@code d} under the model's own split (the figure training reports). */
  public double testAccuracy(GraphData d) {
    check(d);
    if (setup.family().equals("gcn")) {
      boolean[] test = GcnTrainer.split(d.node().nodes(), setup.splitSeed(), setup.trainFraction(),
          setup.valFraction())[2];
      return GcnTrainer.accuracy(new GcnNetwork(setup.spec(), d.node(), values).forward(features(d.node())),
          d.node().labels(), test);
    }
    GinTrainer.Split s = GinTrainer.Split.of(d.set().graphs().size(), setup.splitSeed(), setup.trainFraction(),
        setup.valFraction());
    return GinTrainer.accuracy(new GinNetwork(setup.spec(), values), d.set(), s.test());
  }

  /** Mean test cross-entropy (nats) on the test share of {@code d} under the model's own split. */
  public double testLoss(GraphData d) {
    check(d);
    if (setup.family().equals("gcn")) {
      boolean[] test = GcnTrainer.split(d.node().nodes(), setup.splitSeed(), setup.trainFraction(),
          setup.valFraction())[2];
      int[] idx = java.util.stream.IntStream.range(0, test.length).filter(i -> test[i]).toArray();
      return org.lottalora.models.FamilyRuns.meanNll(nodeProbabilities(d.node()), d.node().labels(), idx);
    }
    int[] idx = GinTrainer.Split.of(d.set().graphs().size(), setup.splitSeed(), setup.trainFraction(),
        setup.valFraction()).test();
    float[][] p = new float[idx.length][];
    int[] y = new int[idx.length];
    for (int k = 0; k < idx.length; k++) {
      p[k] = graphProbabilities(d.set().graphs().get(idx[k]));
      y[k] = d.set().labels()[idx[k]];
    }
    return org.lottalora.models.FamilyRuns.meanNll(p, y, null);
  }

  /**
   * This model with the scaffold removed: every layer's beta set to 0, so that only adapters, biases and the head
   * act (the paper's "W_seed removed" ablation). A copy; this model is unchanged.
   */
  public GraphModel withoutScaffold() {
    return new GraphModel(setup, org.lottalora.models.FamilyRuns.withoutScaffold(trained()));
  }

  private void requireFamily(String f) {
    if (!setup.family().equals(f)) {
      throw new IllegalArgumentException("this is a " + setup.family() + " model; "
          + (f.equals("gcn") ? "nodeProbabilities needs gcn" : "graphProbabilities needs gin"));
    }
  }

  static float[][] features(Graph g) {
    float[][] x = new float[g.nodes()][g.dims()];
    for (int i = 0; i < g.nodes(); i++) {
      System.arraycopy(g.features(), i * g.dims(), x[i], 0, g.dims());
    }
    return x;
  }

  /** The backbone tensors this model regenerates from its seed. */
  List<TensorSpec> backboneTensors() {
    return setup.family().equals("gcn") ? GcnNetwork.tensors(setup.spec()) : GinNetwork.tensors(setup.spec());
  }

  /** The trained arrays: after training, or as loaded; a fresh model's initial values otherwise. */
  public Map<String, float[]> trained() {
    if (!values.isEmpty()) {
      return values;
    }
    return setup.family().equals("gin") ? new GinNetwork(setup.spec(), Map.of()).trained()
        : GcnTrainer.copy(new GcnNetwork(setup.spec(), Graph.of("empty", 1, new int[0], new int[0],
            new float[setup.spec().inputDim()], setup.spec().inputDim(), null, 0)).trained());
  }

  /**
   * Writes the model atomically ({@code key} signs it when not null) with its training record
   * ({@link Trained#record}; null: saved untrained).
   */
  public void save(Path path, TrainingRecord record, PrivateKey key) {
    GcnNetwork.Spec s = setup.spec();
    List<TensorSpec> specs = backboneTensors();
    GraphConfig.Builder gc = GraphConfig.newBuilder().setData(setup.data()).setSplitSeed(setup.splitSeed())
        .setTrainFraction(setup.trainFraction()).setValFraction(setup.valFraction());
    for (int h : s.hidden()) {
      gc.addHidden(h);
    }
    Map<String, TensorSpec> byName = new HashMap<>();
    specs.forEach(t -> byName.put(t.name(), t));
    Map<String, float[]> trained = trained();
    // a layer's rank reads from A's shape
    EngineArtifacts.write(path, s.seed(), s.init(), Backbone.regenerate(s.seed(), specs, 1),
        org.lottalora.format.proto.ModelSpec.newBuilder().setFamily(setup.family()).setInputDim(s.inputDim())
            .setClasses(s.classes()).setFull(s.full()).setGraph(gc), s.adapter(), trained,
        name -> EngineArtifacts.shapeOf(byName, name, trained.get(name).length),
        record == null ? TrainingRecord.untrained(setup.data()) : record, EngineArtifacts.values(specs),
        DType.FLOAT32, key);
  }

  /** Loads and verifies a graph model. */
  public static GraphModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static GraphModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** The graph model an opened artifact describes. */
  public static GraphModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    org.lottalora.format.proto.ModelSpec m = EngineArtifacts.require(a,
        org.lottalora.format.proto.ModelSpec.ConfigCase.GRAPH, where, "graph network");
    GraphConfig gc = m.getGraph();
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    Setup setup;
    try {
      AdapterConfig ac = EngineArtifacts.adapterWithBlocks(pa);
      GcnNetwork.Spec spec = new GcnNetwork.Spec(m.getInputDim(), gc.getHiddenList().stream().mapToInt(i -> i)
          .toArray(), m.getClasses(), a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where), ac,
          m.getFull());
      setup = new Setup(m.getFamily(), spec, gc.getData(), gc.getSplitSeed(), gc.getTrainFraction(),
          gc.getValFraction());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid graph model spec: " + e.getMessage());
    }
    GraphModel fresh = create(setup);
    List<TensorSpec> specs = fresh.backboneTensors();
    EngineArtifacts.scaffold(a, setup.spec().seed(), specs, 1, where);
    return new GraphModel(setup, EngineArtifacts.trained(a, fresh.trained(), where,
        "this " + setup.family() + " model"));
  }
}
