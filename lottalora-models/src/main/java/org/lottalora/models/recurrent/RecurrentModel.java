package org.lottalora.models.recurrent;

import org.lottalora.models.EngineArtifacts;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.SequenceConfig;

/**
 * A recurrent sequence classifier as an application uses it: a {@link RecurrentNetwork} (CfC or LSTM on the
 * hand-written engine), the data and split it was trained on, and the per-feature standardisation its inputs get.
 * Saves as "seed + adapters" ({@code SequenceConfig} in the artifact); loading regenerates the scaffold from the seed,
 * checks the backbone fingerprints and puts the stored adapters, betas and head back. {@code lottalora train --family
 * cfc} writes this artifact too (an image dataset read row by row), and {@link #load} also takes a CfC written by the
 * former SameDiff family {@code cfc}, mapping its tensors onto the engine.
 *
 * @param network the network with its trained values
 * @param data the --data text it was trained on
 * @param splitSeed seed of the split
 * @param maxTrain training sequences used (0: all)
 * @param pad whether ragged CSV series were padded
 * @param steps steps per (padded) training sequence
 * @param mean per-feature mean subtracted from inputs (empty: none)
 * @param std per-feature standard deviation inputs are divided by (empty: none)
 */
public record RecurrentModel(RecurrentNetwork network, String data, long splitSeed, int maxTrain, boolean pad,
    int steps, float[] mean, float[] std) {

  /** Class probabilities of raw (unstandardised) sequences, [n][classes]. */
  public float[][] probabilities(SequenceSet raw) {
    return RecurrentTrainer.probabilities(network, SequenceData.standardise(raw, mean, std));
  }

  /**
   * Writes the model atomically ({@code key} signs it when not null) with its training record
   * ({@link RecurrentTrainer#record}; null: saved untrained).
   */
  public void save(Path path, TrainingRecord record, PrivateKey key) {
    RecurrentNetwork.Spec s = network.spec();
    List<TensorSpec> specs = RecurrentNetwork.tensors(s);
    Map<String, TensorSpec> byName = new java.util.HashMap<>();
    specs.forEach(t -> byName.put(t.name(), t));
    SequenceConfig.Builder c = SequenceConfig.newBuilder().setHidden(s.hidden())
        .setUnits(s.cell().equals("cfc") ? s.units() : 0).setSteps(steps).setData(data).setSplitSeed(splitSeed)
        .setMaxTrain(maxTrain).setPad(pad);
    for (int k = 0; k < mean.length; k++) {
      c.addFeatureMean(mean[k]).addFeatureStd(std[k]);
    }
    Map<String, float[]> trained = network.trained();
    // a layer's rank reads from A's shape
    EngineArtifacts.write(path, s.seed(), s.init(), Backbone.regenerate(s.seed(), specs, 1),
        org.lottalora.format.proto.ModelSpec.newBuilder().setFamily(s.cell()).setInputDim(s.inputs())
            .setClasses(s.classes()).setFull(s.full()).setSequence(c), s.adapter(), trained,
        name -> EngineArtifacts.shapeOf(byName, name, trained.get(name).length),
        record == null ? TrainingRecord.untrained(data) : record, EngineArtifacts.values(specs), DType.FLOAT32, key);
  }

  /**
   * The train -> save -> reload check of a recurrent model: the artifact at {@code artifact}, loaded, scores
   * {@code test} exactly as the trained network did ({@code trained}: accuracy, AUROC and loss), or a one-line
   * error says the file is not to be trusted.
   *
   * @throws org.lottalora.core.LottaException when the reloaded model scores differently
   */
  public static void checkReload(Path artifact, RecurrentTrainer.Metrics trained, SequenceSet test) {
    RecurrentTrainer.Metrics again = RecurrentTrainer.evaluate(load(artifact).network(), test);
    if (!again.equals(trained)) {
      throw new org.lottalora.core.LottaException("the reloaded model scores " + again + " against " + trained
          + " before saving: this is a bug; " + artifact + " is not to be trusted");
    }
  }

  /** Loads and verifies a recurrent sequence model. */
  public static RecurrentModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static RecurrentModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /**
   * Whether {@link #load(ArtifactFile, String)} takes this artifact: a recurrent sequence model, or a CfC written by
   * the former SameDiff family {@code cfc} (an mlp config whose widths are hidden, units).
   */
  public static boolean isRecurrent(Artifact a) {
    return a.hasModel() && (a.getModel().getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.SEQUENCE
        || legacyCfc(a));
  }

  private static boolean legacyCfc(Artifact a) {
    return a.getModel().getFamily().equals("cfc")
        && a.getModel().getConfigCase() == org.lottalora.format.proto.ModelSpec.ConfigCase.MLP;
  }

  /** Whether the model reads flat rows of {@code side * side} values (an image dataset, rows as steps, gap 1). */
  public boolean readsImageRows() {
    return SequenceData.isImages(data) && !pad;
  }

  /** Values per flat input row for {@link #probabilitiesOfRows}: steps times features per step. */
  public int rowWidth() {
    return steps * network.spec().inputs();
  }

  /**
   * Class probabilities of raw flat rows ({@code rows} rows of {@link #rowWidth()} values, an image each), read as
   * the model was trained: row by row, time gap 1, standardised with the model's statistics. [rows][classes].
   *
   * @throws IllegalArgumentException for a model trained on CSV or irregular series (use {@link #probabilities})
   */
  public float[][] probabilitiesOfRows(float[] x, int rows) {
    if (!readsImageRows()) {
      throw new IllegalArgumentException("this " + network.spec().cell() + " model was trained on " + data
          + ", not on images read row by row: give it series (lottalora sequence predict --csv)");
    }
    if (x.length != (long) rows * rowWidth()) {
      throw new IllegalArgumentException(x.length + " values are not " + rows + " rows of " + rowWidth());
    }
    // the pixel normalization as the image datasets apply it (Normalization.applyInPlace: times 1 / std), so a row
    // predicts bit for bit as the same image of the model's own split does
    float[] z = new float[x.length];
    int f = network.spec().inputs();
    for (int i = 0; i < z.length; i++) {
      int k = i % f;
      z[i] = mean.length == 0 ? x[i] : (x[i] - mean[k]) * (1f / std[k]);
    }
    org.lottalora.core.data.Dataset d = new org.lottalora.core.data.Dataset("rows", z, rows, rowWidth(),
        new int[rows], network.spec().classes());
    return RecurrentTrainer.probabilities(network, SequenceSet.ofImages(d, "rows"));
  }

  /** The model an opened artifact describes. */
  public static RecurrentModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    if (a.hasModel() && legacyCfc(a)) {
      return legacy(a, where);
    }
    org.lottalora.format.proto.ModelSpec m = EngineArtifacts.require(a,
        org.lottalora.format.proto.ModelSpec.ConfigCase.SEQUENCE, where, "recurrent sequence model");
    SequenceConfig c = m.getSequence();
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    RecurrentNetwork.Spec spec;
    try {
      spec = new RecurrentNetwork.Spec(m.getFamily(), m.getInputDim(), c.getHidden(), Math.max(1, c.getUnits()),
          m.getClasses(), a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where),
          EngineArtifacts.adapterWithBlocks(pa), m.getFull());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid sequence model spec: " + e.getMessage());
    }
    if (c.getFeatureMeanCount() != c.getFeatureStdCount()
        || (c.getFeatureMeanCount() != 0 && c.getFeatureMeanCount() != spec.inputs())) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + c.getFeatureMeanCount() + " feature means and "
          + c.getFeatureStdCount() + " deviations for " + spec.inputs() + " features");
    }
    EngineArtifacts.scaffold(a, spec.seed(), RecurrentNetwork.tensors(spec), 1, where);
    RecurrentNetwork net = new RecurrentNetwork(spec, Map.of());
    net.restore(EngineArtifacts.trained(a, net.trained(), where, "this " + spec.cell() + " model"));
    float[] mean = new float[c.getFeatureMeanCount()];
    float[] std = new float[c.getFeatureStdCount()];
    for (int k = 0; k < mean.length; k++) {
      mean[k] = c.getFeatureMean(k);
      std[k] = c.getFeatureStd(k);
    }
    return new RecurrentModel(net, c.getData(), c.getSplitSeed(), c.getMaxTrain(), c.getPad(), c.getSteps(), mean,
        std);
  }

  /**
   * A CfC the former SameDiff family {@code cfc} wrote ({@code lottalora train --family cfc} before the engine took
   * it over): the same equations and tensor names, so its scaffold records are checked against the engine cell's,
   * its trained tensors (adapters, betas, DoRA magnitudes, LayerNorm, head; any storage dtype) put into a
   * {@link RecurrentNetwork}, and its scalar pixel normalization becomes per-feature statistics. Its training data
   * (dataset, split seed, rows) is taken from the provenance. Adapter dropout is a training-time switch and is
   * ignored; trained biases, which the engine does not implement, are refused.
   */
  private static RecurrentModel legacy(Artifact a, String where) {
    BackboneRecord.checkGenerator(a, where);
    org.lottalora.format.proto.ModelSpec m = a.getModel();
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    if (pa.getTrainBias()) {
      throw new ArtifactException(Reason.UNKNOWN_FAMILY, where + " is a CfC of the former SameDiff family trained "
          + "with --train-bias, which the recurrent engine does not implement: retrain it with `lottalora train "
          + "--family cfc` (without --train-bias)");
    }
    int side = (int) Math.round(Math.sqrt(m.getInputDim()));
    RecurrentNetwork.Spec spec;
    try {
      if (m.getMlp().getWidthsCount() != 2 || side * side != m.getInputDim()) {
        throw new IllegalArgumentException("a cfc model has widths hidden,units and a square input, got widths "
            + m.getMlp().getWidthsList() + " and " + m.getInputDim() + " inputs");
      }
      spec = new RecurrentNetwork.Spec("cfc", side, m.getMlp().getWidths(0), m.getMlp().getWidths(1), m.getClasses(),
          a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where),
          new AdapterConfig(pa.getRank(), pa.getAlpha(), pa.getRsLora(), pa.getTrainBeta(), 0, false,
              pa.getInitSeed()).withVariants(pa.getDora(), pa.getResidual(), pa.getLayerNorm()), m.getFull());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid cfc model spec: " + e.getMessage());
    }
    List<TensorSpec> cell = RecurrentNetwork.cellTensors(spec); // the old family recorded the cell only
    EngineArtifacts.scaffold(a, spec.seed(), cell, 1, where);
    RecurrentNetwork net = new RecurrentNetwork(spec, Map.of());
    net.restore(EngineArtifacts.trained(a, net.trained(), where, "this cfc model"));
    float[] mean = new float[side];
    float[] std = new float[side];
    java.util.Arrays.fill(mean, a.hasNormalization() ? a.getNormalization().getMean() : 0f);
    java.util.Arrays.fill(std, a.hasNormalization() ? a.getNormalization().getStd() : 1f);
    if (!(std[0] > 0) || !Float.isFinite(std[0]) || !Float.isFinite(mean[0])) {
      throw new ArtifactException(Reason.MALFORMED, where + ": normalization mean " + mean[0] + ", std " + std[0]);
    }
    org.lottalora.format.proto.Training tr = a.getTraining();
    return new RecurrentModel(net, tr.getDataset().isEmpty() ? "digits" : tr.getDataset(),
        tr.getConfig().getSplitSeed(), (int) Math.min(Integer.MAX_VALUE, tr.getDatasetRows()), false, side, mean,
        std);
  }
}
