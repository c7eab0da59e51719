package org.lottalora.models.graph;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.graph.Graph;

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
        if (!full && adapter.rank() > h) {
          throw new IllegalArgumentException("rank " + adapter.rank() + " is above a hidden width of " + h);
        }
      }
    }
  }

  private final Spec spec;
  private final GcnAggregation agg;
  private final int layers;
  private final int[] in;
  private final int[] out;
  private final float[][] wSeed;
  private final float[][] bias;
  private final org.lottalora.models.engine.Param[] w;
  private final org.lottalora.models.engine.Param[] a;
  private final org.lottalora.models.engine.Param[] b;
  private final org.lottalora.models.engine.Param[] beta;
  private final org.lottalora.models.engine.Param headW;
  private final org.lottalora.models.engine.Param headB;
  private final List<org.lottalora.models.engine.Param> params = new ArrayList<>();
  private float[][][] h;
  private float[][][] z;
  private float[][] weff;

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
    this.layers = spec.hidden().length;
    in = new int[layers];
    out = new int[layers];
    for (int l = 0; l < layers; l++) {
      in[l] = l == 0 ? spec.inputDim() : spec.hidden()[l - 1];
      out[l] = spec.hidden()[l];
    }
    List<TensorSpec> ts = tensors(spec);
    Backbone bb = Backbone.regenerate(spec.seed(), ts, 1);
    wSeed = new float[layers][];
    bias = new float[layers][];
    w = new org.lottalora.models.engine.Param[layers];
    a = new org.lottalora.models.engine.Param[layers];
    b = new org.lottalora.models.engine.Param[layers];
    beta = new org.lottalora.models.engine.Param[layers];
    int r = spec.adapter().rank();
    for (int l = 0; l < layers; l++) {
      wSeed[l] = bb.get("gcn." + l + ".weight");
      bias[l] = bb.get("gcn." + l + ".bias");
      if (spec.full()) {
        w[l] = add(new org.lottalora.models.engine.Param("gcn." + l + ".weight", wSeed[l].clone()));
      } else {
        TensorSpec as = TensorSpec.of("gcn." + l + ".lora_A", new int[] {r, in[l]}, InitSpec.parse("kaiming_uniform"));
        a[l] = add(new org.lottalora.models.engine.Param(as.name(), Backbone.regenerate(spec.adapter().initSeed(), List.of(as), 1).get(as.name())));
        b[l] = add(new org.lottalora.models.engine.Param("gcn." + l + ".lora_B", new float[out[l] * r]));
        if (spec.adapter().trainBeta()) {
          beta[l] = add(new org.lottalora.models.engine.Param("gcn." + l + ".beta", new float[] {1f}));
        }
      }
    }
    headW = add(new org.lottalora.models.engine.Param("head.weight", bb.get("head.weight").clone()));
    headB = add(new org.lottalora.models.engine.Param("head.bias", bb.get("head.bias").clone()));
    load(params, trained);
  }

  /** Sets the trained arrays to {@code values} (e.g. the best epoch's snapshot). */
  public void restore(java.util.Map<String, float[]> values) {
    load(params, values);
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

  private org.lottalora.models.engine.Param add(org.lottalora.models.engine.Param p) {
    params.add(p);
    return p;
  }

  /** The effective weight of layer l [out][in], row-major. */
  float[] effective(int l) {
    if (spec.full()) {
      return w[l].v;
    }
    int r = spec.adapter().rank();
    float s = (float) spec.adapter().scaling();
    float bt = beta[l] == null ? 1f : beta[l].v[0];
    float[] e = new float[out[l] * in[l]];
    for (int o = 0; o < out[l]; o++) {
      for (int i = 0; i < in[l]; i++) {
        double ba = 0;
        for (int q = 0; q < r; q++) {
          ba += b[l].v[o * r + q] * a[l].v[q * in[l] + i];
        }
        e[o * in[l] + i] = (float) (bt * wSeed[l][o * in[l] + i] + s * ba);
      }
    }
    return e;
  }

  /** Logits [nodes][classes] of every node for features x [nodes][dims]; keeps what backward needs. */
  public float[][] forward(float[][] x) {
    h = new float[layers + 1][][];
    z = new float[layers][][];
    weff = new float[layers][];
    h[0] = x;
    for (int l = 0; l < layers; l++) {
      weff[l] = effective(l);
      float[][] zl = agg.apply(times(h[l], weff[l], out[l], in[l]));
      float[][] hl = new float[zl.length][out[l]];
      for (int n = 0; n < zl.length; n++) {
        for (int o = 0; o < out[l]; o++) {
          zl[n][o] += bias[l][o];
          hl[n][o] = Math.max(0, zl[n][o]);
        }
      }
      z[l] = zl;
      h[l + 1] = hl;
    }
    float[][] logits = times(h[layers], headW.v, spec.classes(), out[layers - 1]);
    for (float[] row : logits) {
      for (int c = 0; c < row.length; c++) {
        row[c] += headB.v[c];
      }
    }
    return logits;
  }

  /**
   * Mean softmax cross-entropy over the nodes in {@code mask}, and (after {@link #forward}) the gradient of every
   * trained array.
   */
  public double backward(float[][] logits, int[] labels, boolean[] mask) {
    for (org.lottalora.models.engine.Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    int nodes = logits.length;
    int k = spec.classes();
    int count = 0;
    for (boolean m : mask) {
      count += m ? 1 : 0;
    }
    double loss = 0;
    float[][] dl = new float[nodes][k];
    for (int n = 0; n < nodes; n++) {
      if (!mask[n]) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (float v : logits[n]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (float v : logits[n]) {
        sum += Math.exp(v - max);
      }
      loss += -(logits[n][labels[n]] - max - Math.log(sum));
      for (int c = 0; c < k; c++) {
        dl[n][c] = (float) ((Math.exp(logits[n][c] - max) / sum - (c == labels[n] ? 1 : 0)) / count);
      }
    }
    int last = out[layers - 1];
    float[][] dh = new float[nodes][last];
    for (int n = 0; n < nodes; n++) {
      for (int c = 0; c < k; c++) {
        float g = dl[n][c];
        if (g == 0) {
          continue;
        }
        headB.g[c] += g;
        for (int j = 0; j < last; j++) {
          headW.g[c * last + j] += g * h[layers][n][j];
          dh[n][j] += g * headW.v[c * last + j];
        }
      }
    }
    for (int l = layers - 1; l >= 0; l--) {
      for (int n = 0; n < nodes; n++) {
        for (int o = 0; o < out[l]; o++) {
          if (z[l][n][o] <= 0) {
            dh[n][o] = 0;
          }
        }
      }
      float[][] dxw = agg.apply(dh); // A_hat is symmetric: its transpose is itself
      float[] dw = new float[out[l] * in[l]];
      float[][] dprev = new float[nodes][in[l]];
      for (int n = 0; n < nodes; n++) {
        for (int o = 0; o < out[l]; o++) {
          float g = dxw[n][o];
          if (g == 0) {
            continue;
          }
          for (int i = 0; i < in[l]; i++) {
            dw[o * in[l] + i] += g * h[l][n][i];
            dprev[n][i] += g * weff[l][o * in[l] + i];
          }
        }
      }
      adapterGradients(l, dw);
      dh = dprev;
    }
    return loss / Math.max(1, count);
  }

  private void adapterGradients(int l, float[] dw) {
    if (spec.full()) {
      System.arraycopy(dw, 0, w[l].g, 0, dw.length);
      return;
    }
    int r = spec.adapter().rank();
    float s = (float) spec.adapter().scaling();
    if (beta[l] != null) {
      double g = 0;
      for (int i = 0; i < dw.length; i++) {
        g += dw[i] * wSeed[l][i];
      }
      beta[l].g[0] = (float) g;
    }
    for (int o = 0; o < out[l]; o++) {
      for (int q = 0; q < r; q++) {
        double gb = 0;
        for (int i = 0; i < in[l]; i++) {
          gb += dw[o * in[l] + i] * a[l].v[q * in[l] + i];
          a[l].g[q * in[l] + i] += s * b[l].v[o * r + q] * dw[o * in[l] + i];
        }
        b[l].g[o * r + q] = (float) (s * gb);
      }
    }
  }

  /** One Adam step (decoupled weight decay {@code wd} on the head weight only) over every trained array. */
  public void adam(double lr, double wd, int step) {
    org.lottalora.models.engine.Adam.step(params, lr, wd, step, java.util.Set.of(headW));
  }

  private static float[][] times(float[][] x, float[] wt, int rows, int cols) {
    float[][] y = new float[x.length][rows];
    for (int n = 0; n < x.length; n++) {
      float[] xn = x[n];
      for (int o = 0; o < rows; o++) {
        double acc = 0;
        int off = o * cols;
        for (int i = 0; i < cols; i++) {
          acc += xn[i] * wt[off + i];
        }
        y[n][o] = (float) acc;
      }
    }
    return y;
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
  static void load(List<org.lottalora.models.engine.Param> params, java.util.Map<String, float[]> values) {
    for (org.lottalora.models.engine.Param p : params) {
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

  static java.util.Map<String, float[]> byName(List<org.lottalora.models.engine.Param> params, java.util.function.Function<org.lottalora.models.engine.Param, float[]> f) {
    java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
    for (org.lottalora.models.engine.Param p : params) {
      m.put(p.name, f.apply(p));
    }
    return m;
  }

  /** Trained values over the network's size: adapters, betas and head against every weight and bias. */
  public double trainableFraction() {
    long t = 0;
    for (org.lottalora.models.engine.Param p : params) {
      t += p.v.length;
    }
    long all = (long) headW.v.length + headB.v.length;
    for (int l = 0; l < layers; l++) {
      all += (long) out[l] * in[l] + out[l];
    }
    return t / (double) all;
  }

  /** Learned beta per layer (1 in full mode or with beta fixed). */
  public float[] betas() {
    float[] v = new float[layers];
    for (int l = 0; l < layers; l++) {
      v[l] = beta[l] == null ? 1f : beta[l].v[0];
    }
    return v;
  }
}
