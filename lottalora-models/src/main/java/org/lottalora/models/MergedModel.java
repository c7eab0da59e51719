package org.lottalora.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The merged inference path of a dense model: each adapted weight is folded once, in fp32, into
 * {@code W' = beta * W_seed + s * B A}, after which a layer is one matrix product and a bias, as in a plain
 * network. Immutable after construction: calls share only read-only arrays, so any number of threads may
 * predict at once without locks. Predictions equal the unmerged model's within float rounding. Its dense
 * state (every weight and bias, canonical [d_out, d_in] layout) is what the safetensors export writes.
 */
public final class MergedModel {
  private final int inputDim;
  private final int classes;
  private final Normalization normalization;
  private final List<Layer> layers;
  private final Map<String, float[]> state;

  /** One affine layer: y = x W'^T + b, then ReLU if {@code relu}; {@code w} is W' canonical [dOut, dIn]. */
  private record Layer(String name, int dIn, int dOut, float[] w, INDArray wT, float[] bias, boolean relu) {}

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
      String name = a.weight().endsWith(".weight") ? a.weight().substring(0, a.weight().length() - 7) : a.weight();
      layers.add(new Layer(name, a.dIn(), a.dOut(), w, NdArrays.ofTransposed(w, a.dOut(), a.dIn()), b.clone(), relu));
    }
    return new MergedModel(m.spec().inputDim(), m.spec().classes(), m.normalization(), List.copyOf(layers),
        Collections.unmodifiableMap(state));
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
    float beta = a.beta() == null ? 1f : values.get(a.beta())[0];
    float[] la = values.get(a.loraA()); // [r, dIn]
    float[] lb = values.get(a.loraB()); // [dOut, r]
    float[] merged = new float[w.length];
    org.lottalora.core.engine.AdaptedDense.merge(scaffold ? w : null, beta, (float) a.scaling(), lb, la, a.dOut(),
        a.dIn(), la.length / a.dIn(), merged);
    return merged;
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
    float[] y = NdArrays.read(NdArrays.of(h, n, l.dIn()).mmul(l.wT()));
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
      out.add(new DenseLayer(l.name(), l.dIn(), l.dOut(), l.w().clone(), l.bias().clone(), l.relu()));
    }
    return out;
  }

  /** Every weight and bias of the dense model, canonical layout, by name (read-only; do not modify). */
  public Map<String, float[]> state() {
    return state;
  }
}
