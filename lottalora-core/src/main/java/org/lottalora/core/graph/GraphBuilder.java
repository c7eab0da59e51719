package org.lottalora.core.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
import org.lottalora.core.util.NdArrays;

/**
 * Builds a SameDiff graph for a model family out of frozen backbone tensors, LoRA adapters and fully trained
 * layers, and records every trained tensor with its canonical layout. Families call {@link #input},
 * {@link #adaptedLinear}, {@link #trainedLinear}, {@link #dropout} and {@link #finish}; they never touch
 * variable names or layouts themselves.
 *
 * <p>In adapter mode a weight {@code W_seed} is a constant and the layer adds
 * {@code (alpha/r) (x A^T) B^T}; in full mode (the baseline) the same weights, from the same init, are
 * variables and there are no adapters.
 */
public final class GraphBuilder {
  /** Name of the input placeholder: [batch, features]. */
  public static final String INPUT = "input";
  /** Name of the one-hot label placeholder: [batch, classes]. */
  public static final String LABELS = "labels";
  /** Name of the logits: [batch, classes]. */
  public static final String LOGITS = "logits";
  /** Name of the class probabilities: [batch, classes]. */
  public static final String PROBS = "probs";
  /** Name of the scalar loss. */
  public static final String LOSS = "loss";
  /** Tensor-name suffixes of the adapter parts, the recognisable prefix of a saved state. */
  public static final String LORA_A = ".lora_A";
  public static final String LORA_B = ".lora_B";
  public static final String BETA = ".beta";
  /** Suffix of a DoRA magnitude vector. */
  public static final String DORA_M = ".dora_m";
  /**
   * Name of the training-mode placeholder, [batch, 1]: ones while training, zeros at inference. Fed like a
   * dropout mask (a {@link DropoutSite} with {@code trainingFlag}); only graphs with BatchNorm have it.
   */
  public static final String TRAINING = "mode.training";
  /** Suffixes of a BatchNorm's trained scale and shift and of its running statistics. */
  public static final String BN_GAMMA = ".bn.gamma";
  public static final String BN_SHIFT = ".bn.shift";
  public static final String BN_MEAN = ".bn.mean";
  public static final String BN_VAR = ".bn.var";
  /** Suffixes of a block LayerNorm's trained gain and bias. */
  public static final String LN_GAIN = ".ln.gain";
  public static final String LN_BIAS = ".ln.bias";
  /** The epsilon of BatchNorm and LayerNorm (PyTorch's default). */
  public static final double NORM_EPS = 1e-5;

  private final SameDiff sd = SameDiff.create();
  private final Backbone backbone;
  private final AdapterConfig adapter;
  private final boolean full;
  private final Map<String, float[]> initialTrained;
  private final List<TrainedTensor> trained = new ArrayList<>();
  private final List<DropoutSite> dropouts = new ArrayList<>();
  private final List<LayerStep> plan = new ArrayList<>();
  private final List<ModelGraph.Statistic> statistics = new ArrayList<>();
  private SDVariable trainingMode;
  private boolean planComplete = true;
  private int inputFeatures = -1;
  private long frozenParams;
  private long modelParams;

  /**
   * @param backbone the frozen tensors (for full mode: the initial values of the trained weights)
   * @param adapter adapter settings (ignored in full mode except the init seed)
   * @param full train every weight (the baseline) instead of adapters
   * @param initialTrained values for trained tensors that override their fresh init (loading an artifact);
   *     empty when training starts
   */
  public GraphBuilder(Backbone backbone, AdapterConfig adapter, boolean full, Map<String, float[]> initialTrained) {
    this.backbone = backbone;
    this.adapter = adapter;
    this.full = full;
    this.initialTrained = initialTrained;
  }

  /** The input placeholder, [batch, features]. */
  public SDVariable input(int features) {
    inputFeatures = features;
    return sd.placeHolder(INPUT, DataType.FLOAT, -1, features);
  }

