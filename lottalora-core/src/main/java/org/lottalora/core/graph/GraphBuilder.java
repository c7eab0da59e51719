package org.lottalora.core.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
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

  private final SameDiff sd = SameDiff.create();
  private final Backbone backbone;
  private final AdapterConfig adapter;
  private final boolean full;
  private final Map<String, float[]> initialTrained;
  private final List<TrainedTensor> trained = new ArrayList<>();
  private final List<DropoutSite> dropouts = new ArrayList<>();
  private final List<DenseStep> plan = new ArrayList<>();
  private boolean planComplete = true;
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
      plan.add(new DenseStep.Affine(dIn, dOut, wName, true, bName, true, null, null, null, 0, null));
      return x.mmul(w).add(b);
    }
    int r = adapter.rank();
    if (r > Math.min(dIn, dOut)) {
      throw new IllegalArgumentException("rank " + r + " is above min(d_in, d_out) = " + Math.min(dIn, dOut)
          + " of layer '" + prefix + "' (" + dIn + " -> " + dOut + "); use --rank <= " + Math.min(dIn, dOut));
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
    String adapterMask = null;
    if (adapter.dropout() > 0) {
      xa = maskedInput(prefix + ".lora_dropout", x, dIn, adapter.dropout());
      adapterMask = "mask." + prefix + ".lora_dropout";
    }
    plan.add(new DenseStep.Affine(dIn, dOut, wName, false, bName, adapter.trainBias(),
        adapter.trainBeta() ? prefix + BETA : null, prefix + LORA_A, prefix + LORA_B, adapter.scaling(),
        adapterMask));
    SDVariable lora = xa.mmul(at).mmul(bt).mul(adapter.scaling());
    return base.add(lora).add(b);
  }

  /**
   * A 2-D convolution (NCHW input, no bias: the Plain-N nets follow each with a trained BatchNorm) over the
   * backbone kernel {@code prefix.weight} [out, in, k, k] (the canonical layout; permuted for SameDiff in the graph).
   * Adapter mode: the kernel used is {@code beta W_seed + s reshape(B A, [out, in, k, k])} with A [r, in k k] and
   * B [out, r], so the adapter sees the kernel as the [out, in k k] matrix its fan-in rule implies; full mode trains
   * the kernel. Marks the graph as not dense (the dense engine has no convolutions).
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
   * {@code m * V / ||V||}, row-wise norms, with a trained magnitude {@code prefix.dora_m} [out] that starts at the
   * row norms of W (so training starts from the scaffold). The norm is differentiated exactly (PEFT detaches it to
   * save memory; at these sizes exact gradients cost nothing).
   */
  public SDVariable adaptedConv2d(String prefix, SDVariable x, int in, int out, int k, int stride, int pad,
      boolean dora) {
    markNotDense();
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
      int r = adapter.rank();
      if (r > Math.min(out, fan)) {
        throw new IllegalArgumentException("rank " + r + " is above min(out, in x k x k) = " + Math.min(out, fan)
            + " of convolution '" + prefix + "' (" + in + " -> " + out + ", " + k + "x" + k + "); use --rank <= "
            + Math.min(out, fan));
      }
      kernel = sd.constant(wName, NdArrays.of(backbone.get(wName), out, in, k, k));
      frozenParams += (long) out * fan;
      if (adapter.trainBeta()) {
        SDVariable beta = trainedVar(prefix + BETA, new long[] {1}, false, TrainedTensor.Kind.BETA,
            new float[] {1f});
        kernel = kernel.mul(beta);
      }
      SDVariable at = trainedVar(prefix + LORA_A, new long[] {r, fan}, false, TrainedTensor.Kind.LORA_A,
          loraAInit(prefix, r, fan));
      SDVariable bt = trainedVar(prefix + LORA_B, new long[] {out, r}, false, TrainedTensor.Kind.LORA_B,
          new float[out * r]);
      SDVariable delta = bt.mmul(at).mul(adapter.scaling()).reshape(out, in, k, k);
      kernel = kernel.add(delta);
      if (dora) {
        float[] w = backbone.get(wName);
        float[] norms = new float[out];
        for (int o = 0; o < out; o++) {
          double ss = 0;
          for (int j = 0; j < fan; j++) {
            ss += (double) w[o * fan + j] * w[o * fan + j];
          }
          norms[o] = (float) Math.sqrt(ss);
        }
        // a trained vector like a bias (not a BETA: those are the per-layer scalars ModelGraph.betas reports)
        SDVariable m = trainedVar(prefix + DORA_M, new long[] {out}, false, TrainedTensor.Kind.BIAS, norms);
        SDVariable v = kernel.reshape(out, fan);
        SDVariable norm = sd.math().sqrt(v.mul(v).sum(true, 1)); // [out, 1]
        kernel = v.div(norm).mul(m.reshape(out, 1)).reshape(out, in, k, k);
      }
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
    int r = adapter.rank();
    if (r > Math.min(dIn, dOut)) {
      throw new IllegalArgumentException("rank " + r + " is above min(d_in, d_out) = " + Math.min(dIn, dOut)
          + " of '" + prefix + "' (" + dIn + " -> " + dOut + "); use --rank <= " + Math.min(dIn, dOut));
    }
    SDVariable w = sd.constant(wName, NdArrays.of(backbone.get(wName), dOut, dIn));
    frozenParams += (long) dIn * dOut;
    if (adapter.trainBeta()) {
      w = w.mul(trainedVar(prefix + BETA, new long[] {1}, false, TrainedTensor.Kind.BETA, new float[] {1f}));
    }
    SDVariable at = trainedVar(prefix + LORA_A, new long[] {r, dIn}, false, TrainedTensor.Kind.LORA_A,
        loraAInit(prefix, r, dIn));
    SDVariable bt = trainedVar(prefix + LORA_B, new long[] {dOut, r}, false, TrainedTensor.Kind.LORA_B,
        new float[dOut * r]);
    return w.add(bt.mmul(at).mul(adapter.scaling()));
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

  /** The graph being built, for families that add ops of their own. */
  public SameDiff sameDiff() {
    return sd;
  }

  /** A fully trained linear layer (a head) starting from {@code w} [dOut, dIn] and {@code b} [dOut]. */
  public SDVariable trainedLinear(String prefix, SDVariable x, int dIn, int dOut, float[] w, float[] b) {
    modelParams += (long) dIn * dOut + dOut;
    SDVariable wv = trainedVar(prefix + ".weight", new long[] {dOut, dIn}, true, TrainedTensor.Kind.WEIGHT, w);
    SDVariable bv = trainedVar(prefix + ".bias", new long[] {dOut}, false, TrainedTensor.Kind.BIAS, b);
    plan.add(new DenseStep.Affine(dIn, dOut, prefix + ".weight", true, prefix + ".bias", true, null, null, null, 0,
        null));
    return x.mmul(wv).add(bv);
  }

  /**
   * Inverted dropout with a mask placeholder that the trainer fills from the project's generator (ND4J's
   * own random ops ignore seeds); inference feeds ones.
   */
  public SDVariable dropout(String site, SDVariable x, int width, double p) {
    if (p <= 0) {
      return x;
    }
    plan.add(new DenseStep.Dropout("mask." + site));
    return maskedInput(site, x, width, p);
  }

  private SDVariable maskedInput(String site, SDVariable x, int width, double p) {
    String name = "mask." + site;
    SDVariable mask = sd.placeHolder(name, DataType.FLOAT, -1, width);
    dropouts.add(new DropoutSite(name, width, p));
    return x.mul(mask);
  }

  /** ReLU. */
  public SDVariable relu(SDVariable x) {
    plan.add(new DenseStep.Relu());
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
      trainedCount += t.size();
    }
    return new ModelGraph(sd, List.copyOf(trained), List.copyOf(dropouts), classes,
        new ParameterCounts(trainedCount, frozenParams, modelParams), planComplete ? List.copyOf(plan) : null);
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


  /** A dropout mask placeholder and its rate. */
  public record DropoutSite(String placeholder, int width, double rate) {}

  /** Parameter counts of a built model. */
  public record ParameterCounts(long trainable, long frozen, long model) {
    /** trainable / model: the fraction the paper reports (adapters count against the full model's size). */
    public double fraction() {
      return model == 0 ? 0 : trainable / (double) model;
    }
  }

  /**
   * Marks the graph as using ops beyond {@link DenseStep}s: the trainer then runs SameDiff's own
   * backpropagation instead of the dense engine. Families with convolutions, attention and the like call it.
   */
  public void markNotDense() {
    planComplete = false;
  }
}
