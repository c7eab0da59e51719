package org.lottalora.models.snn;

import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.SnnConfig;
import org.lottalora.format.proto.SnnConnection;
import org.lottalora.format.proto.SnnEncoder;
import org.lottalora.format.proto.SnnLayer;
import org.lottalora.format.proto.SnnPatternTask;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;
import org.lottalora.format.proto.Training;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.Producer;

/**
 * Saves and loads spiking models as "seed + spec + what it learned". Loading rebuilds the network from the seed
 * (checking the backbone fingerprints of the random initial weights and delays), then overwrites what learning
 * changed: learned weights, delays and adaptive thresholds; the readout comes back from the stored per-class rates
 * and n-gram table. A reloaded model gives the same spikes as the one saved, for the same input and key.
 */
public final class SnnArtifact {
  static final String RATES = "readout.rates";
  static final String NGRAM_KEYS = "readout.ngram_keys";
  static final String NGRAM_SCORES = "readout.ngram_scores";

  private SnnArtifact() {
  }

  /**
   * Provenance written into the artifact.
   *
   * @param dataset what it was trained on
   * @param datasetSha256 hash of the training data, or null
   * @param rows training rows
   * @param testAccuracy the reported test accuracy (proportion weighting for image networks)
   * @param seconds wall time of training
   * @param threads threads used
   * @param extra further named figures (accuracy of each rule, examples)
   */
  public record Provenance(String dataset, byte[] datasetSha256, long rows, double testAccuracy, double seconds,
      int threads, Map<String, Float> extra) {
  }

  /** Writes {@code m} atomically; {@code key} signs it when not null. */
  public static void save(SnnModel m, Path path, Provenance p, PrivateKey key) {
    ArtifactCodec.write(toProto(m, p), path, key);
  }

