package org.lottalora.models.reservoir;

import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Adapter;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.EsnLayer;
import org.lottalora.format.proto.ReservoirConfig;
import org.lottalora.format.proto.RingConfig;
import org.lottalora.format.proto.ScalingRule;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;
import org.lottalora.format.proto.Training;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.Producer;

/**
 * A trained reservoir, shipped and loaded as "seed + spec + readout (+ adapter)". Two families: {@code esn}
 * (echo state network, for forecasting series or classifying images row by row) and {@code ring}
 * (differentiating-neuron ring oscillators, for images). Loading regenerates every frozen matrix from the seed,
 * checks the stored fingerprints, and uses the stored raw spectral radius, so a reload computes the same bits
 * as the model that was saved. In an application:
 * <pre>
 *   ReservoirModel m = ReservoirModel.load(Path.of("mg.lotta"));
 *   double[][] next = m.forecast(history, 100);     // forecasting models
 *   int label = m.classify(pixels);                  // image models
 * </pre>
 */
public final class ReservoirModel {
  /** Tensor name of the readout weights [outputs, features]. */
  public static final String READOUT = "readout.weight";

  private final String family;
  private final String task;
  private final long seed;
  private final EchoStateNetwork esn;
  private final RingReservoir ring;
  private final FeatureMap features;
  private final double[][] readout;
  private final Settings settings;

  /**
   * What a model needs besides its matrices: the task ("forecast" or "classify"), washout and ridge of the fit,
   * the forecast horizon, per-channel input offset and scale (forecast), the pixel normalization and image
   * size (classify), how the readout was fitted, snapshots per image (esn classify), and the channel names.
   * A classifying ESN keeps its readout here rather than in the network: its features are snapshots.
   */
  public record Settings(String task, int washout, double ridge, int horizon, double[] offset, double[] scale,
      Normalization pixels, int height, int width, String readoutFit, int samples, String[] channels) {
  }

  ReservoirModel(String family, long seed, EchoStateNetwork esn, RingReservoir ring, double[][] readout,
      Settings settings) {
    this.family = family;
    this.seed = seed;
    this.esn = esn;
    this.ring = ring;
    this.readout = readout;
    this.settings = settings;
    this.task = settings.task();
    boolean classify = "classify".equals(task);
    if (esn != null && !classify) {
      esn.setReadout(readout);
    }
    this.features = esn == null ? ring : classify ? new EsnImageFeatures(esn, settings.height(), settings.width(),
        settings.samples()) : null;
  }

  /** Loads and verifies an artifact. */
  public static ReservoirModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static ReservoirModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** Loads an artifact that must carry a valid signature by {@code trusted}. */
  public static ReservoirModel load(Path path, PublicKey trusted) {
    return load(path, TrustPolicy.of(trusted)); // the signer is checked before the payload is parsed
  }

