package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.ArtifactInfo;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Adapter;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.SameDiffGraphConfig;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.Training;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora inspect}: what an artifact holds, and what it weighs against the dense model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show an artifact's spec, seed, generator, tensors (dtype, shape, bytes), provenance, metrics, "
        + "signature state, and its size at each storage dtype next to the full model as fp32 and fp16 "
        + "safetensors. Reads the file only: nothing is regenerated (use verify for that).")
final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    Artifact a = f.artifact();
    String where = model.toString();
    if (a.getModel().hasSamediff()) {
      // a user's graph: its records (source, base, targets) say what it is; dense sizes would mean nothing
      return inspectGraph(f, a, where);
    }
    Map<DType, Long> sizes = ArtifactInfo.sizesByDtype(a, where);
    long fp32 = ArtifactInfo.denseSafetensorsBytes(a, DType.FLOAT32);
    long fp16 = ArtifactInfo.denseSafetensorsBytes(a, DType.FLOAT16);
    long denseParams = ArtifactInfo.denseParams(a);
    long backboneParams = 0;
    for (var t : a.getBackbone().getTensorsList()) {
      long n = 1;
      for (long d : t.getShapeList()) {
        n *= d;
      }
      backboneParams += n;
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = header(f, a, where);
      j.put("input_dim", a.getModel().getInputDim());
      j.put("classes", a.getModel().getClasses());
      j.put("widths", a.getModel().hasMlp() ? a.getModel().getMlp().getWidthsList() : null);
      if (a.getModel().hasSettings()) {
        j.put("settings", new java.util.TreeMap<>(a.getModel().getSettings().getValuesMap()));
      }
      j.put("full", a.getModel().getFull());
      j.put("rank", a.getModel().getFull() ? null : a.getAdapter().getRank());
      j.put("alpha", a.getAdapter().getAlpha());
      j.put("rs_lora", a.getAdapter().getRsLora());
      j.put("generator", a.getBackbone().getGenerator());
      j.put("seed", a.getBackbone().getSeed());
      j.put("init", a.getBackbone().getInit().getFamily());
      j.put("backbone_params", backboneParams);
      j.put("backbone_full_hash", a.getBackbone().getFullSha256().isEmpty() ? null
          : Human.hex(a.getBackbone().getFullSha256().toByteArray()));
      j.put("stored_params", ArtifactInfo.storedParams(a));
      j.put("dense_params", denseParams);
      List<Object> ts = new ArrayList<>();
      for (Tensor t : a.getTensorsList()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.getName());
        m.put("role", t.getRole().name());
        m.put("dtype", TensorCodec.shortName(t.getDtype()));
        m.put("shape", t.getShapeList());
        m.put("bytes", t.getData().size() + t.getScales().size());
        ts.add(m);
      }
      j.put("tensors", ts);
      List<Object> ads = new ArrayList<>();
      for (Adapter ad : a.getAdaptersList()) {
        ads.add(Map.of("target", ad.getTarget(), "rank", ad.getRank(), "alpha", ad.getAlpha(),
            "scaling_rule", ad.getScalingRule().name(), "a", ad.getA(), "b", ad.getB(), "beta", ad.getBeta()));
      }
      j.put("adapters", ads);
      Map<String, Object> sz = new LinkedHashMap<>();
      sizes.forEach((d, v) -> sz.put(TensorCodec.shortName(d), v < 0 ? null : v));
      j.put("artifact_bytes_by_dtype", sz);
      j.put("dense_fp32_safetensors_bytes", fp32);
      j.put("dense_fp16_safetensors_bytes", fp16);
      Training tr = a.getTraining();
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("dataset", tr.getDataset());
      t.put("dataset_sha256", tr.getDatasetSha256().isEmpty() ? null : Human.hex(tr.getDatasetSha256().toByteArray()));
      t.put("dataset_rows", tr.getDatasetRows());
      t.put("epochs", tr.getConfig().getEpochs());
      t.put("steps", tr.getConfig().getSteps());
      t.put("batch_size", tr.getConfig().getBatchSize());
      t.put("learning_rate", tr.getConfig().getLearningRate());
      t.put("weight_decay", tr.getConfig().getWeightDecay());
      t.put("shuffle_seed", tr.getConfig().getShuffleSeed());
      t.put("split_seed", tr.getConfig().getSplitSeed());
      t.put("adapter_init_seed", a.getAdapter().getInitSeed());
      t.put("test_accuracy", tr.getMetrics().getTestAccuracy());
      t.put("best_val_accuracy", tr.getMetrics().getBestValAccuracy());
      t.put("best_epoch", tr.getMetrics().getBestEpoch());
      t.put("wall_seconds", tr.getMetrics().getWallSeconds());
      t.put("betas", tr.getBetasMap());
      t.put("java_version", tr.getJavaVersion());
      t.put("threads", tr.getThreads());
      j.put("training", t);
      j.put("history", a.getHistoryList());
      o.println(Json.write(j));
      o.flush();
      return 0;
    }
    o.printf(Locale.ROOT, "artifact   %s  %s, format v%d, sha256 %s%n", where, Human.bytes(f.size()), f.version(),
        f.digestHex().substring(0, 16));
    o.printf(Locale.ROOT, "signature  %s%n", f.signed() ? "Ed25519, key " + f.keyId() + " (intact; check the signer "
        + "with verify --public-key)" : "none");
    o.printf(Locale.ROOT, "producer   %s, created %s%n", a.getProducer(), Instant.ofEpochMilli(a.getCreatedUnixMs()));
    var m = a.getModel();
    if (m.hasReservoir()) {
      var rc = m.getReservoir();
      StringBuilder desc = new StringBuilder();
      if (m.getFamily().equals("ring")) {
        var r = rc.getRing();
        desc.append(String.format(Locale.ROOT, "%d rings of %d..%d neurons, epsilon %s, k %d, p %s", r.getRings(),
            r.getMinRing(), r.getMaxRing(), r.getEpsilon(), r.getNeighbours(), r.getRewireP()));
      } else {
        for (var l : rc.getLayersList()) {
          desc.append(desc.length() == 0 ? "" : " -> ").append(String.format(Locale.ROOT,
              "%d units (sr %s, density %s, leak %s)", l.getUnits(), l.getSpectralRadius(), l.getDensity(),
              l.getLeakRate()));
        }
      }
      o.printf(Locale.ROOT, "model      reservoir %s, %s: %s; readout %s%s%n", m.getFamily(), rc.getTask(), desc,
          rc.getReadoutFit(), a.getAdaptersCount() > 0 ? ", adapter rank " + a.getAdapters(0).getRank()
              + " on the recurrent matrix" : "");
    } else if (m.hasSnn()) {
      var sc = m.getSnn();
      StringBuilder desc = new StringBuilder();
      for (var l : sc.getLayersList()) {
        desc.append(desc.length() == 0 ? "" : ", ").append(l.getName()).append(' ').append(l.getN()).append(' ')
            .append(l.getModel());
      }
      o.printf(Locale.ROOT, "model      spiking %s: %s; %d steps of %s ms; see `lottalora snn inspect`%n",
          m.getFamily(), desc, sc.getTime(), sc.getDt());
    } else {
      StringBuilder layout = new StringBuilder().append(m.getInputDim());
      m.getMlp().getWidthsList().forEach(w -> layout.append('-').append(w));
      m.getGraph().getHiddenList().forEach(w -> layout.append('-').append(w)); // graph networks: hidden widths
      if (m.hasSequence()) {
        layout.append("-(hidden ").append(m.getSequence().getHidden()).append(')');
      }
      layout.append('-').append(m.getClasses());
      var ac = a.getAdapter();
      o.printf(Locale.ROOT, "model      %s %s, %s%n", m.getFamily(), layout, m.getFull() ? "fully trained (baseline)"
          : String.format(Locale.ROOT, "%s, alpha %s, %s, beta %s, bias %s", rankText(a), ac.getAlpha(),
              ac.getRsLora() ? "alpha/sqrt(r)" : "alpha/r", ac.getTrainBeta() ? "learned" : "fixed at 1",
              ac.getTrainBias() ? "trained" : "frozen"));
    }
    if (m.hasSettings()) { // a family configured by its settings (FamilyArtifact): show them all
      o.printf(Locale.ROOT, "settings   %s%n", new java.util.TreeMap<>(m.getSettings().getValuesMap()).entrySet()
          .stream().map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
    }
    o.printf(Locale.ROOT, "backbone   %s, seed %d, init %s: %d tensors, %,d parameters%s%n",
        a.getBackbone().getGenerator(), a.getBackbone().getSeed(), a.getBackbone().getInit().getFamily(),
        a.getBackbone().getTensorsCount(), backboneParams,
        a.getBackbone().getFullSha256().isEmpty() ? "" : ", full hash recorded");
    Training tr = a.getTraining();
    if (tr.hasConfig()) {
      o.printf(Locale.ROOT, "training   %s (%,d rows%s), %s, batch %d, lr %s, wd %s, shuffle seed %d, split "
          + "seed %d, adapter seed %d%n", tr.getDataset(), tr.getDatasetRows(), tr.getDatasetSha256().isEmpty() ? ""
          : ", sha256 " + Human.hex(tr.getDatasetSha256().toByteArray()).substring(0, 16),
          tr.getConfig().getSteps() > 0 ? tr.getConfig().getSteps() + " steps" : tr.getConfig().getEpochs()
              + " epochs", tr.getConfig().getBatchSize(), tr.getConfig().getLearningRate(),
          tr.getConfig().getWeightDecay(), tr.getConfig().getShuffleSeed(), tr.getConfig().getSplitSeed(),
          a.getAdapter().getInitSeed());
    }
    if (tr.hasMetrics()) {
      o.printf(Locale.ROOT, "metrics    %s%n", metricsLine(a, m, tr));
    }
    for (String h : a.getHistoryList()) {
      o.printf(Locale.ROOT, "history    %s%n", h);
    }
    o.printf(Locale.ROOT, "%ntensors (%,d values stored)%n", ArtifactInfo.storedParams(a));
    o.printf(Locale.ROOT, "  %-24s %-7s %-5s %-12s %10s%n", "name", "role", "dtype", "shape", "bytes");
    for (Tensor t : a.getTensorsList()) {
      o.printf(Locale.ROOT, "  %-24s %-7s %-5s %-12s %10s%n", t.getName(), t.getRole().name().toLowerCase(Locale.ROOT),
          TensorCodec.shortName(t.getDtype()), t.getShapeList().toString().replace(" ", ""),
          Human.bytes(t.getData().size() + t.getScales().size()));
    }
    o.printf(Locale.ROOT, "%nsizes (dense model: %,d parameters)%n", denseParams);
    long now = f.size();
    DType current = a.getTensorsList().stream().filter(t -> t.getShapeCount() >= 2).map(Tensor::getDtype)
        .findFirst().orElse(DType.FLOAT32);
    for (Map.Entry<DType, Long> e : sizes.entrySet()) {
      o.printf(Locale.ROOT, "  artifact, matrices as %-5s %12s  %6.1fx smaller than dense fp32%s%n",
          TensorCodec.shortName(e.getKey()), Human.bytes(e.getValue()), fp32 / (double) e.getValue(),
          e.getKey() == current ? "  <- this file" : "");
    }
    o.printf(Locale.ROOT, "  dense model, fp32 safetensors %10s%n", Human.bytes(fp32));
    o.printf(Locale.ROOT, "  dense model, fp16 safetensors %10s%n", Human.bytes(fp16));
    o.printf(Locale.ROOT, "  this file                     %10s%n", Human.bytes(now));
    o.flush();
    return 0;
  }

  /** The JSON fields every artifact shares: the file, its container and producer, the family. */
  private static Map<String, Object> header(ArtifactFile f, Artifact a, String where) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("file", where);
    j.put("bytes", f.size());
    j.put("format_version", f.version());
    j.put("sha256", f.digestHex());
    j.put("signed", f.signed());
    j.put("signing_key_id", f.keyId());
    j.put("producer", a.getProducer());
    j.put("created", Instant.ofEpochMilli(a.getCreatedUnixMs()).toString());
    j.put("family", a.getModel().getFamily());
    return j;
  }

  /**
   * "rank r", followed by the layers' own ranks (from the adapter records, or from the A tensors' shapes) when a
   * layer narrower than r took min(r, d_in, d_out) (AdapterConfig.effectiveRank), so the summary never claims a
   * rank a layer does not have.
   */
  private static String rankText(Artifact a) {
    int r = a.getAdapter().getRank();
    List<Integer> per = a.getAdaptersList().stream().map(Adapter::getRank).toList();
    if (per.isEmpty()) { // the hand engines' files: each layer's rank is the first dimension of its A
      per = a.getTensorsList().stream().filter(t -> t.getName().endsWith(".lora_A") && t.getShapeCount() == 2)
          .map(t -> (int) t.getShape(0)).toList();
    }
    return per.stream().allMatch(x -> x == r) ? "rank " + r
        : "rank " + r + " (capped per layer at min(d_in, d_out): " + per.stream().map(String::valueOf)
            .collect(java.util.stream.Collectors.joining(", ")) + ")";
  }

  /**
   * The metrics line, the same for every family (one training record): the family's score, the kept validation
   * point when recorded, the wall time, the JVM and threads, the data.
   */
  private static String metricsLine(Artifact a, org.lottalora.format.proto.ModelSpec m, Training tr) {
    var mt = tr.getMetrics();
    String score;
    if (m.hasReservoir() && m.getReservoir().getTask().equals("forecast")) {
      score = String.format(Locale.ROOT, "test NRMSE %.4g", mt.getTestNrmse());
    } else if (m.hasLm()) {
      score = String.format(Locale.ROOT, "held-out loss %.4f nats/byte (%.4f bits/byte)",
          m.getLm().getValidationLoss(), m.getLm().getValidationLoss() / Math.log(2));
    } else if (m.hasSettings() && org.lottalora.core.family.FamilyRegistry.ids().contains(m.getFamily())) {
      score = String.format(Locale.ROOT, "%s %.4f",
          org.lottalora.core.family.FamilyRegistry.get(m.getFamily()).scoreName(), mt.getTestAccuracy());
    } else {
      score = String.format(Locale.ROOT, "test accuracy %.4f", mt.getTestAccuracy());
    }
    StringBuilder b = new StringBuilder(score);
    if (mt.getBestEpoch() > 0) {
      b.append(String.format(Locale.ROOT, ", best validation %.4f at epoch %d", mt.getBestValAccuracy(),
          mt.getBestEpoch()));
    }
    if (mt.getWallSeconds() > 0) {
      b.append(String.format(Locale.ROOT, ", %.1f s", mt.getWallSeconds()));
    }
    b.append(", on ").append(tr.getJavaVersion());
    if (tr.getThreads() > 0) {
      b.append(" with ").append(tr.getThreads()).append(" thread(s)");
    }
    if (!tr.getDataset().isEmpty()) {
      b.append("; trained on ").append(tr.getDataset());
    }
    return b.toString();
  }

  /** An adapted SameDiff graph ({@code lottalora adapt}): where the graph came from, its base and targets. */
  private int inspectGraph(ArtifactFile f, Artifact a, String where) {
    SameDiffGraphConfig c = a.getModel().getSamediff();
    var ac = a.getAdapter();
    var metrics = a.getTraining().getMetrics();
    boolean seeded = c.getBase().equals("seed");
    long baseValues = 0;
    for (var w : c.getBaseWeightsList()) {
      long n = 1;
      for (long d : w.getShapeList()) {
        n *= d;
      }
      baseValues += n;
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = header(f, a, where);
      j.put("source", c.getSource());
      j.put("source_sha256", c.getSourceSha256().isEmpty() ? null : Human.hex(c.getSourceSha256().toByteArray()));
      j.put("base", c.getBase());
      j.put("seed", seeded ? a.getBackbone().getSeed() : null);
      j.put("init", seeded ? a.getBackbone().getInit().getFamily() : null);
      j.put("generator", seeded ? a.getBackbone().getGenerator() : null);
      j.put("base_weights", c.getBaseWeightsCount());
      j.put("base_weight_values", baseValues);
      j.put("inputs", c.getInputsList());
      j.put("output", c.getOutput());
      j.put("rank", ac.getRank());
      j.put("alpha", ac.getAlpha());
      j.put("rs_lora", ac.getRsLora());
      j.put("train_beta", ac.getTrainBeta());
      j.put("dora", ac.getDora());
      List<Object> ts = new ArrayList<>();
      for (var t : c.getTargetsList()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.getVariable());
        m.put("shape", t.getShapeList());
        m.put("transposed", t.getTransposed());
        m.put("consumer", t.getConsumer());
        ts.add(m);
      }
      j.put("targets", ts);
      j.put("trained_in_full", c.getTrainedList());
      j.put("trainable_params", metrics.getTrainableParams());
      j.put("model_params", metrics.getModelParams());
      j.put("trainable_fraction", metrics.getModelParams() == 0 ? null
          : metrics.getTrainableParams() / (double) metrics.getModelParams());
      j.put("stored_params", ArtifactInfo.storedParams(a));
      j.put("stored_graph_bytes", c.getGraph().size());
      j.put("dataset", a.getTraining().getDataset());
      j.put("epochs", metrics.getEpochsRun());
      j.put("test_accuracy", metrics.getTestAccuracy());
      j.put("history", a.getHistoryList());
      o.println(Json.write(j));
      o.flush();
      return 0;
    }
    o.printf(Locale.ROOT, "artifact   %s  %s, format v%d, sha256 %s%n", where, Human.bytes(f.size()), f.version(),
        f.digestHex().substring(0, 16));
    o.printf(Locale.ROOT, "signature  %s%n", f.signed() ? "Ed25519, key " + f.keyId() : "none");
    o.printf(Locale.ROOT, "producer   %s, created %s%n", a.getProducer(), Instant.ofEpochMilli(a.getCreatedUnixMs()));
    o.printf(Locale.ROOT, "model      %s: adapters on %s%s, inputs %s -> output '%s'%n", a.getModel().getFamily(),
        c.getSource(), c.getSourceSha256().isEmpty() ? "" : " (sha256 " + Human.hex(c.getSourceSha256()
            .toByteArray()).substring(0, 16) + ")", c.getInputsList(), c.getOutput());
    if (seeded) {
      o.printf(Locale.ROOT, "base       seed %d, init %s, %s: the targets' base is regenerated, the graph's other "
          + "weights are in the file%n", a.getBackbone().getSeed(), a.getBackbone().getInit().getFamily(),
          a.getBackbone().getGenerator());
    } else {
      o.printf(Locale.ROOT, "base       pretrained: %d weights (%,d values) left out and fingerprinted; loading needs "
          + "the base model (--base, %s)%n", c.getBaseWeightsCount(), baseValues, c.getSource());
    }
    o.printf(Locale.ROOT, "adapter    %s, alpha %s, %s, beta %s%s%n", rankText(a), ac.getAlpha(),
        ac.getRsLora() ? "alpha/sqrt(r)" : "alpha/r", ac.getTrainBeta() ? "learned" : "fixed at 1",
        (ac.getDora() ? ", DoRA" : "") + (ac.getDropout() > 0 ? ", adapter dropout " + ac.getDropout() : ""));
    for (var t : c.getTargetsList()) {
      o.printf(Locale.ROOT, "target     %-24s %-10s %s%n", t.getVariable(), t.getShapeList().toString()
          .replace(" ", ""), t.getTransposed() ? "transposed (stored [d_in, d_out])" : "[d_out, d_in]");
    }
    if (c.getTrainedCount() > 0) {
      o.printf(Locale.ROOT, "trained    in full: %s%n", String.join(", ", c.getTrainedList()));
    }
    if (metrics.getModelParams() > 0) {
      o.printf(Locale.ROOT, "params     %,d trainable of %,d (%.2f%%)%n", metrics.getTrainableParams(),
          metrics.getModelParams(), 100.0 * metrics.getTrainableParams() / metrics.getModelParams());
    }
    Training tr = a.getTraining();
    if (tr.hasConfig()) {
      o.printf(Locale.ROOT, "training   %s, %d epochs, batch %d, lr %s, split seed %d: test accuracy %.4f%n",
          tr.getDataset(), tr.getConfig().getEpochs(), tr.getConfig().getBatchSize(),
          tr.getConfig().getLearningRate(), tr.getConfig().getSplitSeed(), tr.getMetrics().getTestAccuracy());
    }
    for (String h : a.getHistoryList()) {
      o.printf(Locale.ROOT, "history    %s%n", h);
    }
    o.printf(Locale.ROOT, "%ntensors (%,d values stored; the graph itself %s)%n", ArtifactInfo.storedParams(a),
        Human.bytes(c.getGraph().size()));
    o.printf(Locale.ROOT, "  %-24s %-7s %-5s %-12s %10s%n", "name", "role", "dtype", "shape", "bytes");
    for (Tensor t : a.getTensorsList()) {
      o.printf(Locale.ROOT, "  %-24s %-7s %-5s %-12s %10s%n", t.getName(), t.getRole().name().toLowerCase(Locale.ROOT),
          TensorCodec.shortName(t.getDtype()), t.getShapeList().toString().replace(" ", ""),
          Human.bytes(t.getData().size() + t.getScales().size()));
    }
    o.flush();
    return 0;
  }
}
