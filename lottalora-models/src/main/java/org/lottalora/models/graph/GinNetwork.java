package org.lottalora.models.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.engine.SoftmaxCrossEntropy;

/**
 * A graph isomorphism network (Xu et al. 2019, GIN-0) for graph classification over a frozen random scaffold, forward
 * and backward by hand on plain arrays (as {@link GcnNetwork}, for the same M2.1 gather bug). Layer l computes
 * {@code H_l = MLP_l(H_(l-1) + A H_(l-1))}, the sum over each node's neighbours without normalisation, with the
 * two-layer ReLU MLP {@code gin.<l>.0} (in -> hidden) and {@code gin.<l>.1} (hidden -> hidden), both adapted layers
 * ({@link org.lottalora.core.engine.AdaptedDense}); a graph's vector is the sum of its nodes' last states, and a trained head maps it to
 * classes. The sum costs the edges: no N x N matrix exists. Backbone tensors {@code gin.<l>.<0|1>.weight|bias},
 * head {@code head.weight|bias} (trained, initial values from the backbone seed).
 */
public final class GinNetwork {
  private final GcnNetwork.Spec spec;
  private final org.lottalora.core.engine.AdaptedDense[][] mlps;
  private final org.lottalora.core.engine.BlockClose[] closes;
  private final org.lottalora.core.engine.Param headW;
  private final org.lottalora.core.engine.Param headB;
  private final List<org.lottalora.core.engine.Param> params = new ArrayList<>();

