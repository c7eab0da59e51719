package org.lottalora.models.graph;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.SoftmaxCrossEntropy;

/**
 * A graph convolutional network (Kipf and Welling) for node classification over a frozen random scaffold, with
 * forward and backward written by hand on plain arrays: M2.1's {@code gather} backward is wrong for repeated
 * indices (see {@link GcnAggregation}), and the propagation's gradient is the same symmetric sparse product.
 * Hidden layer l computes {@code H_l = relu(A_hat H_(l-1) W_l'^T + b_l)} with the adapted weight
 * {@code W_l' = beta_l W_seed + s B_l A_l} (A Kaiming-uniform from the adapter seed, B zero, beta 1; the bias frozen
 * from the seed), or a fully trained W_l in full mode; a trained linear head maps the last hidden layer to classes.
 * Backbone tensors: {@code gcn.<l>.weight} [out, in] and {@code gcn.<l>.bias}; head {@code head.weight|bias}.
 */
public final class GcnNetwork {
  /**
   * The network's shape and training mode.
   *
   * @param inputDim node feature size
   * @param hidden hidden widths (one GCN layer each)
   * @param classes output classes
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings (rank, alpha, beta)
   * @param full train every weight instead of adapters
   */
  public record Spec(int inputDim, int[] hidden, int classes, long seed, InitSpec init, AdapterConfig adapter,
      boolean full) {
    /** Validates. */
    public Spec {
      if (inputDim < 1 || classes < 2 || hidden.length == 0) {
        throw new IllegalArgumentException("a GCN needs input features, at least one hidden layer and 2+ classes");
      }
      for (int h : hidden) {
        if (h < 1) {
          throw new IllegalArgumentException("hidden widths must be >= 1");
        }
      }
    }
  }

  private final Spec spec;
  private final GcnAggregation agg;
  private final AdaptedDense[] dense;
  private final org.lottalora.core.engine.BlockClose[] closes;
  private org.lottalora.core.engine.BlockClose.Cache[] caches;
  private final Param headW;
  private final Param headB;
  private final List<Param> params = new ArrayList<>();
  private float[][][] aggregated;
  private float[][][] z;
  private float[][] last;

  /** Builds the network for graph {@code g} (its propagation is precomputed). */
  public GcnNetwork(Spec spec, Graph g) {
    this(spec, g, java.util.Map.of());
  }

  /** Builds the network for graph {@code g}; {@code trained} values (a loaded model) replace the fresh ones. */
  public GcnNetwork(Spec spec, Graph g, java.util.Map<String, float[]> trained) {
    if (g.dims() != spec.inputDim()) {
      throw new IllegalArgumentException(g.name() + " has " + g.dims() + " features per node, the network takes "
          + spec.inputDim());
    }
    this.spec = spec;
    this.agg = new GcnAggregation(g);
    Backbone bb = Backbone.regenerate(spec.seed(), tensors(spec), 1);
    dense = new AdaptedDense[spec.hidden().length];
    closes = new org.lottalora.core.engine.BlockClose[dense.length];
    for (int l = 0; l < dense.length; l++) {
      int in = l == 0 ? spec.inputDim() : spec.hidden()[l - 1];
      dense[l] = new AdaptedDense("gcn." + l, in, spec.hidden()[l], bb, spec.adapter(), spec.full(), params);
      closes[l] = new org.lottalora.core.engine.BlockClose("gcn." + l, in, spec.hidden()[l], spec.adapter(), params);
    }
    headW = new Param("head.weight", bb.get("head.weight").clone());
    headB = new Param("head.bias", bb.get("head.bias").clone());
    params.add(headW);
    params.add(headB);
    restore(trained);
  }

  /**
   * Logits [nodes][classes] of every node for features x [nodes][dims]; keeps what backward needs. Layer l is
   * computed as {@code (A_hat H) W'^T + b}, equal to {@code A_hat (H W'^T) + b} by linearity, so the adapted layer
   * is an ordinary {@link AdaptedDense} applied to the propagated features.
   */
  public float[][] forward(float[][] x) {
    int layers = dense.length;
    aggregated = new float[layers][][];
    z = new float[layers][][];
    caches = new org.lottalora.core.engine.BlockClose.Cache[layers];
    float[][] h = x;
    for (int l = 0; l < layers; l++) {
      dense[l].refresh(); // trained() hands out live arrays: a caller may have changed them since the last step
      aggregated[l] = agg.apply(h);
      z[l] = dense[l].forward(aggregated[l]);
      float[][] next = new float[z[l].length][];
      for (int n = 0; n < next.length; n++) {
        next[n] = new float[z[l][n].length];
        for (int o = 0; o < next[n].length; o++) {
          next[n][o] = Math.max(0, z[l][n][o]);
        }
      }
      caches[l] = new org.lottalora.core.engine.BlockClose.Cache();
      h = closes[l].forward(h, next, caches[l]);
    }
    last = h;
    int d = spec.hidden()[layers - 1];
    float[][] logits = new float[h.length][spec.classes()];
    for (int n = 0; n < h.length; n++) {
      for (int c = 0; c < spec.classes(); c++) {
        double acc = headB.v[c];
        for (int j = 0; j < d; j++) {
          acc += headW.v[c * d + j] * h[n][j];
        }
        logits[n][c] = (float) acc;
      }
    }
    return logits;
  }

