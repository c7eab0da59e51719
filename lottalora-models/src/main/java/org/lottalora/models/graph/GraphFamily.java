package org.lottalora.models.graph;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.ModelSpec.ConfigCase;
import org.lottalora.models.FamilyRuns;

/**
 * The graph networks as {@link Family}s ({@link GraphModel}): {@link Gcn} classifies the nodes of one graph (full
 * batch), {@link Gin} classifies whole graphs (mini-batches); both adapt every layer's weight over the frozen
 * scaffold and are scored by test accuracy at the best validation epoch.
 */
public abstract sealed class GraphFamily implements Family permits GraphFamily.Gcn, GraphFamily.Gin {
  private static final Map<String, GraphData> DATA = new ConcurrentHashMap<>();
  private final boolean gin;

  private GraphFamily(boolean gin) {
    this.gin = gin;
  }

  /** Node classification on one graph: sbm (default), csv:DIR or cora:DIR. */
  public static final class Gcn extends GraphFamily {
    /** The registry's instance. */
    public Gcn() {
      super(false);
    }
  }

  /** Graph classification: synthetic (default). */
  public static final class Gin extends GraphFamily {
    /** The registry's instance. */
    public Gin() {
      super(true);
    }
  }

  @Override
  public String id() {
    return gin ? "gin" : "gcn";
  }

  @Override
  public String description() {
    return gin ? "graph isomorphism network classifying whole graphs (every layer adapted)"
        : "graph convolutional network classifying nodes (every layer adapted)";
  }

  @Override
  public List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", gin ? "synthetic" : "sbm", gin ? "synthetic[:count=..,min=..,max=..,"
        + "seed=..]" : "sbm[:nodes=..,blocks=..,...], csv:DIR or cora:DIR"),
        new FamilyOption("split-seed", "1", "seed of the split"),
        new FamilyOption("epochs", gin ? "40" : "200", gin ? "passes over the graphs" : "full-batch steps"),
        new FamilyOption("batch", "32", gin ? "graphs per step" : "unused by gcn (full batch)"),
        new FamilyOption("lr", "0.01", "Adam learning rate"), new FamilyOption("wd", "5e-4", "decoupled weight decay"),
        new FamilyOption("hidden", "64,64", "hidden widths, one per layer"),
        new FamilyOption("train-fraction", gin ? "0.7" : "0.1", "share that trains"),
        new FamilyOption("val-fraction", gin ? "0.15" : "0.1", "share that picks the epoch"));
  }

  private static GraphData data(RunSpec r) {
    return DATA.computeIfAbsent(r.dataset(), GraphData::parse);
  }

  private GraphModel create(RunSpec r, GraphData d) {
    GcnNetwork.Spec s = new GcnNetwork.Spec(d.dims(), FamilyRuns.widths(r, "hidden"), Math.max(2, d.classes()),
        r.seed(), FamilyRuns.init(r), FamilyRuns.adapter(r), r.full());
    GraphModel m = GraphModel.create(new GraphModel.Setup(id(), s, d.text(), r.splitSeed(),
        FamilyRuns.doubleOption(r, "train-fraction"), FamilyRuns.doubleOption(r, "val-fraction")));
    m.check(d);
    return m;
  }

  @Override
  public void check(RunSpec r) {
    create(r, data(r));
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    GraphData d = data(r);
    GraphModel m = create(r, d);
    GraphModel.Trained t = m.train(d, r.epochs(), r.lr(), r.wd(), r.batch(), progress);
    m.save(artifact, t.record(), null);
    FamilyRuns.checkReload(t.report().testAccuracy(), GraphModel.load(artifact).testAccuracy(d), artifact);
    long trainable = m.trained().values().stream().mapToLong(a -> a.length).sum();
    Double removed = r.full() ? null : m.withoutScaffold().testAccuracy(d);
    return new RunResult(r.id(), r, t.report().testAccuracy(), m.testLoss(d), t.report().bestValAccuracy(),
        t.report().bestEpoch(), trainable, FamilyRuns.modelValues(trainable, t.report().trainableFraction()),
        t.betas(), t.report().seconds(), null, removed);
  }

  @Override
  public boolean owns(Artifact a) {
    return a.hasModel() && a.getModel().getConfigCase() == ConfigCase.GRAPH && a.getModel().getFamily().equals(id());
  }

  @Override
  public Object load(ArtifactFile file, String where) {
    return GraphModel.load(file, where);
  }
}
