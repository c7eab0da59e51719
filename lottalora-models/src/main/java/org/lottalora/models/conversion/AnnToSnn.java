package org.lottalora.models.conversion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactFile;
import org.lottalora.models.LottaModel;
import org.lottalora.models.MergedModel;

/**
 * ANN-to-SNN conversion of the toolkit's models (Diehl et al. 2015; Rueckauer et al. 2017): a trained ReLU model
 * becomes a {@link ReluNetwork} (adapters merged into {@code W' = beta W_seed + s B A}, the input normalisation and
 * a CNN's BatchNorm folded into the weights and biases, global average pooling folded into the head), which is
 * normalised on training data ({@link WeightNormalization}) and run as integrate-and-fire neurons ({@link
 * SpikingNetwork}). Convertible: {@code mlp} and {@code linear}, and the Plain-N {@code cnn}, without the DoRA,
 * residual or LayerNorm variants. Anything else is refused with one line naming the family or layer and why.
 *
 * <pre>{@code
 * LottaModel m = AnnToSnn.load(Path.of("model.lotta"));
 * SpikingNetwork snn = AnnToSnn.convert(m, splits.train(), ConversionConfig.defaults());
 * SimulationResult r = snn.simulate(splits.test(), new int[] {50, 100, 250, 500}, 2);
 * }</pre>
 */
public final class AnnToSnn {
  private AnnToSnn() {}

  /**
   * Loads an artifact after checking from its header that its family can be converted, so that a reservoir, a
   * spiking or a Transformer artifact is refused for what it is rather than as a file {@link LottaModel} cannot
   * read.
   *
   * @throws IllegalArgumentException naming the family and the layer that cannot be converted
   */
  public static LottaModel load(Path path) {
    return load(path, TrustPolicy.NONE);
  }

  /** {@link #load(Path)} under a trust policy (see {@link ArtifactCodec#open(Path, TrustPolicy)}). */
  public static LottaModel load(Path path, TrustPolicy trust) {
    ArtifactFile f = ArtifactCodec.open(path, trust);
    String family = f.artifact().getModel().getFamily();
    if (!family.equals("mlp") && !family.equals("linear") && !family.equals("cnn")) {
      throw unconvertible(family);
    }
    return LottaModel.load(f, path.toString());
  }

  private static IllegalArgumentException unconvertible(String family) {
    String why = switch (family) {
      case "cfc" -> "its CfC cell is a recurrence with sigmoid and tanh gates, which integrate-and-fire rates do "
          + "not compute";
      case "lstm" -> "its LSTM cell is a recurrence with sigmoid and tanh gates, which integrate-and-fire rates do "
          + "not compute";
      case "byte-lm", "lm", "llama", "vit", "text", "text-encoder" -> "its attention multiplies activations with "
          + "each other and takes a softmax, and its RMSNorm/LayerNorm divides by each sample's own scale";
      case "gcn", "gin" -> "its graph convolution aggregates over each input's own neighbourhood, not a fixed "
          + "weight matrix";
      case "esn", "ring" -> "it is a reservoir with tanh or oscillator units, not a ReLU network";
      case "diehl-cook", "lm-snn", "lc-snn", "delay" -> "it already is a spiking network";
      default -> "it has layers beyond affine, convolution, BatchNorm and ReLU";
    };
    return new IllegalArgumentException("a '" + family + "' model cannot be converted to a spiking network: " + why
        + "; convertible families: mlp, linear, cnn");
  }

  /**
   * The analog ReLU network of a model, reading raw features: merged weights, the input normalisation folded into
   * the first layer and, for the CNN, BatchNorm folded into each convolution and global average pooling into the
   * head. It classifies as the model does, within float rounding.
   *
   * @throws IllegalArgumentException for a family or variant that cannot be converted
   */
  public static ReluNetwork reluNetwork(LottaModel m) {
    ModelSpec spec = m.spec();
    AdapterConfig ad = spec.adapter();
    if (ad.hasVariants()) {
      String first = spec.family().equals("cnn") ? "convs.0" : "layers.0";
      String why = ad.layerNorm() ? "LayerNorm on block '" + first + "' divides by each sample's own standard "
          + "deviation, which no fixed weight computes"
          : ad.residual() ? "the residual additions around its blocks are not part of this conversion"
          : "DoRA's row-normalised weight on '" + first + "' is not folded by this conversion";
      throw new IllegalArgumentException("a '" + spec.family() + "' model with " + ad.variantName() + " cannot be "
          + "converted to a spiking network: " + why);
    }
    List<ReluLayer> layers = switch (spec.family()) {
      case "mlp", "linear" -> dense(m);
      case "cnn" -> cnn(m);
      default -> throw unconvertible(spec.family());
    };
    layers.set(0, foldInput(layers.get(0), m.normalization()));
    return new ReluNetwork(layers);
  }