  static Artifact toProto(SnnModel m, Provenance p) {
    SnnSpec s = m.spec();
    Network net = m.network();
    List<TensorSpec> specs = Network.tensorSpecs(s.net());
    org.lottalora.format.proto.Backbone.Builder bb = BackboneRecord.backboneRecord(m.seed(),
        specs.isEmpty() ? Network.UNIT_UNIFORM : specs.get(0).init(), Backbone.regenerate(m.seed(), specs, 1), false);
    SnnConfig.Builder c = SnnConfig.newBuilder().setDt(s.net().dt()).setTime(s.presentation().time())
        .setMinSpikes(s.presentation().minSpikes()).setRetries(s.presentation().retries())
        .setRateStep(s.presentation().rateStep()).setImageHeight(s.height()).setImageWidth(s.width())
        .setClasses(s.classes()).setNgram(s.ngram()).setLearnedExamples(m.learnedExamples())
        .setEncoder(SnnEncoder.newBuilder().setKind(s.encoder().kind()).setRate(s.encoder().rate())
            .setScale(s.encoder().scale()));
    for (NodeSpec l : s.net().layers()) {
      c.addLayers(SnnLayer.newBuilder().setName(l.name()).setModel(l.model()).setN(l.n()).putAllParams(l.params()));
    }
    for (ConnectionSpec k : s.net().connections()) {
      c.addConnections(SnnConnection.newBuilder().setName(k.name()).setSource(k.source()).setTarget(k.target())
          .setTopology(k.topology()).putAllParams(k.params()).setRule(k.rule().kind())
          .putAllRuleParams(k.rule().params()));
    }
    if (s.inhibition() != null) {
      c.setInhibition(s.inhibition().kind()).setCMin(s.inhibition().cMin()).setCMax(s.inhibition().cMax());
    }
    if (s.patterns() != null) {
      PatternTask t = s.patterns();
      c.setPatterns(SnnPatternTask.newBuilder().setPatterns(t.patterns()).setInputs(t.inputs()).setWindow(t.window())
          .setJitter(t.jitter()).setTargetStep(t.targetStep()).setTeacher(t.teacher()));
    }
    Artifact.Builder a = Artifact.newBuilder().setProducer(Producer.ID)
        .setProducerName(Producer.NAME)
        .setProducerVersion(Producer.VERSION).setCreatedUnixMs(System.currentTimeMillis()).setBackbone(bb);
    long learned = 0;
    for (Connection k : net.connections()) {
      ConnectionSpec ks = k.spec();
      int nPre = k.source().size();
      int nPost = k.target().size();
      if (ks.learnsWeights()) {
        a.addTensors(TensorCodec.encode(ks.name() + ".weight", new long[] {nPost, nPre}, TensorRole.WEIGHT,
            k.weightsCanonical(), DType.FLOAT32));
        learned += (long) nPost * nPre;
      }
      if (ks.learnsDelays()) {
        int[] d = k.delaysCanonical();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          f[i] = d[i];
        }
        a.addTensors(TensorCodec.encode(ks.name() + ".delay", new long[] {nPost, nPre}, TensorRole.WEIGHT, f,
            DType.FLOAT32));
        learned += d.length;
      }
    }
    for (NodeSpec l : s.net().layers()) {
      if (net.layer(l.name()) instanceof AdaptiveLifNodes al) {
        a.addTensors(TensorCodec.encode(l.name() + ".theta", new long[] {l.n()}, TensorRole.BIAS, al.theta(),
            DType.FLOAT32));
        learned += l.n();
      }
    }
    if (m.labels() != null) {
      LabelAssignment la = m.labels();
      int n = la.assignments().length;
      float[] r = new float[n * s.classes()];
      for (int j = 0; j < n; j++) {
        System.arraycopy(la.rates()[j], 0, r, j * s.classes(), s.classes());
      }
      a.addTensors(TensorCodec.encode(RATES, new long[] {n, s.classes()}, TensorRole.WEIGHT, r, DType.FLOAT32));
      float[][] g = m.ngram().flatten();
      int rows = g[0].length / s.ngram();
      if (rows > 0) {
        a.addTensors(TensorCodec.encode(NGRAM_KEYS, new long[] {rows, s.ngram()}, TensorRole.WEIGHT, g[0],
            DType.FLOAT32));
        a.addTensors(TensorCodec.encode(NGRAM_SCORES, new long[] {rows, s.classes()}, TensorRole.WEIGHT, g[1],
            DType.FLOAT32));
      }
    }
    int inputs = s.net().layer(SnnNetworks.INPUT).n();
    a.setModel(org.lottalora.format.proto.ModelSpec.newBuilder().setFamily(s.network()).setInputDim(inputs)
        .setClasses(s.classes()).setSnn(c));
    Training.Builder tr = p == null ? TrainingRecord.untrained("").toProto(0, 0) : new TrainingRecord(p.dataset(),
        p.datasetSha256(), p.rows(), null, p.threads(), new TrainingRecord.Outcome(p.testAccuracy(), Double.NaN,
            Double.NaN, 0, 0, p.seconds(), Double.NaN, ""),
        p.extra() == null ? Map.of() : TrainingRecord.doubles(p.extra())).toProto(learned, parameterCount(s));
    return a.setTraining(tr).build();
  }

  /** Synapses (masked pairs excluded) plus neurons. */
  static long parameterCount(SnnSpec s) {
    long n = 0;
    for (ConnectionSpec k : s.net().connections()) {
      boolean[] mask = Network.mask(k, s.net().layer(k.source()).n(), s.net().layer(k.target()).n());
      if (mask == null) {
        n += (long) s.net().layer(k.source()).n() * s.net().layer(k.target()).n();
      } else {
        for (boolean b : mask) {
          n += b ? 1 : 0;
        }
      }
    }
    return n;
  }

  /** Loads and verifies a spiking model. */
  public static SnnModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static SnnModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** Builds the model an opened artifact describes. */
  public static SnnModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    if (!a.hasModel() || a.getModel().getConfigCase() != org.lottalora.format.proto.ModelSpec.ConfigCase.SNN) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is not a spiking network (family '"
          + a.getModel().getFamily() + "'): load it with LottaModel.load or ReservoirModel.load");
    }
    BackboneRecord.checkGenerator(a, where);
    SnnConfig c = a.getModel().getSnn();
    long seed = a.getBackbone().getSeed();
    SnnSpec spec;
    try {
      spec = spec(a.getModel().getFamily(), c);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid spiking network spec: " + e.getMessage());
    }
    List<TensorSpec> specs = Network.tensorSpecs(spec.net());
    BackboneRecord.checkBackboneRecords(a, specs, where);
    Backbone backbone = BackboneRecord.regenerateChecked(a, seed, specs, 1, where);
    Map<String, float[]> tensors = new HashMap<>();
    for (Tensor t : a.getTensorsList()) {
      tensors.put(t.getName(), TensorCodec.decode(t, where));
    }
    Set<String> used = new HashSet<>();
    Network net = Network.build(spec.net(), seed, backbone);
    try {
      for (Connection k : net.connections()) {
        String name = k.spec().name();
        if (k.spec().learnsWeights()) {
          k.setWeightsCanonical(need(tensors, name + ".weight", where, used));
        }
        if (k.spec().learnsDelays()) {
          float[] f = need(tensors, name + ".delay", where, used);
          int[] d = new int[f.length];
          for (int i = 0; i < f.length; i++) {
            if (f[i] != Math.rint(f[i])) {
              throw new IllegalArgumentException("delay " + f[i] + " of '" + name + "' is not a whole step");
            }
            d[i] = (int) f[i];
          }
          k.setDelaysCanonical(d);
        }
      }
      for (NodeSpec l : spec.net().layers()) {
        if (net.layer(l.name()) instanceof AdaptiveLifNodes al) {
          float[] th = need(tensors, l.name() + ".theta", where, used);
          if (th.length != l.n()) {
            throw new IllegalArgumentException("'" + l.name() + ".theta' has " + th.length + " values for " + l.n()
                + " neurons");
          }
          System.arraycopy(th, 0, al.theta(), 0, th.length);
        }
      }
      if (spec.inhibition() != null) {
        net.setLatticeStrength(SnnNetworks.LATERAL, spec.inhibition().cMax());
      }
      SnnModel m = new SnnModel(spec, seed, net, null, null);
      m.learnedExamples(c.getLearnedExamples());
      if (spec.patterns() == null && tensors.containsKey(RATES)) {
        int n = net.layer(spec.readoutLayer()).size();
        float[] r = need(tensors, RATES, where, used);
        if (r.length != n * spec.classes()) {
          throw new IllegalArgumentException("'" + RATES + "' has " + r.length + " values, the model needs " + n
              + " x " + spec.classes());
        }
        float[][] rates = new float[n][];
        for (int j = 0; j < n; j++) {
          rates[j] = java.util.Arrays.copyOfRange(r, j * spec.classes(), (j + 1) * spec.classes());
        }
        NGram g = tensors.containsKey(NGRAM_KEYS)
            ? NGram.unflatten(spec.ngram(), spec.classes(), need(tensors, NGRAM_KEYS, where, used),
                need(tensors, NGRAM_SCORES, where, used))
            : new NGram(spec.ngram(), spec.classes(), new HashMap<>());
        m.setReadout(fromRates(rates, spec.classes()), g);
      }
      for (String name : tensors.keySet()) {
        if (!used.contains(name)) {
          throw new ArtifactException(Reason.MISSING_TENSOR, where + ": tensor '" + name + "' is not part of this "
              + spec.network() + " model");
        }
      }
      return m;
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": " + e.getMessage());
    }
  }

  /** The label assignment that per-class rates imply (the fit's own rule). */
  static LabelAssignment fromRates(float[][] rates, int classes) {
    int n = rates.length;
    int[] assign = new int[n];
    float[][] prop = new float[n][classes];
    for (int j = 0; j < n; j++) {
      double total = 0;
      int best = -1;
      double b = 0;
      for (int k = 0; k < classes; k++) {
        total += rates[j][k];
        if (rates[j][k] > b) {
          b = rates[j][k];
          best = k;
        }
      }
      assign[j] = best;
      for (int k = 0; k < classes; k++) {
        prop[j][k] = total == 0 ? 0 : (float) (rates[j][k] / total);
      }
    }
    return new LabelAssignment(classes, rates, assign, prop);
  }

  private static float[] need(Map<String, float[]> t, String name, String where, Set<String> used) {
    float[] v = t.get(name);
    if (v == null) {
      throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no '" + name + "' tensor");
    }
    used.add(name);
    return v;
  }

  static SnnSpec spec(String network, SnnConfig c) {
    List<NodeSpec> layers = new ArrayList<>();
    for (SnnLayer l : c.getLayersList()) {
      layers.add(new NodeSpec(l.getName(), l.getModel(), l.getN(), l.getParamsMap()));
    }
    List<ConnectionSpec> conns = new ArrayList<>();
    for (SnnConnection k : c.getConnectionsList()) {
      conns.add(new ConnectionSpec(k.getName(), k.getSource(), k.getTarget(), k.getTopology(), k.getParamsMap(),
          new RuleSpec(k.getRule(), k.getRuleParamsMap())));
    }
    NetworkSpec net = new NetworkSpec(layers, conns, c.getDt());
    SnnEncoder e = c.getEncoder();
    InhibitionSchedule inh = c.getInhibition().isEmpty() ? null : new InhibitionSchedule(c.getInhibition(),
        c.getCMin(), c.getCMax());
    PatternTask pt = null;
    if (c.hasPatterns()) {
      SnnPatternTask p = c.getPatterns();
      pt = new PatternTask(p.getPatterns(), p.getInputs(), p.getWindow(), p.getJitter(), p.getTargetStep(),
          p.getTeacher());
    }
    return new SnnSpec(network, net, new EncoderSpec(e.getKind(), e.getRate(), e.getScale()),
        new SnnSpec.Presentation(c.getTime(), c.getMinSpikes(), c.getRetries(), c.getRateStep()), c.getClasses(),
        c.getImageHeight(), c.getImageWidth(), c.getNgram(), inh, pt);
  }
}
