package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.models.ArtifactMapper;
import org.lottalora.models.LottaModel;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.adapt.GraphEval;
import org.lottalora.models.adapt.SourceGraph;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.recurrent.RecurrentTrainer;
import org.lottalora.models.recurrent.SequenceData;
import org.lottalora.models.recurrent.SequenceSet;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.nd4j.autodiff.samediff.SameDiff;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora eval}: load an artifact (regenerating its backbone) and measure accuracy on a dataset split; an
 * adapted SameDiff graph ({@code lottalora adapt}) too, with {@code --base} when its base is pretrained, and a
 * recurrent model ({@code train --family cfc}, {@code sequence train}) on the data it records.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Load a .lotta artifact, rebuild its backbone from the seed, and report accuracy on a dataset "
        + "split (by default the split the model was trained with).")
final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--base", paramLabel = "MODEL", description = "For an adapted SameDiff graph with a pretrained "
      + "base (lottalora adapt --pretrained): the base model (.onnx or SameDiff file) it was trained on.")
  Path base;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "An evaluation setting of a family that "
      + "scores its artifact itself, e.g. --set target=300 --set eval-episodes=20 for a Decision Transformer "
      + "(dt).")
  Map<String, String> set;

  private void refuseSettings() {
    if (set != null && !set.isEmpty()) {
      throw new IllegalArgumentException("--set is for families that score their artifacts themselves (e.g. dt); "
          + model + " is evaluated with --dataset and --split");
    }
  }

  @Override
  public Integer call() {
    if (!split.equals("train") && !split.equals("val") && !split.equals("test")) {
      throw new IllegalArgumentException("--split must be train, val or test, got '" + split + "'");
    }
    threads.apply();
    long t0 = System.nanoTime();
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    if (f.artifact().getModel().hasSamediff()) {
      refuseSettings();
      return evalGraph(f, t0);
    }
    if (base != null) {
      throw new IllegalArgumentException("--base goes with an adapted SameDiff graph (lottalora adapt "
          + "--pretrained); " + model + " regenerates its base from the seed");
    }
    if (RecurrentModel.isRecurrent(f.artifact())) {
      refuseSettings();
      return evalRecurrent(f, t0);
    }
    org.lottalora.core.family.Family contract = VerbRouter.contractOnly(f);
    if (contract != null) { // a family without a command of its own scores its artifact itself
      for (String o : new String[] {"--dataset", "--split", "--data-dir", "--split-seed"}) {
        if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
          throw new IllegalArgumentException("family " + contract.id() + " scores " + model + " on what it records; "
              + "drop " + o + " (its settings go with --set NAME=VALUE)");
        }
      }
      Map<String, Double> metrics = contract.evaluate(f, model.toString(), set == null ? Map.of() : set)
          .orElseThrow(() ->
          new IllegalArgumentException("family " + contract.id() + " has no `eval` of its own: load it with "
              + "Lotta.load(path) in Java; `lottalora train --family " + contract.id() + "` and `lottalora sweep` "
              + "report its test metrics"));
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model.toString());
        j.put("family", contract.id());
        j.putAll(metrics);
        o.println(Json.write(j));
      } else {
        o.printf(Locale.ROOT, "model     %s  (family %s)%n", model, contract.id());
        metrics.forEach((k, v) -> o.printf(Locale.ROOT, "%-17s %.4f%n", k.replace('_', ' '), v));
      }
      o.flush();
      return 0;
    }
    refuseSettings();
    LottaModel m = LottaModel.load(f, model.toString());
    double loadSecs = (System.nanoTime() - t0) / 1e9;
    long trainedSplitSeed = m.artifact().getTraining().getConfig().getSplitSeed();
    DataSplits d = data.load(trainedSplitSeed);
    Dataset ds = split.equals("train") ? d.train() : split.equals("val") ? d.validation() : d.test();
    String overlap = trainingRowsDiffer(m, d);
    if (overlap != null) {
      spec.commandLine().getErr().println("lottalora eval: warning: " + overlap);
      spec.commandLine().getErr().flush();
    }
    long t1 = System.nanoTime();
    double acc = m.accuracy(ds);
    double evalSecs = (System.nanoTime() - t1) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("spec", m.spec().toString());
      j.put("dataset", data.dataset);
      j.put("split", split);
      j.put("samples", ds.rows());
      j.put("accuracy", acc);
      j.put("load_seconds", loadSecs);
      j.put("eval_seconds", evalSecs);
      j.put("backbone_params", m.backbone().parameterCount());
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "model     %s  (%s)%n", model, m.spec());
      o.printf(Locale.ROOT, "loaded    in %.2f s, %,d backbone parameters regenerated from seed %d%n", loadSecs,
          m.backbone().parameterCount(), m.spec().seed());
      o.printf(Locale.ROOT, "accuracy  %.4f on %s/%s (%,d samples)%n", acc, data.dataset, split, ds.rows());
    }
    o.flush();
    return 0;
  }

  /**
   * A recurrent model ({@code train --family cfc}, {@code sequence train}, or a CfC of the former SameDiff family):
   * scored on the data it records (its dataset, split seed and training rows, standardised as in training) unless
   * --dataset, --split-seed or --max-train say otherwise, as {@code lottalora sequence eval} does for the test split.
   */
  private int evalRecurrent(ArtifactFile f, long t0) {
    RecurrentModel m = RecurrentModel.load(f, model.toString());
    double loadSecs = (System.nanoTime() - t0) / 1e9;
    var parsed = spec.commandLine().getParseResult();
    String text = parsed.hasMatchedOption("--dataset") ? data.dataset : m.data();
    int maxTrain = data.maxTrain != null ? data.maxTrain : m.maxTrain();
    SequenceData d = SequenceData.load(text, data.splitSeedOr(m.splitSeed()), maxTrain, m.pad(), !data.noDownload,
        data.dataDir);
    SequenceSet s = split.equals("train") ? d.train() : split.equals("val") ? d.validation() : d.test();
    long t1 = System.nanoTime();
    RecurrentTrainer.Metrics r = RecurrentTrainer.evaluate(m.network(), s); // s is standardised already
    double evalSecs = (System.nanoTime() - t1) / 1e9;
    RecurrentNetwork.Spec ns = m.network().spec();
    String what = String.format(Locale.ROOT, "%s, %d steps of %d features, hidden %d%s, %s", ns.cell(), m.steps(),
        ns.inputs(), ns.hidden(), ns.cell().equals("cfc") ? ", units " + ns.units() : "",
        ns.full() ? "full" : "rank " + ns.adapter().rank());
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("spec", what);
      j.put("family", ns.cell());
      j.put("dataset", d.text());
      j.put("split", split);
      j.put("samples", s.size());
      j.put("accuracy", r.accuracy());
      j.put("auroc", Double.isNaN(r.auroc()) ? null : r.auroc());
      j.put("load_seconds", loadSecs);
      j.put("eval_seconds", evalSecs);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "model     %s  (%s, recurrent engine)%n", model, what);
      o.printf(Locale.ROOT, "loaded    in %.2f s, scaffold regenerated from seed %d%n", loadSecs, ns.seed());
      o.printf(Locale.ROOT, "accuracy  %.4f%s on %s/%s (%,d samples)%n", r.accuracy(), Double.isNaN(r.auroc()) ? ""
          : String.format(Locale.ROOT, ", AUROC %.4f", r.auroc()), d.text(), split, s.size());
    }
    o.flush();
    return 0;
  }

  /** An adapted SameDiff graph: loaded with its base model if it needs one, fed the data normalized as in training. */
  private int evalGraph(ArtifactFile f, long t0) {
    SameDiff b = base == null ? null : SourceGraph.load(base).graph();
    AdaptedGraph g = GraphArtifacts.load(f, model.toString(), b);
    double loadSecs = (System.nanoTime() - t0) / 1e9;
    var tr = f.artifact().getTraining();
    DataSplits d = data.load(tr.getConfig().getSplitSeed());
    Dataset raw = split.equals("train") ? d.train() : split.equals("val") ? d.validation() : d.test();
    Dataset ds = raw.normalized(GraphArtifacts.normalization(f.artifact(), model.toString()));
    long[] shape = GraphEval.exampleShape(g, ds);
    long t1 = System.nanoTime();
    double acc = GraphEval.accuracy(g, ds, shape);
    double evalSecs = (System.nanoTime() - t1) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("family", f.artifact().getModel().getFamily());
      j.put("source", g.spec().source());
      j.put("base", g.spec().base().name().toLowerCase(Locale.ROOT));
      j.put("dataset", data.dataset);
      j.put("split", split);
      j.put("samples", ds.rows());
      j.put("accuracy", acc);
      j.put("load_seconds", loadSecs);
      j.put("eval_seconds", evalSecs);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "model     %s  (adapted SameDiff graph from %s, %s base)%n", model, g.spec().source(),
          g.spec().base().name().toLowerCase(Locale.ROOT));
      o.printf(Locale.ROOT, "loaded    in %.2f s%n", loadSecs);
      o.printf(Locale.ROOT, "accuracy  %.4f on %s/%s (%,d samples)%n", acc, data.dataset, split, ds.rows());
    }
    o.flush();
    return 0;
  }

  /**
   * Why the split just made may not be the model's, or null: when the dataset is the one the model was trained on
   * (same name) but its training rows hash differently, the test rows may include rows it was trained on (a CSV
   * trained before the split stopped depending on the file's name, an edited file, another --split-seed).
   */
  private String trainingRowsDiffer(LottaModel m, DataSplits d) {
    var tr = m.artifact().getTraining();
    if (tr.getDatasetSha256().isEmpty() || !tr.getDataset().equals(data.dataset) || tr.getDatasetRows() < 1
        || tr.getDatasetRows() > d.train().rows()) {
      return null;
    }
    byte[] now = ArtifactMapper.datasetHash(d.train().head((int) tr.getDatasetRows()));
    if (java.util.Arrays.equals(now, tr.getDatasetSha256().toByteArray())) {
      return null;
    }
    return "the training rows of " + data.dataset + " under split seed " + data.splitSeedOr(tr.getConfig()
        .getSplitSeed()) + " are not the ones " + model + " was trained on, so this split may hold training rows "
        + "(the file changed, another --split-seed, or a CSV model trained before the split stopped depending on "
        + "the file's name)";
  }
}