  /**
   * A linear layer over the backbone tensors {@code prefix.weight} [dOut, dIn] and {@code prefix.bias}
   * [dOut]: adapted in adapter mode, fully trained in full mode.
   */
  public SDVariable adaptedLinear(String prefix, SDVariable x, int dIn, int dOut) {
    String wName = prefix + ".weight";
    String bName = prefix + ".bias";
    modelParams += (long) dIn * dOut + dOut;
    if (full) {
      SDVariable w = trainedVar(wName, new long[] {dOut, dIn}, true, TrainedTensor.Kind.WEIGHT,
          backbone.get(wName));
      SDVariable b = trainedVar(bName, new long[] {dOut}, false, TrainedTensor.Kind.BIAS, backbone.get(bName));
      plan.add(affineStep(prefix, dIn, dOut, adapter, true));
      return x.mmul(w).add(b);
    }
    int r = adapter.effectiveRank(dIn, dOut); // capped at min(r, d_in, d_out): see AdapterConfig.effectiveRank
    if (adapter.dora()) {
      if (adapter.dropout() > 0) {
        throw new IllegalArgumentException("adapter dropout acts on the unmerged A path; DoRA merges the weight, "
            + "so use one or the other");
      }
      // DoRA normalises the combined weight, so the layer cannot stay in the unmerged x W^T + x A^T B^T form
      SDVariable w = effectiveWeight(prefix, dOut, dIn, true);
      modelParams -= dOut; // counted above; backboneBias counts the bias again
      SDVariable b = backboneBias(prefix, dOut);
      plan.add(affineStep(prefix, dIn, dOut, adapter, false));
      return sd.mmul(x, w, false, true, false).add(b);
    }
    // frozen W stays in the canonical [dOut, dIn] layout and is multiplied transposed: no transposed copy to
    // make at load time (about 0.3 s per 4096 x 4096 weight)
    SDVariable w = sd.constant(wName, NdArrays.of(backbone.get(wName), dOut, dIn));
    frozenParams += (long) dIn * dOut;
    SDVariable b;
    if (adapter.trainBias()) {
      b = trainedVar(bName, new long[] {dOut}, false, TrainedTensor.Kind.BIAS, backbone.get(bName));
    } else {
      b = sd.constant(bName, NdArrays.of(backbone.get(bName), dOut));
      frozenParams += dOut;
    }
    SDVariable base = sd.mmul(x, w, false, true, false); // x W^T
    if (adapter.trainBeta()) {
      SDVariable beta = trainedVar(prefix + BETA, new long[] {1}, false, TrainedTensor.Kind.BETA,
          new float[] {1f});
      base = base.mul(beta);
    }
    float[] a = loraAInit(prefix, r, dIn);
    SDVariable at = trainedVar(prefix + LORA_A, new long[] {r, dIn}, true, TrainedTensor.Kind.LORA_A, a);
    SDVariable bt = trainedVar(prefix + LORA_B, new long[] {dOut, r}, true, TrainedTensor.Kind.LORA_B,
        new float[dOut * r]);
    SDVariable xa = x;
    if (adapter.dropout() > 0) {
      xa = maskedInput(prefix + ".lora_dropout", x, dIn, adapter.dropout());
    }
    plan.add(affineStep(prefix, dIn, dOut, adapter, false));
    SDVariable lora = xa.mmul(at).mmul(bt).mul(adapter.scaling());
    return base.add(lora).add(b);
  }