  /**
   * Converts a model: its ReLU network, normalised at {@code config}'s percentile on the first {@code
   * config.calibrationRows()} rows of {@code calibration} (raw training data), as IF neurons.
   */
  public static SpikingNetwork convert(LottaModel m, Dataset calibration, ConversionConfig config) {
    ReluNetwork ann = reluNetwork(m);
    if (calibration.cols() != ann.inputDim()) {
      throw new IllegalArgumentException("the model takes " + ann.inputDim() + " features but dataset '"
          + calibration.name() + "' has " + calibration.cols());
    }
    Dataset c = calibration.head(Math.min(config.calibrationRows(), calibration.rows()));
    if (c.rows() == 0) {
      throw new IllegalArgumentException("calibration needs at least one training row");
    }
    WeightNormalization.Normalised n = WeightNormalization.normalise(ann, c.features(), c.rows(),
        config.percentile());
    return new SpikingNetwork(n.network(), n.inputScale(), config.reset(), config.coding(), config.seed());
  }

  private static List<ReluLayer> dense(LottaModel m) {
    List<MergedModel.DenseLayer> merged = m.merged().layers();
    List<ReluLayer> out = new ArrayList<>();
    for (int i = 0; i < merged.size(); i++) {
      MergedModel.DenseLayer d = merged.get(i);
      if (d.relu() != (i < merged.size() - 1)) {
        throw new IllegalArgumentException("layer '" + d.name() + "' of this '" + m.spec().family() + "' model "
            + (d.relu() ? "ends in a ReLU" : "has no ReLU") + " where the conversion needs "
            + (d.relu() ? "logits" : "one"));
      }
      out.add(DenseLayer.of(d.name(), d.dIn(), d.dOut(), d.weight(), d.bias()));
    }
    return out;
  }

  // Plain-N: conv -> BatchNorm (running statistics) -> ReLU per block, global average pooling, head
  private static List<ReluLayer> cnn(LottaModel m) {
    ModelSpec spec = m.spec();
    Map<String, float[]> values = m.graph().trainedValues();
    Backbone bb = m.backbone();
    int side = (int) Math.round(Math.sqrt(spec.inputDim()));
    int[] widths = spec.widths();
    List<ReluLayer> out = new ArrayList<>();
    int in = 1;
    int s = side;
    for (int i = 0; i < widths.length; i++) {
      int c = widths[i];
      int stride = i > 0 && widths[i] != widths[i - 1] ? 2 : 1; // as CnnFamily: a width change halves the map
      String p = "convs." + i;
      int fan = in * 9;
      LayerStep.Affine a = spec.full()
          ? new LayerStep.Affine(fan, c, p + ".weight", true, p + ".bias", true, null, null, null, 0, null, false)
          : new LayerStep.Affine(fan, c, p + ".weight", false, p + ".bias", true,
              spec.adapter().trainBeta() ? p + GraphBuilder.BETA : null, p + GraphBuilder.LORA_A,
              p + GraphBuilder.LORA_B, spec.adapter().scaling(), null, false);
      float[] kernel = MergedModel.merge(a, values, bb, true); // [c, in 9] = [c, in, 3, 3]
      // BatchNorm at inference is per-channel affine: gamma (x - mean) / sqrt(var + eps) + shift
      float[] gamma = values.get(p + GraphBuilder.BN_GAMMA);
      float[] shift = values.get(p + GraphBuilder.BN_SHIFT);
      float[] mean = values.get(p + GraphBuilder.BN_MEAN);
      float[] var = values.get(p + GraphBuilder.BN_VAR);
      float[] bias = new float[c];
      for (int o = 0; o < c; o++) {
        double scale = gamma[o] / Math.sqrt(var[o] + GraphBuilder.NORM_EPS);
        for (int j = 0; j < fan; j++) {
          kernel[o * fan + j] = (float) (kernel[o * fan + j] * scale);
        }
        bias[o] = (float) (shift[o] - mean[o] * scale);
      }
      ConvLayer conv = ConvLayer.of(p, in, c, s, 3, stride, 1, kernel, bias);
      out.add(conv);
      in = c;
      s = conv.outH();
    }
    // global average pooling is linear: head(mean over positions) = a dense layer over the whole [s, s, in] map
    float[] hw = values.get("head.weight"); // [classes, in]
    float[] hb = values.get("head.bias");
    int classes = spec.classes();
    int positions = s * s;
    float[] w = new float[classes * positions * in];
    for (int o = 0; o < classes; o++) {
      for (int q = 0; q < positions; q++) {
        for (int ch = 0; ch < in; ch++) {
          w[(o * positions + q) * in + ch] = hw[o * in + ch] / positions;
        }
      }
    }
    out.add(DenseLayer.of("head", positions * in, classes, w, hb));
    return out;
  }

  // x' = (x - mean) / std into layer 0: W' = W / std, b' = b + W (-mean / std) (per output unit, so a padded
  // convolution's border, which sees fewer shifted pixels, stays exact)
  private static ReluLayer foldInput(ReluLayer first, Normalization norm) {
    float[] shifted = new float[first.inSize()];
    java.util.Arrays.fill(shifted, -norm.mean() / norm.std());
    float[] bias = first.bias().clone();
    first.accumulate(shifted, 0, bias, 0);
    return first.with(1f / norm.std(), bias);
  }
}