  /** The backbone tensors of a GIN of this shape (the head's initial values included). */
  public static List<TensorSpec> tensors(GcnNetwork.Spec spec) {
    List<TensorSpec> ts = new ArrayList<>();
    int d = spec.inputDim();
    for (int l = 0; l < spec.hidden().length; l++) {
      int h = spec.hidden()[l];
      ts.addAll(org.lottalora.core.engine.AdaptedDense.tensors("gin." + l + ".0", d, h, spec.init()));
      ts.addAll(org.lottalora.core.engine.AdaptedDense.tensors("gin." + l + ".1", h, h, spec.init()));
      d = h;
    }
    ts.add(TensorSpec.of("head.weight", new int[] {spec.classes(), d}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("head.bias", spec.classes(), d, InitSpec.parse("uniform")));
    return ts;
  }

  /** Builds the network from its seed; {@code trained} values (a loaded model) replace the fresh ones. */
  public GinNetwork(GcnNetwork.Spec spec, Map<String, float[]> trained) {
    this.spec = spec;
    Backbone bb = Backbone.regenerate(spec.seed(), tensors(spec), 1);
    int layers = spec.hidden().length;
    mlps = new org.lottalora.core.engine.AdaptedDense[layers][2];
    closes = new org.lottalora.core.engine.BlockClose[layers];
    int d = spec.inputDim();
    for (int l = 0; l < layers; l++) {
      int h = spec.hidden()[l];
      mlps[l][0] = new org.lottalora.core.engine.AdaptedDense("gin." + l + ".0", d, h, bb, spec.adapter(), spec.full(), params);
      mlps[l][1] = new org.lottalora.core.engine.AdaptedDense("gin." + l + ".1", h, h, bb, spec.adapter(), spec.full(), params);
      closes[l] = new org.lottalora.core.engine.BlockClose("gin." + l, d, h, spec.adapter(), params);
      d = h;
    }
    headW = new org.lottalora.core.engine.Param("head.weight", bb.get("head.weight").clone());
    headB = new org.lottalora.core.engine.Param("head.bias", bb.get("head.bias").clone());
    params.add(headW);
    params.add(headB);
    GcnNetwork.load(params, trained);
    refresh();
  }

  /** Sets the trained arrays to {@code values} (e.g. the best epoch's snapshot). */
  public void restore(Map<String, float[]> values) {
    GcnNetwork.load(params, values);
    refresh();
  }

  /** The network's shape. */
  public GcnNetwork.Spec spec() {
    return spec;
  }

  private void refresh() {
    for (org.lottalora.core.engine.AdaptedDense[] mlp : mlps) {
      mlp[0].refresh();
      mlp[1].refresh();
    }
  }

  /** What one graph's forward pass keeps for its backward pass. */
  private static final class Pass {
    final List<float[][]> sums = new ArrayList<>();
    final List<float[][]> z0 = new ArrayList<>();
    final List<float[][]> u = new ArrayList<>();
    final List<float[][]> z1 = new ArrayList<>();
    final List<org.lottalora.core.engine.BlockClose.Cache> closes = new ArrayList<>();
    float[] pooled;
    float[] logits;
  }

  private static float[][] features(Graph g) {
    float[][] x = new float[g.nodes()][g.dims()];
    for (int i = 0; i < g.nodes(); i++) {
      System.arraycopy(g.features(), i * g.dims(), x[i], 0, g.dims());
    }
    return x;
  }

  /** h + A h: each node's state plus the sum of its neighbours'. A is symmetric, so this is its own transpose. */
  private static float[][] aggregate(Graph g, float[][] h) {
    float[][] s = new float[h.length][];
    for (int n = 0; n < h.length; n++) {
      float[] acc = h[n].clone();
      for (int e = g.rowStart()[n]; e < g.rowStart()[n + 1]; e++) {
        float[] nb = h[g.neighbours()[e]];
        for (int j = 0; j < acc.length; j++) {
          acc[j] += nb[j];
        }
      }
      s[n] = acc;
    }
    return s;
  }

  private static float[][] relu(float[][] z) {
    float[][] y = new float[z.length][];
    for (int n = 0; n < z.length; n++) {
      y[n] = new float[z[n].length];
      for (int j = 0; j < z[n].length; j++) {
        y[n][j] = Math.max(0, z[n][j]);
      }
    }
    return y;
  }

  private Pass forward(Graph g) {
    if (g.dims() != spec.inputDim()) {
      throw new IllegalArgumentException(g.name() + " has " + g.dims() + " features per node, the network takes "
          + spec.inputDim());
    }
    Pass p = new Pass();
    float[][] h = features(g);
    for (int l = 0; l < mlps.length; l++) {
      org.lottalora.core.engine.AdaptedDense[] mlp = mlps[l];
      float[][] s = aggregate(g, h);
      float[][] z0 = mlp[0].forward(s);
      float[][] u = relu(z0);
      float[][] z1 = mlp[1].forward(u);
      p.sums.add(s);
      p.z0.add(z0);
      p.u.add(u);
      p.z1.add(z1);
      org.lottalora.core.engine.BlockClose.Cache cache = new org.lottalora.core.engine.BlockClose.Cache();
      h = closes[l].forward(h, relu(z1), cache);
      p.closes.add(cache);
    }
    int d = h.length == 0 ? spec.hidden()[spec.hidden().length - 1] : h[0].length;
    float[] pooled = new float[d];
    for (float[] row : h) {
      for (int j = 0; j < d; j++) {
        pooled[j] += row[j];
      }
    }
    float[] logits = new float[spec.classes()];
    for (int c = 0; c < logits.length; c++) {
      double acc = headB.v[c];
      for (int j = 0; j < d; j++) {
        acc += headW.v[c * d + j] * pooled[j];
      }
      logits[c] = (float) acc;
    }
    p.pooled = pooled;
    p.logits = logits;
    return p;
  }

  /** Class logits of graph {@code g}. */
  public float[] logits(Graph g) {
    return forward(g).logits;
  }

  /**
   * Mean cross-entropy of {@code graphs} against {@code labels}, with every trained array's gradient (of that
   * mean) left in place for {@link #adam}.
   */
  public double backward(List<Graph> graphs, int[] labels) {
    for (org.lottalora.core.engine.Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    double loss = 0;
    int k = spec.classes();
    int count = graphs.size();
    Pass[] passes = new Pass[count];
    float[] z = new float[count * k];
    for (int gi = 0; gi < count; gi++) {
      passes[gi] = forward(graphs.get(gi));
      System.arraycopy(passes[gi].logits, 0, z, gi * k, k);
    }
    float[] dz = new float[count * k];
    loss = SoftmaxCrossEntropy.of(z, k, labels, null, dz).loss();
    for (int gi = 0; gi < count; gi++) {
      Graph g = graphs.get(gi);
      Pass p = passes[gi];
      int d = p.pooled.length;
      float[] dPooled = new float[d];
      for (int c = 0; c < k; c++) {
        float dl = dz[gi * k + c];
        headB.g[c] += dl;
        for (int j = 0; j < d; j++) {
          headW.g[c * d + j] += dl * p.pooled[j];
          dPooled[j] += dl * headW.v[c * d + j];
        }
      }
      float[][] dh = new float[g.nodes()][];
      for (int n = 0; n < g.nodes(); n++) {
        dh[n] = dPooled.clone();
      }
      for (int l = mlps.length - 1; l >= 0; l--) {
        float[][][] split = closes[l].backward(dh, p.closes.get(l));
        dh = split[0];
        float[][] z1 = p.z1.get(l);
        for (int n = 0; n < dh.length; n++) {
          for (int j = 0; j < dh[n].length; j++) {
            if (z1[n][j] <= 0) {
              dh[n][j] = 0;
            }
          }
        }
        float[][] du = mlps[l][1].accumulate(dh, p.u.get(l));
        float[][] z0 = p.z0.get(l);
        for (int n = 0; n < du.length; n++) {
          for (int j = 0; j < du[n].length; j++) {
            if (z0[n][j] <= 0) {
              du[n][j] = 0;
            }
          }
        }
        float[][] ds = mlps[l][0].accumulate(du, p.sums.get(l));
        dh = aggregate(g, ds);
        if (split[1] != null) { // the residual's path to the block input
          for (int n = 0; n < dh.length; n++) {
            for (int j = 0; j < dh[n].length; j++) {
              dh[n][j] += split[1][n][j];
            }
          }
        }
      }
    }
    for (org.lottalora.core.engine.AdaptedDense[] mlp : mlps) {
      mlp[0].finish();
      mlp[1].finish();
    }
    return loss;
  }

  /** The trained arrays with their Adam moments (live), in declaration order. */
  public java.util.List<org.lottalora.core.engine.Param> params() {
    return params;
  }

  /** One Adam step over every trained array (decoupled weight decay by the one rule, core.train.WeightDecay). */
  public void adam(double lr, double wd, int step) {
    org.lottalora.core.engine.Adam.step(params, lr, wd, step);
    refresh();
  }

  /** Every trained array by name (live). */
  public Map<String, float[]> trained() {
    return GcnNetwork.byName(params, p -> p.v);
  }

  /** Gradients of the last backward by name (live). */
  Map<String, float[]> gradients() {
    return GcnNetwork.byName(params, p -> p.g);
  }

  /** Trained values over the network's size: adapters, betas and head against every weight and bias. */
  public double trainableFraction() {
    long t = 0;
    for (org.lottalora.core.engine.Param p : params) {
      t += p.v.length;
    }
    long all = (long) headW.v.length + headB.v.length;
    for (org.lottalora.core.engine.AdaptedDense[] mlp : mlps) {
      all += mlp[0].modelValues() + mlp[1].modelValues();
    }
    return t / (double) all;
  }

  /** Learned beta per adapted layer, {@code gin.<l>.<0|1>} in order. */
  public Map<String, Float> betas() {
    Map<String, Float> m = new java.util.LinkedHashMap<>();
    for (org.lottalora.core.engine.AdaptedDense[] mlp : mlps) {
      m.put(mlp[0].prefix, mlp[0].beta());
      m.put(mlp[1].prefix, mlp[1].beta());
    }
    return m;
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    for (org.lottalora.core.engine.AdaptedDense[] mlp : mlps) {
      java.util.Collections.addAll(layers, mlp);
    }
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, () -> { });
  }
}
