package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.Signing;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GraphData;
import org.lottalora.models.graph.GraphModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora graph train}: trains a GCN or GIN and writes the artifact. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a graph network: --model gcn on a node task (sbm, csv:DIR, cora:DIR) or --model gin on a "
        + "graph task (synthetic). Reports test accuracy at the best validation epoch, the trainable fraction and "
        + "beta per layer; the artifact is reloaded and checked before the command returns.")
final class GraphTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  EngineAdapterOptions model;

  @Option(names = "--model", defaultValue = "gcn", description = "gcn (node classification) or gin (graph "
      + "classification) (default: ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--data", description = "sbm[:nodes=3000,blocks=8,p_in=0.02,p_out=0.002,dims=32,noise=3,seed=11], "
      + "synthetic[:count=1000,min=12,max=40,seed=5], csv:DIR (features.csv, edges.csv, labels.csv) or cora:DIR. "
      + "Default: sbm for gcn, synthetic for gin.")
  String data;

  @Option(names = "--hidden", defaultValue = "64,64", description = "Hidden widths, one per layer (default: "
      + "${DEFAULT-VALUE}).")
  String hidden;











  @Option(names = "--epochs", description = "Epochs (default: 200 full-batch steps for gcn, 40 passes for gin).")
  Integer epochs;

  @Option(names = "--batch", defaultValue = "32", description = "Graphs per step for gin (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--wd", defaultValue = "5e-4", description = "Decoupled weight decay of weight matrices and "
      + "adapter factors, never betas, biases, norms or embeddings (default: ${DEFAULT-VALUE}).")
  double wd;

  @Option(names = "--train-fraction", description = "Share that trains (default: 0.1 of nodes, 0.7 of graphs).")
  Double trainFraction;

  @Option(names = "--val-fraction", description = "Share that picks the epoch (default: 0.1 of nodes, 0.15 of "
      + "graphs).")
  Double valFraction;

  @Option(names = "--split-seed", defaultValue = "1", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = {"-o", "--out"}, defaultValue = "graph.lotta", description = "Artifact (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign with this Ed25519 private key.")
  Path signKey;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @picocli.CommandLine.Mixin
  CheckpointOptions checkpointing;

  @Override
  public Integer call() {
    // Ctrl-C saves the best epoch so far; --checkpoint saves the state after every epoch, --resume goes on from it
    return CtrlC.keepBest(() -> {
      try (org.lottalora.core.train.Checkpointing c = checkpointing.open(spec.commandLine().getParseResult())) {
        return train();
      }
    });
  }

  private Integer train() {
    boolean gin = family.equals("gin");
    if (!GraphModel.FAMILIES.contains(family)) {
      throw new IllegalArgumentException("unknown --model '" + family + "'; use gcn or gin");
    }
    int[] widths = org.lottalora.models.mlp.MlpFamily.parseWidths(hidden, 1, 2);
    int ep = epochs != null ? epochs : gin ? 40 : 200;
    if (ep < 1 || batch < 1 || !(lr > 0)) {
      throw new IllegalArgumentException("--epochs and --batch must be >= 1 and --lr > 0");
    }
    AdapterConfig ac = model.adapter();
    java.security.PrivateKey key = signKey == null ? null : Signing.readPrivate(signKey);
    ArtifactCodec.checkWritable(out);
    GraphData d = GraphData.parse(data != null ? data : gin ? "synthetic" : "sbm");
    GcnNetwork.Spec s = new GcnNetwork.Spec(d.dims(), widths, Math.max(2, d.classes()), model.seed, model.initSpec(),
        ac, model.full);
    GraphModel m = GraphModel.create(new GraphModel.Setup(family, s, d.text(), splitSeed,
        trainFraction != null ? trainFraction : gin ? 0.7 : 0.1, valFraction != null ? valFraction : gin ? 0.15 : 0.1));
    m.check(d);
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "lottalora graph train  %s %s, %s, seed %d%n", family, hidden, model.mode(),
          model.seed);
      o.printf(Locale.ROOT, "data %s: %s%n", d.text(), d.graphTask() ? String.format(Locale.ROOT, "%,d graphs, %d "
          + "features per node, %d classes", d.set().graphs().size(), d.dims(), d.classes())
          : String.format(Locale.ROOT, "%,d nodes, %,d edges, %d features, %d classes", d.node().nodes(),
              d.node().edges(), d.dims(), d.classes()));
      o.flush();
    }
    GraphModel.Trained t;
    try {
      t = m.train(d, ep, lr, wd, batch, quiet || json ? Progress.silent() : Progress.stderr());
    } catch (org.lottalora.core.train.LossGuard.Diverged e) {
      throw Divergence.kept(e, out, () -> m.save(out, null, key));
    }
    m.save(out, t.record(), key);
    GraphModel back = GraphModel.load(out);
    double reloaded = back.testAccuracy(d);
    org.lottalora.models.FamilyRuns.checkReload(t.report().testAccuracy(), reloaded, out);
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("family", family);
      j.put("data", d.text());
      j.put("hidden", hidden);
      j.put("full", model.full);
      j.put("rank", model.full ? null : model.rank);
      j.put("variant", ac.variantName());
      j.put("seed", model.seed);
      j.put("test_accuracy", t.report().testAccuracy());
      j.put("best_val_accuracy", t.report().bestValAccuracy());
      j.put("best_epoch", t.report().bestEpoch());
      j.put("trainable_fraction", t.report().trainableFraction());
      j.put("betas", t.betas());
      j.put("wall_seconds", t.report().seconds());
      j.put("artifact", out.toString());
      j.put("artifact_bytes", out.toFile().length());
      j.put("reloaded_test_accuracy", reloaded);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "test accuracy     %.4f  (best val %.4f at epoch %d)%n", t.report().testAccuracy(),
          t.report().bestValAccuracy(), t.report().bestEpoch());
      o.printf(Locale.ROOT, "trainable         %.2f%% of the model's values%n", 100 * t.report().trainableFraction());
      StringBuilder b = new StringBuilder();
      t.betas().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
      o.println("beta per layer   " + b);
      o.printf(Locale.ROOT, "wall time         %.1f s%n", t.report().seconds());
      o.printf(Locale.ROOT, "artifact          %s  %.1f KiB%n", out, out.toFile().length() / 1024.0);
      o.printf(Locale.ROOT, "reloaded          test accuracy %.4f (identical)%n", reloaded);
    }
    o.flush();
    return 0;
  }
}