  /**
   * Mean softmax cross-entropy over the nodes in {@code mask}, and (after {@link #forward}) the gradient of every
   * trained array.
   */
  public double backward(float[][] logits, int[] labels, boolean[] mask) {
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    int nodes = logits.length;
    int k = spec.classes();
    int d = spec.hidden()[dense.length - 1];
    float[][] dh = new float[nodes][d];
    int[] counted = new int[nodes];
    for (int n = 0; n < nodes; n++) {
      counted[n] = mask[n] ? labels[n] : -1;
    }
    float[] dz = new float[nodes * k];
    double loss = SoftmaxCrossEntropy.of(org.lottalora.core.engine.Blas.flat(logits, k), k, counted, null, dz)
        .loss();
    for (int n = 0; n < nodes; n++) {
      if (!mask[n]) {
        continue;
      }
      for (int c = 0; c < k; c++) {
        float g = dz[n * k + c];
        headB.g[c] += g;
        for (int j = 0; j < d; j++) {
          headW.g[c * d + j] += g * last[n][j];
          dh[n][j] += g * headW.v[c * d + j];
        }
      }
    }
    for (int l = dense.length - 1; l >= 0; l--) {
      float[][][] split = closes[l].backward(dh, caches[l]);
      dh = split[0];
      for (int n = 0; n < nodes; n++) {
        for (int o = 0; o < dh[n].length; o++) {
          if (z[l][n][o] <= 0) {
            dh[n][o] = 0;
          }
        }
      }
      dh = agg.apply(dense[l].accumulate(dh, aggregated[l])); // A_hat is symmetric: its transpose is itself
      if (split[1] != null) { // the residual's path to the block input
        for (int n = 0; n < nodes; n++) {
          for (int j = 0; j < dh[n].length; j++) {
            dh[n][j] += split[1][n][j];
          }
        }
      }
    }
    for (AdaptedDense a : dense) {
      a.finish();
    }
    return loss;
  }

  /** The trained arrays with their Adam moments (live), in declaration order. */
  public java.util.List<org.lottalora.core.engine.Param> params() {
    return params;
  }

  /** One Adam step (decoupled weight decay {@code wd} by the rule of core.train.WeightDecay) over every trained array. */
  public void adam(double lr, double wd, int step) {
    Adam.step(params, lr, wd, step); // forward recomputes the effective weights
  }

  /** Sets the trained arrays to {@code values} (e.g. the best epoch's snapshot). */
  public void restore(java.util.Map<String, float[]> values) {
    load(params, values);
    for (AdaptedDense d : dense) {
      d.refresh();
    }
  }

  /** The network's shape. */
  public Spec spec() {
    return spec;
  }

  /** The backbone tensors of a GCN of this shape (the head's initial values included). */
  public static List<TensorSpec> tensors(Spec spec) {
    List<TensorSpec> ts = new ArrayList<>();
    int d = spec.inputDim();
    for (int l = 0; l < spec.hidden().length; l++) {
      ts.add(TensorSpec.of("gcn." + l + ".weight", new int[] {spec.hidden()[l], d}, spec.init()));
      ts.add(TensorSpec.bias("gcn." + l + ".bias", spec.hidden()[l], d, InitSpec.parse("uniform")));
      d = spec.hidden()[l];
    }
    ts.add(TensorSpec.of("head.weight", new int[] {spec.classes(), d}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("head.bias", spec.classes(), d, InitSpec.parse("uniform")));
    return ts;
  }

  private Param add(Param p) {
    params.add(p);
    return p;
  }

  /** Every trained array by name (live). */
  public java.util.Map<String, float[]> trained() {
    return byName(params, p -> p.v);
  }

  /** Gradients of the last backward by name (live). */
  java.util.Map<String, float[]> gradients() {
    return byName(params, p -> p.g);
  }

  /** Overwrites the values of {@code params} named in {@code values} (a loaded model), checking sizes. */
  static void load(List<Param> params, java.util.Map<String, float[]> values) {
    for (Param p : params) {
      float[] v = values.get(p.name);
      if (v == null) {
        continue;
      }
      if (v.length != p.v.length) {
        throw new IllegalArgumentException("tensor '" + p.name + "' has " + v.length + " values, the model needs "
            + p.v.length);
      }
      System.arraycopy(v, 0, p.v, 0, v.length);
    }
  }

  static java.util.Map<String, float[]> byName(List<Param> params, java.util.function.Function<Param, float[]> f) {
    java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
    for (Param p : params) {
      m.put(p.name, f.apply(p));
    }
    return m;
  }

  /** Trained values over the network's size: adapters, betas and head against every weight and bias. */
  public double trainableFraction() {
    long t = 0;
    for (Param p : params) {
      t += p.v.length;
    }
    long all = (long) headW.v.length + headB.v.length;
    for (AdaptedDense d : dense) {
      all += d.modelValues();
    }
    return t / (double) all;
  }

  /** Learned beta per layer (1 in full mode or with beta fixed). */
  public float[] betas() {
    float[] v = new float[dense.length];
    for (int l = 0; l < dense.length; l++) {
      v[l] = dense[l].beta();
    }
    return v;
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    java.util.Collections.addAll(layers, dense);
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, () -> { });
  }
}
