package org.lottalora.models;

import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Gemm;
import org.lottalora.core.engine.NativeBlock;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Tensor;

/**
 * The merged inference path of a dense model: each adapted weight is folded once, in fp32, into
 * {@code W' = beta * W_seed + s * B A}, after which a layer is one matrix product and a bias, as in a plain
 * network. Immutable after construction: calls share only read-only arrays, so any number of threads may
 * predict at once without locks. Predictions equal the unmerged model's within float rounding. Its dense
 * state (every weight and bias, canonical [d_out, d_in] layout) is what the safetensors export writes.
 */
public final class MergedModel {
  /** Values regenerated and folded per chunk of the graph-free load (256 KB: stays in a core's cache). */
  private static final int CHUNK_VALUES = 1 << 16;
  private final int inputDim;
  private final int classes;
  private final Normalization normalization;
  private final List<Layer> layers;
  private Map<String, float[]> state; // null after a graph-free load until asked for (read back from native memory)

  /**
   * One affine layer: y = x W'^T + b, then ReLU if {@code relu}; {@code w} holds W' canonical [dOut, dIn] in native
   * memory, which OpenBLAS reads as it is (no copy or transpose per call, none at load).
   */
  private record Layer(String name, int dIn, int dOut, NativeBlock w, float[] bias, boolean relu) {
    static Layer of(String name, int dIn, int dOut, float[] w, float[] bias, boolean relu) {
      NativeBlock block = new NativeBlock().fit((long) dOut * dIn);
      block.buffer().put(0, w, 0, w.length);
      return new Layer(name, dIn, dOut, block, bias, relu);
    }
  }

  /**
   * One merged affine layer as plain arrays, for code that rebuilds the network elsewhere (the ANN-to-SNN
   * conversion): {@code y = W x + b}, then ReLU if {@code relu}.
   *
   * @param name layer prefix ({@code layers.0}, ..., {@code head})
   * @param weight W' canonical [dOut, dIn], row-major (a copy)
   * @param bias b [dOut] (a copy)
   */
  public record DenseLayer(String name, int dIn, int dOut, float[] weight, float[] bias, boolean relu) {}

  private MergedModel(int inputDim, int classes, Normalization normalization, List<Layer> layers,
      Map<String, float[]> state) {
    this.inputDim = inputDim;
    this.classes = classes;
    this.normalization = normalization;
    this.layers = layers;
    this.state = state;
  }

  static MergedModel of(LottaModel m) {
    return of(m, true);
  }

  /**
   * The model with every adapted weight's scaffold removed after training: {@code W' = s B A} (beta multiplies
   * a zero), biases and heads kept. The paper's "W_seed removed" ablation: how much of the function the
   * adapters carry on their own.
   */
  public static MergedModel withoutScaffold(LottaModel m) {
    return of(m, false);
  }

  private static MergedModel of(LottaModel m, boolean scaffold) {
    ModelGraph g = m.graph();
    if (g.densePlan() == null) {
      throw new IllegalArgumentException("a '" + m.spec().family() + "' model" + (m.spec().adapter().hasVariants()
          ? " with " + m.spec().adapter().variantName() : "") + " has no merged form (its graph uses layers beyond "
          + "affine and ReLU); predict without --merged, or export --format base");
    }
    Map<String, float[]> values = g.trainedValues();
    Backbone bb = m.backbone();
    Map<String, float[]> state = new LinkedHashMap<>();
    List<Layer> layers = new ArrayList<>();
    List<LayerStep> plan = g.densePlan();
    for (int i = 0; i < plan.size(); i++) {
      if (!(plan.get(i) instanceof LayerStep.Affine a)) {
        continue; // ReLU is attached to the layer before it; dropout is the identity at inference
      }
      float[] w = merge(a, values, bb, scaffold);
      float[] b = a.biasTrained() ? values.get(a.bias()) : bb.get(a.bias());
      boolean relu = i + 1 < plan.size() && (plan.get(i + 1) instanceof LayerStep.Relu);
      state.put(a.weight(), w);
      state.put(a.bias(), b.clone());
      layers.add(Layer.of(a.prefix(), a.dIn(), a.dOut(), w, b.clone(), relu));
    }
    return new MergedModel(m.spec().inputDim(), m.spec().classes(), m.normalization(), List.copyOf(layers),
        Collections.unmodifiableMap(state));
  }