  /**
   * A 2-D convolution (NCHW input, no bias: the Plain-N nets follow each with a trained BatchNorm) over the
   * backbone kernel {@code prefix.weight} [out, in, k, k] (the canonical layout; permuted for SameDiff in the graph).
   * Adapter mode: the kernel used is {@code beta W_seed + s reshape(B A, [out, in, k, k])} with A [r', in k k] and
   * B [out, r'], r' = min(r, out, in k k), so the adapter sees the kernel as the [out, in k k] matrix its fan-in
   * rule implies; full mode trains the kernel. Marks the graph as not dense (the dense engine has no convolutions).
   *
   * @param stride step in both directions
   * @param pad zero padding on each side
   */
  public SDVariable adaptedConv2d(String prefix, SDVariable x, int in, int out, int k, int stride, int pad) {
    return adaptedConv2d(prefix, x, in, out, k, stride, pad, false);
  }

  /**
   * {@link #adaptedConv2d(String, SDVariable, int, int, int, int, int)}, optionally with DoRA (Liu et al. 2024)
   * on top of the LottaLoRA update: the kernel, seen as the [out, in k k] matrix {@code V = beta W + s B A}, becomes
   * {@code m * V / ||V||} (see {@link #effectiveWeight}).
   */
  public SDVariable adaptedConv2d(String prefix, SDVariable x, int in, int out, int k, int stride, int pad,
      boolean dora) {
    markNotDense();
    return conv2d(prefix, x, in, out, k, stride, pad, dora);
  }

  /**
   * {@link #adaptedConv2d(String, SDVariable, int, int, int, int, int, boolean)} on an input of known size
   * {@code h x w}, DoRA as the adapter config says: recorded in the plan, so the model trains and predicts on the
   * engine ({@link PlanEngine}) instead of through SameDiff's convolution (which M2.1 runs at 25-40 images/s).
   */
  public SDVariable adaptedConv2d(String prefix, SDVariable x, int in, int out, int k, int stride, int pad, int h,
      int w) {
    new org.lottalora.core.engine.Conv2d(prefix, in, out, k, stride, pad, h, w); // shape errors name the layer now
    plan.add(new LayerStep.Conv(prefix, in, out, k, stride, pad, h, w, adapter.dora()));
    return conv2d(prefix, x, in, out, k, stride, pad, adapter.dora());
  }

