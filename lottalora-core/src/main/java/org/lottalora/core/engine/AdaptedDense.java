package org.lottalora.core.engine;

import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * One adapted linear layer on plain arrays, for the hand-written graph engines: {@code z = x W'^T + b} with
 * {@code W' = beta W_seed + s B A} of rank min(r, in, out), optionally DoRA on top ({@code m V / ||V||} row by
 * row, magnitude {@code prefix.dora_m} starting at the row norms of W_seed) (A Kaiming-uniform from the adapter seed, B zero, beta 1, bias frozen from the
 * seed) or a trained W in full mode. Gradients of a batch accumulate into a dense dW first ({@link #accumulate}),
 * and {@link #finish} turns it into the adapter's gradients once per batch: the product with A and B is then paid
 * once, not once per graph. Products go through {@link Blas} (GEMM when large).
 */
public final class AdaptedDense {
  /** Backbone name prefix of the layer. */
  public final String prefix;
  /** Input width. */
  public final int in;
  /** Output width. */
  public final int out;
  private final boolean full;
  private final AdapterConfig ac;
  private final float[] wSeed;
  private final float[] bias;
  private Param w;
  private Param a;
  private Param b;
  private Param beta;
  private float[] weff;
  private Param magnitude;
  private final boolean frozenLayer;
  private float[] direction;
  private double[] norm;
  private final float[] dw;
  private int rank;

  /** Backbone tensors {@code prefix.weight} [out, in] and {@code prefix.bias} [out] of this layer. */
  public static List<TensorSpec> tensors(String prefix, int in, int out, InitSpec init) {
    return List.of(TensorSpec.of(prefix + ".weight", new int[] {out, in}, init),
        TensorSpec.bias(prefix + ".bias", out, in, InitSpec.parse("uniform")));
  }

  public AdaptedDense(String prefix, int in, int out, Backbone bb, AdapterConfig ac, boolean full,
      List<Param> params) {
    this(prefix, in, out, bb, ac, full, false, params);
  }

  private AdaptedDense(String prefix, int in, int out, Backbone bb, AdapterConfig ac, boolean full, boolean frozen,
      List<Param> params) {
    this.prefix = prefix;
    this.in = in;
    this.out = out;
    this.full = full;
    this.ac = ac;
    this.frozenLayer = frozen;
    wSeed = bb.get(prefix + ".weight");
    bias = bb.get(prefix + ".bias");
    if (frozen) { // nothing trained: no copy of the weight, no dW (the 900M preset's MLPs are 3 GB of them)
      dw = null;
      refresh();
      return;
    }
    dw = new float[out * in];
    if (full && ac.dora()) {
      throw new IllegalArgumentException("DoRA decomposes an adapted weight; the full-training baseline has none");
    }
    if (full) {
      w = new Param(prefix + ".weight", wSeed.clone());
      params.add(w);
      return;
    }
    // one --rank must fit a network whose first layer reads 3 features: a layer narrower than the rank takes
    // rank min(r, in, out), which loses nothing (B A already spans every matrix of its shape); s stays alpha / r
    rank = ac.effectiveRank(in, out);
    int r = rank;
    TensorSpec as = TensorSpec.of(prefix + ".lora_A", new int[] {r, in}, InitSpec.parse("kaiming_uniform"));
    a = new Param(as.name(), Backbone.regenerate(ac.initSeed(), List.of(as), 1).get(as.name()));
    b = new Param(prefix + ".lora_B", new float[out * r]);
    params.add(a);
    params.add(b);
    if (ac.trainBeta()) {
      beta = new Param(prefix + ".beta", new float[] {1f});
      params.add(beta);
    }
    if (ac.dora()) {
      float[] norms = new float[out];
      for (int o = 0; o < out; o++) {
        double ss = 0;
        for (int i = 0; i < in; i++) {
          ss += (double) wSeed[o * in + i] * wSeed[o * in + i];
        }
        norms[o] = (float) Math.sqrt(ss);
      }
      magnitude = new Param(prefix + ".dora_m", norms); // starts at ||W_seed||: training starts at the scaffold
      params.add(magnitude);
    }
  }

  /**
   * A frozen layer with no adapter (the paper's LM keeps its MLP random and untouched): nothing is trained, the
   * weight is {@code W_seed}; it still passes gradients to its input.
   */
  public static AdaptedDense frozen(String prefix, int in, int out, Backbone bb) {
    return new AdaptedDense(prefix, in, out, bb, AdapterConfig.defaults(1), true, true, new java.util.ArrayList<>());
  }

  /** Recomputes the effective weight from the current parameters; call once per step before forward passes. */
  public void refresh() {
    if (frozenLayer) {
      weff = wSeed;
      return;
    }
    if (full) {
      weff = w.v;
      return;
    }
    int r = rank;
    float s = (float) ac.scaling();
    float bt = beta == null ? 1f : beta.v[0];
    float[] e = new float[out * in];
    if ((long) out * in * r >= Blas.CUTOFF) {
      float[] ba = Blas.times(b.v, out, r, a.v, in, false, false);
      for (int j = 0; j < e.length; j++) {
        e[j] = bt * wSeed[j] + s * ba[j];
      }
    } else {
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          double ba = 0;
          for (int q = 0; q < r; q++) {
            ba += b.v[o * r + q] * a.v[q * in + i];
          }
          e[o * in + i] = (float) (bt * wSeed[o * in + i] + s * ba);
        }
      }
    }
    if (magnitude != null) { // DoRA: W' = m V / ||V|| row by row
      direction = e;
      norm = new double[out];
      float[] scaled = new float[out * in];
      for (int o = 0; o < out; o++) {
        double ss = 0;
        for (int i = 0; i < in; i++) {
          ss += (double) e[o * in + i] * e[o * in + i];
        }
        norm[o] = Math.sqrt(ss);
        for (int i = 0; i < in; i++) {
          scaled[o * in + i] = (float) (magnitude.v[o] * e[o * in + i] / norm[o]);
        }
      }
      e = scaled;
    }
    weff = e;
  }

  /** {@code x W'^T + b} for rows x [n][in]. */
  public float[][] forward(float[][] x) {
    float[][] z = Blas.timesTransposed(x, weff, out);
    for (float[] zn : z) {
      for (int o = 0; o < out; o++) {
        zn[o] += bias[o];
      }
    }
    return z;
  }

  /** Adds {@code dz^T x} to the batch's dW (not for a frozen layer) and returns {@code dz W'}, the input's gradient. */
  public float[][] accumulate(float[][] dz, float[][] x) {
    if (!frozenLayer) {
      Blas.addTransposedTimes(dz, x, dw, out, in);
    }
    return Blas.times(dz, weff, in);
  }

  /** Turns the batch's dW into the gradients of the trained arrays (set, not added) and clears dW. */
  public void finish() {
    if (frozenLayer) {
      return;
    }
    if (full) {
      System.arraycopy(dw, 0, w.g, 0, dw.length);
    } else {
      int r = rank;
      float s = (float) ac.scaling();
      if (magnitude != null) { // through W' = m V / n: dm = (g . V) / n, dV = (m / n) (g - (g . V) V / n^2)
        for (int o = 0; o < out; o++) {
          double gv = 0;
          for (int i = 0; i < in; i++) {
            gv += (double) dw[o * in + i] * direction[o * in + i];
          }
          double n = norm[o];
          magnitude.g[o] = (float) (gv / n);
          double k = magnitude.v[o] / n;
          for (int i = 0; i < in; i++) {
            dw[o * in + i] = (float) (k * (dw[o * in + i] - gv * direction[o * in + i] / (n * n)));
          }
        }
      }
      if (beta != null) {
        double g = 0;
        for (int i = 0; i < dw.length; i++) {
          g += dw[i] * wSeed[i];
        }
        beta.g[0] = (float) g;
      }
      if ((long) out * in * r >= Blas.CUTOFF) { // dB = s dW A^T, dA = s B^T dW
        float[] gb = Blas.times(dw, out, in, a.v, r, false, true);
        float[] ga = Blas.times(b.v, r, out, dw, in, true, false);
        for (int j = 0; j < gb.length; j++) {
          b.g[j] = s * gb[j];
        }
        for (int j = 0; j < ga.length; j++) {
          a.g[j] = s * ga[j];
        }
      } else {
        java.util.Arrays.fill(a.g, 0);
        for (int o = 0; o < out; o++) {
          for (int q = 0; q < r; q++) {
            double gb = 0;
            for (int i = 0; i < in; i++) {
              gb += dw[o * in + i] * a.v[q * in + i];
              a.g[q * in + i] += s * b.v[o * r + q] * dw[o * in + i];
            }
            b.g[o * r + q] = (float) (s * gb);
          }
        }
      }
    }
    java.util.Arrays.fill(dw, 0);
  }

  /** Learned beta (1 in full mode or with beta fixed). */
  public float beta() {
    return beta == null ? 1f : beta.v[0];
  }

  /** Values of this layer's full-size weight and bias (what the adapters count against). */
  public long modelValues() {
    return (long) out * in + out;
  }
}