  /** Builds the model an opened artifact describes. */
  public static ReservoirModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    if (!a.hasModel() || a.getModel().getConfigCase() != org.lottalora.format.proto.ModelSpec.ConfigCase.RESERVOIR) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is not a reservoir (family '"
          + a.getModel().getFamily() + "'): load it with LottaModel.load, or use `lottalora eval|predict`");
    }
    BackboneRecord.checkGenerator(a, where);
    ReservoirConfig rc = a.getModel().getReservoir();
    String family = a.getModel().getFamily();
    long seed = a.getBackbone().getSeed();
    Map<String, float[]> tensors = new HashMap<>();
    for (Tensor t : a.getTensorsList()) {
      tensors.put(t.getName(), TensorCodec.decode(t, where));
    }
    Settings st;
    EchoStateNetwork esn = null;
    RingReservoir ring = null;
    List<TensorSpec> specs;
    int outputs = rc.getOutputDim();
    try {
      st = new Settings(rc.getTask(), rc.getWashout(), rc.getRidge(), rc.getHorizon(),
          rc.getInputOffsetList().stream().mapToDouble(Double::doubleValue).toArray(),
          rc.getInputScaleList().stream().mapToDouble(Double::doubleValue).toArray(),
          a.hasNormalization() ? new Normalization(a.getNormalization().getMean(), a.getNormalization().getStd())
              : Normalization.NONE, rc.getImageHeight(), rc.getImageWidth(), rc.getReadoutFit(),
          Math.max(1, family.equals("ring") ? rc.getRing().getSamples() : rc.getSamples()),
          rc.getChannelsList().toArray(new String[0]));
      if (!st.task().equals("forecast") && !st.task().equals("classify")) {
        throw new IllegalArgumentException("unknown task '" + st.task() + "'");
      }
      if (outputs < 1) {
        throw new IllegalArgumentException("output_dim must be >= 1");
      }
      if (st.task().equals("forecast")) {
        if (st.offset().length != outputs || st.scale().length != outputs) {
          throw new IllegalArgumentException("a forecaster needs one input offset and scale per channel ("
              + outputs + "), the file has " + st.offset().length + " and " + st.scale().length);
        }
        for (double v : st.scale()) {
          if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("input scales must be finite and > 0");
          }
        }
        if (st.horizon() < 1) {
          throw new IllegalArgumentException("horizon must be >= 1");
        }
      } else if (st.height() < 1 || st.width() < 1) {
        throw new IllegalArgumentException("a classifier needs its image size");
      }
      if ("esn".equals(family)) {
        List<ReservoirSpec> layers = new ArrayList<>();
        double[] rho = new double[rc.getLayersCount()];
        for (int l = 0; l < rc.getLayersCount(); l++) {
          EsnLayer e = rc.getLayers(l);
          layers.add(new ReservoirSpec(e.getUnits(), e.getSpectralRadius(), e.getDensity(), e.getLeakRate(),
              e.getInputScaling(), e.getInputDensity(), e.getBiasScaling(), e.getActivation(), e.getFeedbackScaling(),
              e.getInputInit()));
          rho[l] = e.getRawSpectralRadius();
          if (!(rho[l] > 0)) {
            throw new IllegalArgumentException("layer " + l + " has no raw spectral radius");
          }
        }
        int inputDim = "classify".equals(st.task()) ? st.width() : st.offset().length;
        esn = new EchoStateNetwork(seed, layers, inputDim, outputs, rc.getInputToReadout(), rho);
        specs = esnTensorSpecs(esn);
        attachAdapters(a, esn, tensors, where);
      } else if ("ring".equals(family)) {
        ring = new RingReservoir(ringSpec(rc.getRing()), st.height(), st.width(), seed);
        specs = RingReservoir.tensorSpecs(ring.spec(), ring.neurons());
      } else {
        throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + ": unknown reservoir family '" + family
            + "' (this build has esn, ring)");
      }
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid reservoir spec: " + e.getMessage());
    }
    BackboneRecord.checkBackboneRecords(a, specs, where);
    BackboneRecord.regenerateChecked(a, seed, specs, 1, where);
    java.util.Set<String> known = new java.util.HashSet<>(List.of(READOUT));
    for (Adapter ad : a.getAdaptersList()) {
      known.add(ad.getA());
      known.add(ad.getB());
      known.add(ad.getBeta());
    }
    for (String name : tensors.keySet()) {
      if (!known.contains(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": tensor '" + name + "' is not part of this "
            + "reservoir model");
      }
    }
    float[] w = tensors.get(READOUT);
    if (w == null) {
      throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no '" + READOUT + "' tensor");
    }
    int nf = esn != null ? ("classify".equals(st.task()) ? new EsnImageFeatures(esn, st.height(), st.width(),
        st.samples()).featureCount() : esn.featureCount()) : ring.featureCount();
    if (w.length != outputs * nf) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": readout has " + w.length + " values, the model needs "
          + outputs + " x " + nf);
    }
    double[][] ro = new double[outputs][nf];
    for (int o = 0; o < outputs; o++) {
      for (int f = 0; f < nf; f++) {
        ro[o][f] = w[o * nf + f];
      }
    }
    return new ReservoirModel(family, seed, esn, ring, ro, st);
  }

  private static void attachAdapters(Artifact a, EchoStateNetwork esn, Map<String, float[]> tensors, String where) {
    for (Adapter ad : a.getAdaptersList()) {
      Reservoir target = null;
      for (Reservoir r : esn.layers()) {
        if (Reservoir.name(r.layer(), "W").equals(ad.getTarget())) {
          target = r;
        }
      }
      if (target == null) {
        throw new ArtifactException(Reason.MALFORMED, where + ": adapter targets unknown tensor '" + ad.getTarget()
            + "'");
      }
      float[] av = tensors.get(ad.getA());
      float[] bv = tensors.get(ad.getB());
      float[] beta = ad.getBeta().isEmpty() ? new float[] {1f} : tensors.get(ad.getBeta());
      if (av == null || bv == null || beta == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": adapter on '" + ad.getTarget()
            + "' misses a tensor");
      }
      int n = target.spec().units();
      int r = ad.getRank();
      if (r < 1 || av.length != r * n || bv.length != n * r) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": adapter on '" + ad.getTarget() + "' is not rank "
            + r + " over " + n + " units");
      }
      double s = ad.getScalingRule() == ScalingRule.ALPHA_OVER_SQRT_R ? ad.getAlpha() / Math.sqrt(r)
          : ad.getAlpha() / r;
      target.withAdapter(new Reservoir.RecurrentAdapter(r, av, bv, beta[0], s));
    }
  }

  static List<TensorSpec> esnTensorSpecs(EchoStateNetwork esn) {
    List<TensorSpec> out = new ArrayList<>();
    for (Reservoir r : esn.layers()) {
      out.addAll(Reservoir.tensorSpecs(r.spec(), r.layer(), r.inputDim(), r.feedbackDim()));
    }
    return out;
  }

  private static RingSpec ringSpec(RingConfig r) {
    return new RingSpec(r.getRings(), r.getMinRing(), r.getMaxRing(), r.getEpsilon(), r.getRewireP(),
        r.getNeighbours(), r.getTau(), r.getThreshold(), r.getWindow(), r.getStride(), r.getInputScaling(),
        r.getInputDensity(), r.getSamples(), r.getSettle());
  }

  /**
   * Provenance written into the artifact: dataset (or series) description and hash, the test metric (accuracy
   * for classifiers, NRMSE for forecasters), wall time, threads, and extra named numbers.
   */
  public record Provenance(String dataset, byte[] datasetSha256, long rows, double testMetric, double seconds,
      int threads, Map<String, Float> extra) {
  }

  /** Writes the model atomically; {@code key} signs it when not null. */
  public void save(Path path, Provenance p, DType dtype, PrivateKey key) {
    ArtifactCodec.write(toProto(p, dtype), path, key);
  }

  Artifact toProto(Provenance p, DType dtype) {
    List<TensorSpec> specs = esn != null ? esnTensorSpecs(esn) : RingReservoir.tensorSpecs(ring.spec(),
        ring.neurons());
    org.lottalora.format.proto.Backbone.Builder b = BackboneRecord.backboneRecord(seed, specs.get(0).init(),
        Backbone.regenerate(seed, specs, 1), false);
    ReservoirConfig.Builder rc = ReservoirConfig.newBuilder().setTask(task).setOutputDim(readout.length)
        .setWashout(settings.washout()).setRidge(settings.ridge()).setHorizon(settings.horizon())
        .setReadoutFit(settings.readoutFit() == null ? "ridge" : settings.readoutFit())
        .setImageHeight(settings.height()).setImageWidth(settings.width());
    for (double v : settings.offset()) {
      rc.addInputOffset(v);
    }
    for (double v : settings.scale()) {
      rc.addInputScale(v);
    }
    for (String c : settings.channels()) {
      rc.addChannels(c);
    }
    Artifact.Builder a = Artifact.newBuilder().setProducer(Producer.ID)
        .setProducerName(Producer.NAME).setProducerVersion(Producer.VERSION)
        .setCreatedUnixMs(System.currentTimeMillis()).setBackbone(b);
    if (esn != null) {
      rc.setInputToReadout(esn.inputToReadout());
      for (Reservoir r : esn.layers()) {
        ReservoirSpec s = r.spec();
        rc.addLayers(EsnLayer.newBuilder().setUnits(s.units()).setSpectralRadius(s.spectralRadius())
            .setDensity(s.density()).setLeakRate(s.leakRate()).setInputScaling(s.inputScaling())
            .setInputDensity(s.inputDensity()).setBiasScaling(s.biasScaling()).setActivation(s.activation())
            .setFeedbackScaling(s.feedbackScaling()).setRawSpectralRadius(r.rhoRaw())
            // the first scheme is written as the empty default, so its files stay byte for byte as before
            .setInputInit(s.bernoulliInputs() ? s.inputInit() : ""));
        Reservoir.RecurrentAdapter ad = r.adapter();
        if (ad != null) {
          String target = Reservoir.name(r.layer(), "W");
          int n = s.units();
          double alpha = ad.scale() * ad.rank();
          a.addAdapters(Adapter.newBuilder().setTarget(target).setRank(ad.rank()).setAlpha(alpha)
              .setScalingRule(ScalingRule.ALPHA_OVER_R).setA(target + ".lora_A").setB(target + ".lora_B")
              .setBeta(target + ".beta"));
          a.addTensors(TensorCodec.encode(target + ".lora_A", new long[] {ad.rank(), n}, TensorRole.LORA_A, ad.a(),
              dtype));
          a.addTensors(TensorCodec.encode(target + ".lora_B", new long[] {n, ad.rank()}, TensorRole.LORA_B, ad.b(),
              dtype));
          a.addTensors(TensorCodec.encode(target + ".beta", new long[] {1}, TensorRole.BETA,
              new float[] {ad.beta()}, DType.FLOAT32));
        }
      }
    } else {
      RingSpec s = ring.spec();
      rc.setRing(RingConfig.newBuilder().setRings(s.rings()).setMinRing(s.minRing()).setMaxRing(s.maxRing())
          .setEpsilon(s.epsilon()).setRewireP(s.rewireP()).setNeighbours(s.neighbours()).setTau(s.tau())
          .setThreshold(s.threshold()).setWindow(s.window()).setStride(s.stride()).setInputScaling(s.inputScaling())
          .setInputDensity(s.inputDensity()).setSamples(s.samples()).setSettle(s.settle()));
    }
    if (esn != null && "classify".equals(task)) {
      rc.setSamples(settings.samples());
    }
    int nf = readout[0].length;
    float[] w = new float[readout.length * nf];
    for (int o = 0; o < readout.length; o++) {
      for (int f = 0; f < nf; f++) {
        w[o * nf + f] = (float) readout[o][f];
      }
    }
    a.addTensors(TensorCodec.encode(READOUT, new long[] {readout.length, nf}, TensorRole.WEIGHT, w, dtype));
    a.setModel(org.lottalora.format.proto.ModelSpec.newBuilder().setFamily(family)
        .setInputDim("classify".equals(task) ? settings.height() * settings.width() : settings.offset().length)
        .setClasses("classify".equals(task) ? readout.length : 0).setReservoir(rc));
    if ("classify".equals(task)) {
      a.setNormalization(org.lottalora.format.proto.Normalization.newBuilder().setMean(settings.pixels().mean())
          .setStd(settings.pixels().std()));
    }
    boolean classify = "classify".equals(task);
    Training.Builder tr = p == null ? TrainingRecord.untrained("").toProto(0, 0) : new TrainingRecord(p.dataset(),
        p.datasetSha256(), p.rows(), null, p.threads(), new TrainingRecord.Outcome(classify ? p.testMetric()
            : Double.NaN, classify ? Double.NaN : p.testMetric(), Double.NaN, 0, 0, p.seconds(), Double.NaN, ""),
        p.extra() == null ? Map.of() : TrainingRecord.doubles(p.extra()))
        .toProto((long) readout.length * nf, parameterCount());
    if (dtype != DType.FLOAT32) {
      a.addHistory("stored as " + TensorCodec.shortName(dtype) + " at save time by " + Producer.ID);
    }
    return a.setTraining(tr).build();
  }

  /** Frozen plus trained parameters (connections counted, not dense sizes). */
  public long parameterCount() {
    long n = (long) readout.length * readout[0].length;
    if (esn != null) {
      for (Reservoir r : esn.layers()) {
        n += r.connections() + (long) r.spec().units() * (r.inputDim() + 1);
      }
    } else {
      n += (long) ring.neurons() * ring.spec().window();
    }
    return n;
  }

  // ---- inference ----

  /**
   * Teacher-forced outputs: feeds {@code series} (raw units, [steps][channels]) from a zero state and returns,
   * for each step t, the prediction of step t + horizon in raw units.
   */
  public double[][] predict(double[][] series) {
    requireTask("forecast");
    EchoStateNetwork.State s = esn.newState();
    double[][] out = esn.run(s, normalize(series));
    return denormalize(out);
  }

  /**
   * Closed-loop forecast: warms up on {@code history} (raw units), then predicts {@code steps} further values,
   * each fed back as the next input. Needs a one-step (horizon 1) model.
   */
  public double[][] forecast(double[][] history, int steps) {
    requireTask("forecast");
    if (settings.horizon() != 1) {
      throw new IllegalArgumentException("closed-loop forecasting needs a horizon-1 model; this one predicts "
          + settings.horizon() + " steps ahead directly: use predict");
    }
    if (history.length < 2) {
      throw new IllegalArgumentException("need at least 2 steps of history to forecast from");
    }
    if (steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    }
    double[][] u = normalize(history);
    EchoStateNetwork.State s = esn.newState();
    esn.run(s, Arrays.copyOf(u, u.length - 1));
    return denormalize(esn.generate(s, u[u.length - 1], steps));
  }

  /** Readout scores of one image (raw pixels; the stored normalization is applied). */
  public double[] scores(float[] image) {
    requireTask("classify");
    float[] x = image.clone();
    Normalization n = settings.pixels();
    for (int i = 0; i < x.length; i++) {
      x[i] = (x[i] - n.mean()) / n.std();
    }
    return Ridge.apply(readout, features.features(x));
  }

  /** The predicted class of one image. */
  public int classify(float[] image) {
    return ImageReadout.argmax(scores(image));
  }

  /** Accuracy on a raw (unnormalized) dataset. */
  public double accuracy(Dataset d, int threads) {
    requireTask("classify");
    return ImageReadout.accuracy(features, readout, d.normalized(settings.pixels()), threads,
        org.lottalora.core.train.Progress.silent());
  }

  double[][] normalize(double[][] series) {
    int d = settings.offset().length;
    double[][] u = new double[series.length][d];
    for (int t = 0; t < series.length; t++) {
      if (series[t].length != d) {
        throw new IllegalArgumentException("step " + t + " has " + series[t].length + " channels, the model takes "
            + d);
      }
      for (int c = 0; c < d; c++) {
        u[t][c] = (series[t][c] - settings.offset()[c]) / settings.scale()[c];
      }
    }
    return u;
  }

  double[][] denormalize(double[][] y) {
    double[][] out = new double[y.length][];
    for (int t = 0; t < y.length; t++) {
      out[t] = new double[y[t].length];
      for (int c = 0; c < y[t].length; c++) {
        out[t][c] = y[t][c] * settings.scale()[c] + settings.offset()[c];
      }
    }
    return out;
  }

  private void requireTask(String t) {
    if (!t.equals(task)) {
      throw new IllegalArgumentException("this is a " + task + " model; " + t + " needs a " + t + " model");
    }
  }

  /** "esn" or "ring". */
  public String family() {
    return family;
  }

  /** "forecast" or "classify". */
  public String task() {
    return task;
  }

  /** The backbone seed. */
  public long seed() {
    return seed;
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** The echo state network, or null for a ring model. */
  public EchoStateNetwork network() {
    return esn;
  }

  /** The ring reservoir, or null for an ESN. */
  public RingReservoir ring() {
    return ring;
  }

  /** The readout [outputs][features] (a copy). */
  public double[][] readout() {
    double[][] c = new double[readout.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = readout[i].clone();
    }
    return c;
  }
}