  private SDVariable conv2d(String prefix, SDVariable x, int in, int out, int k, int stride, int pad, boolean dora) {
    if (dora && full) {
      throw new IllegalArgumentException("DoRA decomposes an adapted weight; the full-training baseline has none");
    }
    String wName = prefix + ".weight";
    int fan = in * k * k;
    modelParams += (long) out * fan;
    Conv2DConfig cfg = Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad).dH(1).dW(1)
        .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
    SDVariable kernel;
    if (full) {
      kernel = trainedVar(wName, new long[] {out, in, k, k}, false, TrainedTensor.Kind.WEIGHT, backbone.get(wName));
    } else {
      // the kernel seen as the [out, in k k] matrix: its rank is capped like any layer's (effectiveWeight)
      kernel = effectiveWeight(prefix, out, fan, dora).reshape(out, in, k, k);
    }
    // M2.1's conv2d_bp fails op validation with OIYX weights: permute to its default [k, k, in, out] instead
    return sd.cnn().conv2d(x, kernel.permute(2, 3, 1, 0), cfg);
  }

  /**
   * The effective weight {@code beta W_seed + s B A} of backbone tensor {@code prefix.weight} [dOut, dIn] as one
   * graph variable (canonical layout), for layers applied many times with shared weights, such as a recurrent cell
   * unrolled over time; full mode returns the trained weight itself. Marks the graph as not dense.
   */
  public SDVariable adaptedWeight(String prefix, int dIn, int dOut) {
    markNotDense();
    String wName = prefix + ".weight";
    modelParams += (long) dIn * dOut;
    if (full) {
      return trainedVar(wName, new long[] {dOut, dIn}, false, TrainedTensor.Kind.WEIGHT, backbone.get(wName));
    }
    return effectiveWeight(prefix, dOut, dIn, adapter.dora());
  }

  /**
   * {@code beta W_seed + s B A} for the frozen backbone matrix {@code prefix.weight} seen as [rows, cols], with
   * DoRA on top when asked: {@code m * V / ||V||}, row-wise norms, with a trained magnitude {@code prefix.dora_m}
   * [rows] that starts at the row norms of W (so training starts from the scaffold, as B = 0 does). The norm is
   * differentiated exactly (PEFT detaches it to save memory; at these sizes exact gradients cost nothing).
   */
  private SDVariable effectiveWeight(String prefix, int rows, int cols, boolean dora) {
    String wName = prefix + ".weight";
    int r = adapter.effectiveRank(cols, rows); // capped at min(r, d_in, d_out): see AdapterConfig.effectiveRank
    float[] seedW = backbone.get(wName);
    SDVariable w = sd.constant(wName, NdArrays.of(seedW, rows, cols));
    frozenParams += (long) rows * cols;
    if (adapter.trainBeta()) {
      w = w.mul(trainedVar(prefix + BETA, new long[] {1}, false, TrainedTensor.Kind.BETA, new float[] {1f}));
    }
    SDVariable at = trainedVar(prefix + LORA_A, new long[] {r, cols}, false, TrainedTensor.Kind.LORA_A,
        loraAInit(prefix, r, cols));
    SDVariable bt = trainedVar(prefix + LORA_B, new long[] {rows, r}, false, TrainedTensor.Kind.LORA_B,
        new float[rows * r]);
    SDVariable v = w.add(bt.mmul(at).mul(adapter.scaling()));
    if (!dora) {
      return v;
    }
    float[] norms = new float[rows];
    for (int o = 0; o < rows; o++) {
      double ss = 0;
      for (int j = 0; j < cols; j++) {
        ss += (double) seedW[o * cols + j] * seedW[o * cols + j];
      }
      norms[o] = (float) Math.sqrt(ss);
    }
    // a trained vector like a bias (not a BETA: those are the per-layer scalars ModelGraph.betas reports)
    SDVariable m = trainedVar(prefix + DORA_M, new long[] {rows}, false, TrainedTensor.Kind.BIAS, norms);
    SDVariable norm = sd.math().sqrt(v.mul(v).sum(true, 1)); // [rows, 1]
    return v.div(norm).mul(m.reshape(rows, 1));
  }

  /** A frozen (adapter mode) or trained (full mode) bias {@code prefix.bias} [d] from the backbone. */
  public SDVariable backboneBias(String prefix, int d) {
    String bName = prefix + ".bias";
    modelParams += d;
    if (full || adapter.trainBias()) {
      return trainedVar(bName, new long[] {d}, false, TrainedTensor.Kind.BIAS, backbone.get(bName));
    }
    frozenParams += d;
    return sd.constant(bName, NdArrays.of(backbone.get(bName), d));
  }

  /**
   * Closes an adapted block whose input {@code in} has per-sample shape {@code inShape} and whose output
   * {@code out} has {@code outShape} ([features] or [channels, height, width]): adds {@code in} when the adapter
   * config asks for a residual and the shapes agree, then a trained LayerNorm over each sample's values when it
   * asks for one (gain and bias per feature or per channel, {@code prefix.ln.gain|bias}, shared when the same prefix
   * closes several blocks, as the steps of a recurrent unroll do). Without either switch it returns {@code out}
   * unchanged, so families call it after every block.
   */
  public SDVariable closeBlock(String prefix, SDVariable in, int[] inShape, SDVariable out, int[] outShape) {
    SDVariable y = out;
    boolean residual = adapter.residual() && java.util.Arrays.equals(inShape, outShape);
    if (residual || adapter.layerNorm()) {
      plan.add(new LayerStep.Close(prefix, residual, adapter.layerNorm()));
    }
    if (residual) {
      y = y.add(in);
    }
    if (adapter.layerNorm()) {
      int channels = outShape[0];
      SDVariable gain;
      SDVariable bias;
      if (sd.hasVariable(prefix + LN_GAIN)) { // a block applied again with shared weights (a recurrent step)
        gain = sd.getVariable(prefix + LN_GAIN);
        bias = sd.getVariable(prefix + LN_BIAS);
      } else {
        modelParams += 2L * channels;
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        gain = trainedVar(prefix + LN_GAIN, new long[] {channels}, false, TrainedTensor.Kind.WEIGHT, ones);
        bias = trainedVar(prefix + LN_BIAS, new long[] {channels}, false, TrainedTensor.Kind.BIAS,
            new float[channels]);
      }
      int[] dims = new int[outShape.length];
      long[] bshape = new long[outShape.length + 1];
      bshape[0] = 1;
      bshape[1] = channels;
      for (int d = 0; d < outShape.length; d++) {
        dims[d] = d + 1;
        if (d > 0) {
          bshape[d + 1] = 1;
        }
      }
      SDVariable mean = y.mean(true, dims);
      SDVariable centred = y.sub(mean);
      SDVariable var = centred.mul(centred).mean(true, dims);
      y = centred.div(sd.math().sqrt(var.add(NORM_EPS))).mul(gain.reshape(bshape)).add(bias.reshape(bshape));
    }
    return y;
  }

  /**
   * BatchNorm over the channels of an NCHW tensor, scale and shift trained in full ({@code prefix.bn.gamma|shift}):
   * batch statistics while training, running statistics ({@code prefix.bn.mean|var}) at inference. The running
   * statistics are not trained by gradient: {@link ModelGraph#calibrate} averages the batch statistics of the
   * current weights over training data (the "precise BN" estimate), and the trainer calls it before every
   * validation, so a saved model carries statistics that match its weights exactly.
   */
  public SDVariable batchNorm(String prefix, SDVariable x, int channels) {
    plan.add(new LayerStep.BatchNorm(prefix, channels));
    modelParams += 2L * channels;
    float[] ones = new float[channels];
    java.util.Arrays.fill(ones, 1f);
    SDVariable gamma = trainedVar(prefix + BN_GAMMA, new long[] {channels}, false, TrainedTensor.Kind.WEIGHT, ones);
    SDVariable shift = trainedVar(prefix + BN_SHIFT, new long[] {channels}, false, TrainedTensor.Kind.BIAS,
        new float[channels]);
    SDVariable runMean = statistic(prefix + BN_MEAN, channels, new float[channels]);
    SDVariable runVar = statistic(prefix + BN_VAR, channels, ones);
    SDVariable batchMean = sd.mean(prefix + ".bn.batch_mean", x, false, 0, 2, 3);
    SDVariable centred = x.sub(batchMean.reshape(1, channels, 1, 1));
    SDVariable batchVar = sd.mean(prefix + ".bn.batch_var", centred.mul(centred), false, 0, 2, 3);
    statistics.add(new ModelGraph.Statistic(prefix + BN_MEAN, batchMean.name(), prefix + BN_VAR, batchVar.name()));
    SDVariable t = trainingMode();
    SDVariable rest = t.rsub(1.0);
    SDVariable mean = batchMean.mul(t).add(runMean.mul(rest));
    SDVariable var = batchVar.mul(t).add(runVar.mul(rest));
    SDVariable norm = x.sub(mean.reshape(1, channels, 1, 1))
        .div(sd.math().sqrt(var.add(NORM_EPS)).reshape(1, channels, 1, 1));
    return norm.mul(gamma.reshape(1, channels, 1, 1)).add(shift.reshape(1, channels, 1, 1));
  }

  /** The scalar training mode (1 training, 0 inference), from a [batch, 1] placeholder made on first use. */
  private SDVariable trainingMode() {
    if (trainingMode == null) {
      SDVariable ph = sd.placeHolder(TRAINING, DataType.FLOAT, -1, 1);
      dropouts.add(new DropoutSite(TRAINING, 1, 0, true));
      trainingMode = ph.mean();
    }
    return trainingMode;
  }

  /** A running statistic: a graph constant the trainer overwrites, saved and loaded with the trained tensors. */
  private SDVariable statistic(String name, int n, float[] init) {
    float[] v = initialTrained.getOrDefault(name, init);
    if (v.length != n) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + v.length + " values, its shape needs " + n);
    }
    trained.add(new TrainedTensor(name, new long[] {n}, false, TrainedTensor.Kind.STATISTIC));
    return sd.constant(name, NdArrays.of(v, n));
  }

  /** The graph being built, for families that add ops of their own. */
  public SameDiff sameDiff() {
    return sd;
  }

  /** A fully trained linear layer (a head) starting from {@code w} [dOut, dIn] and {@code b} [dOut]. */
  public SDVariable trainedLinear(String prefix, SDVariable x, int dIn, int dOut, float[] w, float[] b) {
    modelParams += (long) dIn * dOut + dOut;
    SDVariable wv = trainedVar(prefix + ".weight", new long[] {dOut, dIn}, true, TrainedTensor.Kind.WEIGHT, w);
    SDVariable bv = trainedVar(prefix + ".bias", new long[] {dOut}, false, TrainedTensor.Kind.BIAS, b);
    plan.add(headStep(prefix, dIn, dOut));
    return x.mmul(wv).add(bv);
  }

  /**
   * The plan step {@link #adaptedLinear} records for layer {@code prefix}: the one place its tensor names and
   * switches are decided, so that a loader can know a dense model's layers without building its graph.
   *
   * @param full the full-training baseline (weight and bias trained, no adapter)
   */
  public static LayerStep.Affine affineStep(String prefix, int dIn, int dOut, AdapterConfig adapter, boolean full) {
    String wName = prefix + ".weight";
    String bName = prefix + ".bias";
    if (full) {
      return new LayerStep.Affine(dIn, dOut, wName, true, bName, true, null, null, null, 0, null, false);
    }
    return new LayerStep.Affine(dIn, dOut, wName, false, bName, adapter.trainBias(),
        adapter.trainBeta() ? prefix + BETA : null, prefix + LORA_A, prefix + LORA_B, adapter.scaling(),
        adapter.dora() || adapter.dropout() <= 0 ? null : "mask." + prefix + ".lora_dropout", adapter.dora());
  }

  /** The plan step {@link #trainedLinear} records: a fully trained layer (a head). */
  public static LayerStep.Affine headStep(String prefix, int dIn, int dOut) {
    return new LayerStep.Affine(dIn, dOut, prefix + ".weight", true, prefix + ".bias", true, null, null, null, 0,
        null, false);
  }

  /**
   * Inverted dropout with a mask placeholder that the trainer fills from the project's generator (ND4J's
   * own random ops ignore seeds); inference feeds ones.
   */
  public SDVariable dropout(String site, SDVariable x, int width, double p) {
    if (p <= 0) {
      return x;
    }
    plan.add(new LayerStep.Dropout("mask." + site));
    return maskedInput(site, x, width, p);
  }

  private SDVariable maskedInput(String site, SDVariable x, int width, double p) {
    String name = "mask." + site;
    SDVariable mask = sd.placeHolder(name, DataType.FLOAT, -1, width);
    dropouts.add(new DropoutSite(name, width, p, false));
    return x.mul(mask);
  }

  /** Global average pooling of an NCHW tensor: [batch, channels]. */
  public SDVariable globalAveragePool(SDVariable x) {
    plan.add(new LayerStep.Pool());
    return x.mean(2, 3);
  }

  /** ReLU. */
  public SDVariable relu(SDVariable x) {
    plan.add(new LayerStep.Relu());
    return sd.nn.relu(x, 0.0);
  }

  /** Adds labels, softmax cross-entropy loss and probabilities; returns the finished graph. */
  public ModelGraph finish(SDVariable logits, int classes) {
    SDVariable named = logits.rename(LOGITS);
    SDVariable labels = sd.placeHolder(LABELS, DataType.FLOAT, -1, classes);
    sd.loss.softmaxCrossEntropy(LOSS, labels, named, null);
    sd.setLossVariables(LOSS);
    sd.nn.softmax(PROBS, named, 1);
    long trainedCount = 0;
    for (TrainedTensor t : trained) {
      trainedCount += t.kind() == TrainedTensor.Kind.STATISTIC ? 0 : t.size();
    }
    List<LayerStep> steps = planComplete && PlanEngine.chains(plan, inputFeatures, classes) ? List.copyOf(plan) : null;
    return new ModelGraph(sd, List.copyOf(trained), List.copyOf(dropouts), classes,
        new ParameterCounts(trainedCount, frozenParams, modelParams), steps, List.copyOf(statistics), adapter, full);
  }

  /** The Kaiming-uniform (a = sqrt 5) init of A, drawn from the adapter seed through the same generator. */
  private float[] loraAInit(String prefix, int r, int dIn) {
    TensorSpec spec = TensorSpec.of(prefix + LORA_A, new int[] {r, dIn}, InitSpec.parse("kaiming_uniform"));
    return Backbone.regenerate(adapter.initSeed(), List.of(spec), 1).get(spec.name());
  }

  private SDVariable trainedVar(String name, long[] shape, boolean transpose, TrainedTensor.Kind kind,
      float[] init) {
    float[] v = initialTrained.getOrDefault(name, init);
    TrainedTensor t = new TrainedTensor(name, shape, transpose && shape.length == 2, kind);
    if (v.length != t.size()) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + v.length + " values, its shape needs "
          + t.size());
    }
    trained.add(t);
    INDArray arr = t.transposed() ? transposed(v, (int) shape[0], (int) shape[1])
        : NdArrays.of(v, shape);
    return sd.var(name, arr);
  }

  /** A canonical [rows, cols] row-major matrix as a [cols, rows] c-order array. */
  static INDArray transposed(float[] v, int rows, int cols) {
    return NdArrays.ofTransposed(v, rows, cols);
  }


  /**
   * A dropout mask placeholder and its rate, or the training-mode flag (rate 0: ones while training); inference
   * feeds {@link #inferenceValue()}.
   */
  public record DropoutSite(String placeholder, int width, double rate, boolean trainingFlag) {
    /** What inference feeds: ones for a dropout mask (no dropout), zeros for the training flag. */
    public float inferenceValue() {
      return trainingFlag ? 0f : 1f;
    }

    /**
     * An inverted-dropout mask for {@code rows} rows of {@link #width} values (row-major): each value is
     * {@code 1 / (1 - rate)} with probability {@code 1 - rate}, else 0, drawn from the project's generator
     * ({@code Stream(seed, stream)}) rather than ND4J's random ops, which ignore seeds in places. The trainer and
     * the graph adapter both draw their masks here, so one stream name gives one mask wherever it is drawn.
     */
    public float[] draw(long seed, String stream, int rows) {
      int len = rows * width;
      long[] w = new long[len];
      new Stream(seed, stream).words(0, w, len);
      float keep = (float) (1 - rate);
      float inv = 1f / keep;
      float[] m = new float[len];
      for (int i = 0; i < len; i++) {
        m[i] = Stream.uniform(w[i]) < keep ? inv : 0f;
      }
      return m;
    }
  }

  /** Parameter counts of a built model. */
  public record ParameterCounts(long trainable, long frozen, long model) {
    /** trainable / model: the fraction the paper reports (adapters count against the full model's size). */
    public double fraction() {
      return model == 0 ? 0 : trainable / (double) model;
    }
  }

  /**
   * Marks the graph as using ops beyond {@link LayerStep}s: the trainer then runs SameDiff's own
   * backpropagation instead of the dense engine. Families with convolutions, attention and the like call it.
   */
  public void markNotDense() {
    planComplete = false;
  }
}