  /**
   * Loads a dense model's artifact straight into its merged form, building no graph: each backbone tensor is
   * regenerated (on every core), checked against its fingerprint, folded into {@code W' = beta W + s B A} and
   * dropped before the next, so memory peaks near one copy of the model. Predicts as {@code LottaModel.load(path)
   * .merged()} does, bit for bit.
   *
   * @throws ArtifactException when the file is unreadable, damaged, foreign, or does not regenerate to the
   *     backbone it was saved with (the fingerprints are checked before anything is regenerated, and each tensor
   *     again once regenerated)
   * @throws IllegalArgumentException for a model without a merged form (DoRA, residual or LayerNorm blocks,
   *     families beyond the MLP and the single-layer classifier): load it with {@link LottaModel#load(Path)}
   */
  public static MergedModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /** {@link #load(Path)} under a trust policy: the signer is checked before the payload is parsed. */
  public static MergedModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** {@link #load(Path)} of a validated file; {@code where} names it in messages. */
  public static MergedModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    ModelSpec spec = ArtifactMapper.spec(a, where);
    ModelFamily family = Families.get(spec.family());
    List<LayerStep> plan;
    try {
      family.validate(spec);
      plan = family.densePlan(spec);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid model spec: " + e.getMessage());
    }
    if (plan == null) {
      throw new IllegalArgumentException(where + ": a '" + spec.family() + "' model"
          + (spec.adapter().hasVariants() ? " with " + spec.adapter().variantName() : "") + " has no merged form; "
          + "load it whole (LottaModel.load, or predict without --merged)");
    }
    List<TensorSpec> tensors;
    try {
      tensors = family.backboneTensors(spec);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.TOO_LARGE, where + ": its model spec cannot be built: " + e.getMessage());
    }
    LottaModel.checkAffordable(tensors, where, 1);
    BackboneRecord.checkBackboneRecords(a, tensors, where);
    BackboneRecord.precheckFingerprints(a, spec.seed(), tensors, where);
    Map<String, float[]> trained = ArtifactMapper.tensors(a, where);
    checkTrained(a, plan, spec, where);
    if (!spec.full() && !a.getAdaptersList().equals(ArtifactMapper.adapters(plan, spec.adapter()))) {
      throw new ArtifactException(Reason.MALFORMED, where + ": its adapter records (targets, ranks, scaling, "
          + "tensor names) disagree with its model spec");
    }
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    tensors.forEach(t -> specs.put(t.name(), t));
    int threads = Runtime.getRuntime().availableProcessors();
    float[] seedBuf = null; // a global family's tensor (made whole), then W' of it: reused layer after layer
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      if (!(plan.get(i) instanceof LayerStep.Affine step)) {
        continue;
      }
      int size = step.dIn() * step.dOut();
      NativeBlock w;
      if (step.weightTrained()) {
        w = fold(step, trained, trained.get(step.weight()).clone());
      } else if (specs.get(step.weight()).init().family().isGlobal()) {
        seedBuf = seedBuf != null && seedBuf.length >= size ? seedBuf : new float[size];
        Backbone.regenerateInto(spec.seed(), specs.get(step.weight()), seedBuf, threads);
        float[] values = size == seedBuf.length ? seedBuf : Arrays.copyOf(seedBuf, size);
        BackboneRecord.checkFingerprint(a, step.weight(), values, where);
        w = fold(step, trained, values);
      } else {
        w = streamWeight(a, spec.seed(), specs.get(step.weight()), step, trained, threads, where);
      }
      float[] b;
      if (step.biasTrained()) {
        b = trained.get(step.bias()).clone();
      } else {
        b = new float[step.dOut()];
        Backbone.regenerateInto(spec.seed(), specs.get(step.bias()), b, 1);
        BackboneRecord.checkFingerprint(a, step.bias(), b, where);
      }
      boolean relu = i + 1 < plan.size() && plan.get(i + 1) instanceof LayerStep.Relu;
      layers.add(new Layer(step.prefix(), step.dIn(), step.dOut(), w, b, relu));
    }
    return new MergedModel(spec.inputDim(), spec.classes(), ArtifactMapper.normalization(a, where),
        List.copyOf(layers), null);
  }

  /** W' of a weight held whole (trained, or a global init family's) in native memory: folded in place, then copied. */
  private static NativeBlock fold(LayerStep.Affine step, Map<String, float[]> trained, float[] w) {
    if (step.loraA() != null) {
      fold(step, trained, w, w);
    }
    NativeBlock block = new NativeBlock().fit(w.length);
    block.buffer().put(0, w, 0, w.length);
    return block;
  }

  /**
   * Regenerates an element-local backbone weight chunk by chunk on every core, folds each chunk's rows into
   * {@code W' = beta W + s B A} as {@link #foldRows} does for a whole weight, and writes them straight into native
   * memory: the weight never exists whole on the heap (peak memory near one copy of the model), no pass copies it
   * afterwards, and the first touch of the model's memory is spread over the cores. The fingerprint is checked on
   * values picked up on the way, so a tensor that does not regenerate as saved is refused as soon as it is made.
   */
  private static NativeBlock streamWeight(Artifact a, long seed, TensorSpec t, LayerStep.Affine step,
      Map<String, float[]> trained, int threads, String where) {
    int dIn = step.dIn();
    int dOut = step.dOut();
    NativeBlock block = new NativeBlock().fit((long) dIn * dOut);
    long[] at = BackboneRecord.fingerprintIndices((long) dIn * dOut);
    float[] sampled = new float[at.length];
    int rowsPerChunk = Math.max(1, CHUNK_VALUES / dIn);
    int chunks = (dOut + rowsPerChunk - 1) / rowsPerChunk;
    int workers = Math.min(threads, chunks);
    List<Runnable> jobs = new ArrayList<>();
    for (int k = 0; k < workers; k++) {
      final int first = k;
      jobs.add(() -> {
        float[] buf = new float[rowsPerChunk * dIn];
        for (int c = first; c < chunks; c += workers) {
          int row0 = c * rowsPerChunk;
          int rows = Math.min(rowsPerChunk, dOut - row0);
          long start = (long) row0 * dIn;
          int n = rows * dIn;
          org.lottalora.core.backbone.Initializer.fillSlice(seed, t, start, buf, 0, n);
          for (int s = 0; s < at.length; s++) {
            if (at[s] >= start && at[s] < start + n) {
              sampled[s] = buf[(int) (at[s] - start)];
            }
          }
          if (step.loraA() != null) {
            foldRows(step, trained, buf, 0, row0, row0 + rows, buf, 0);
          }
          block.buffer().put((int) start, buf, 0, n);
        }
      });
    }
    Backbone.runOnCores(jobs, workers);
    BackboneRecord.checkSampledFingerprint(a, t.name(), sampled, where);
    return block;
  }

  /** The trained tensors must be exactly the plan's, with its shapes: none missing, none extra. */
  private static void checkTrained(Artifact a, List<LayerStep> plan, ModelSpec spec, String where) {
    Map<String, long[]> expected = new LinkedHashMap<>();
    for (LayerStep s : plan) {
      if (s instanceof LayerStep.Affine f) {
        if (f.weightTrained()) {
          expected.put(f.weight(), new long[] {f.dOut(), f.dIn()});
        }
        if (f.biasTrained()) {
          expected.put(f.bias(), new long[] {f.dOut()});
        }
        if (f.beta() != null) {
          expected.put(f.beta(), new long[] {1});
        }
        if (f.loraA() != null) {
          int r = spec.adapter().effectiveRank(f.dIn(), f.dOut());
          expected.put(f.loraA(), new long[] {r, f.dIn()});
          expected.put(f.loraB(), new long[] {f.dOut(), r});
        }
      }
    }
    Map<String, Tensor> stored = new LinkedHashMap<>();
    a.getTensorsList().forEach(t -> stored.put(t.getName(), t));
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      Tensor t = stored.get(e.getKey());
      if (t == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": trained tensor '" + e.getKey() + "' is missing");
      }
      if (!java.util.Arrays.equals(e.getValue(), TensorCodec.shapeOf(t))) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": trained tensor '" + e.getKey() + "' has shape "
            + t.getShapeList() + ", the model needs " + java.util.Arrays.toString(e.getValue()));
      }
    }
    for (String name : stored.keySet()) {
      if (!expected.containsKey(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": tensor '" + name + "' is not part of this "
            + "model; the file does not match its own spec");
      }
    }
  }

  /**
   * A merged model from dense layers (each {@code y = W x + b}, then ReLU if asked): for a network read from a dense
   * file, such as the safetensors export, so that it predicts through the same code as a loaded artifact.
   */
  public static MergedModel ofDense(int inputDim, int classes, Normalization normalization, List<DenseLayer> dense) {
    List<Layer> layers = new ArrayList<>();
    int in = inputDim;
    for (DenseLayer d : dense) {
      if (d.dIn() != in || d.weight().length != d.dIn() * d.dOut() || d.bias().length != d.dOut()) {
        throw new IllegalArgumentException("layer '" + d.name() + "' does not chain: it takes " + d.dIn()
            + " inputs after a layer of " + in + ", with " + d.weight().length + " weights and " + d.bias().length
            + " biases");
      }
      layers.add(Layer.of(d.name(), d.dIn(), d.dOut(), d.weight(), d.bias().clone(), d.relu()));
      in = d.dOut();
    }
    if (in != classes) {
      throw new IllegalArgumentException("the last layer has " + in + " outputs, not " + classes + " classes");
    }
    return new MergedModel(inputDim, classes, normalization, List.copyOf(layers), null);
  }

  /**
   * {@code beta * W + s * B A} in fp32, canonical [dOut, dIn]; a trained weight as it is. Public for callers that
   * fold a weight seen as a matrix, such as a convolution kernel [out, in, k, k] as [out, in k k].
   *
   * @param values the graph's trained tensors by name
   * @param scaffold false to drop {@code beta * W_seed} (the "W_seed removed" ablation)
   */
  public static float[] merge(LayerStep.Affine a, Map<String, float[]> values, Backbone bb, boolean scaffold) {
    float[] w = (a.weightTrained() ? values.get(a.weight()) : bb.get(a.weight())).clone();
    if (a.loraA() == null) {
      return w;
    }
    float[] merged = new float[w.length];
    fold(a, values, scaffold ? w : null, merged);
    return merged;
  }

  /** {@code dest = beta w + s B A} for an adapted step, from the trained tensors (w null: {@code s B A} alone). */
  private static void fold(LayerStep.Affine a, Map<String, float[]> values, float[] w, float[] dest) {
    foldRows(a, values, w, 0, 0, a.dOut(), dest, 0);
  }

  /** {@link AdaptedDense#mergeRows} of an adapted step's rows, with its trained beta, scaling, A and B. */
  static void foldRows(LayerStep.Affine a, Map<String, float[]> values, float[] w, int wOff, int rowFrom, int rowTo,
      float[] dest, int destOff) {
    float beta = a.beta() == null ? 1f : values.get(a.beta())[0];
    float[] la = values.get(a.loraA()); // [r, dIn]
    AdaptedDense.mergeRows(w, wOff, beta, (float) a.scaling(), values.get(a.loraB()), la, a.dIn(), la.length / a.dIn(),
        rowFrom, rowTo, dest, destOff);
  }

  /** The number of input features. */
  public int inputDim() {
    return inputDim;
  }

  /** The number of classes. */
  public int classes() {
    return classes;
  }

  /** Class probabilities of one raw sample. */
  public float[] predict(float[] features) {
    return predict(new float[][] {features})[0];
  }

  /** Class probabilities of a batch of raw samples. */
  public float[][] predict(float[][] batch) {
    float[] x = Predictions.flatten(batch, inputDim);
    normalization.applyInPlace(x);
    return Predictions.rows(probabilities(x, batch.length), batch.length, classes);
  }

  /** The most probable class of every row of a raw dataset. */
  public int[] classify(Dataset raw) {
    if (raw.cols() != inputDim) {
      throw new IllegalArgumentException("the model takes " + inputDim + " features but dataset '" + raw.name()
          + "' has " + raw.cols());
    }
    Dataset d = raw.normalized(normalization);
    return ModelGraph.argMax(probabilities(d.features(), d.rows()), classes);
  }

  /** Accuracy on a raw dataset. */
  public double accuracy(Dataset raw) {
    return ModelGraph.accuracy(classify(raw), raw.labels());
  }

  private float[] probabilities(float[] x, int rows) {
    float[] out = new float[rows * classes];
    int chunk = 1024;
    for (int start = 0; start < rows; start += chunk) {
      int n = Math.min(chunk, rows - start);
      float[] h = java.util.Arrays.copyOfRange(x, start * inputDim, (start + n) * inputDim);
      for (Layer l : layers) {
        h = forward(l, h, n);
      }
      for (int r = 0; r < n; r++) {
        org.lottalora.core.engine.Softmax.into(h, r * classes, classes, out, (start + r) * classes);
      }
    }
    return out;
  }

  private static float[] forward(Layer l, float[] h, int n) {
    float[] y = new float[n * l.dOut()];
    Gemm.mm(false, true, n, l.dOut(), l.dIn(), 1f, h, l.w(), 0f, y); // x W'^T
    for (int r = 0; r < n; r++) {
      int off = r * l.dOut();
      for (int c = 0; c < l.dOut(); c++) {
        float v = y[off + c] + l.bias()[c];
        y[off + c] = l.relu() && v < 0 ? 0f : v;
      }
    }
    return y;
  }

  /**
   * The output of every hidden layer (after its activation) for the rows of a raw dataset, [rows, width]
   * row-major each, by layer name ({@code layers.0}, ...); the head's logits are not included.
   */
  public Map<String, float[]> hidden(Dataset raw) {
    Dataset d = raw.normalized(normalization);
    Map<String, float[]> out = new LinkedHashMap<>();
    float[] h = d.features();
    for (int i = 0; i < layers.size() - 1; i++) {
      h = forward(layers.get(i), h, d.rows());
      out.put(layers.get(i).name(), h);
    }
    return out;
  }

  /** The layers in order, input to head, as copies of their merged weights and biases. */
  public List<DenseLayer> layers() {
    List<DenseLayer> out = new ArrayList<>();
    for (Layer l : layers) {
      out.add(new DenseLayer(l.name(), l.dIn(), l.dOut(), l.w().read(0, l.dIn() * l.dOut()), l.bias().clone(),
          l.relu()));
    }
    return out;
  }

  /** Every weight and bias of the dense model, canonical layout, by name (read-only; do not modify). */
  public synchronized Map<String, float[]> state() {
    if (state == null) { // a graph-free load keeps only the native copy; read it back once
      Map<String, float[]> s = new LinkedHashMap<>();
      for (Layer l : layers) {
        s.put(l.name() + ".weight", l.w().read(0, l.dIn() * l.dOut()));
        s.put(l.name() + ".bias", l.bias().clone());
      }
      state = Collections.unmodifiableMap(s);
    }
    return state;
  }
}
