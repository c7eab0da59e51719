package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * One echo-state reservoir layer over frozen tensors drawn from the seed:
 * {@code x(t) = (1 - a) x(t-1) + a f(W x(t-1) + Win u(t) + b + Wfb y(t-1))}, where
 * {@code W = (sr / rho(W_raw)) W_raw} (rho exact up to {@link SpectralRadius#EXACT_UP_TO} units, Arnoldi above).
 * With the {@code bernoulli} input init, Win, b and Wfb are the signs of their draws. The raw tensors are backbone tensors (named
 * {@code reservoir.<l>.W}, {@code .Win}, {@code .bias}, {@code .Wfb}); the scalings are settings, so the
 * artifact ships only the seed, the spec and rho(W_raw) (which makes a reload bit-exact without trusting a
 * second eigenvalue computation). An optional low-rank adapter makes the recurrent term
 * {@code beta W x + s B (A x)}, the LottaLoRA form on the recurrent matrix. Thread-safe once built (state lives
 * in the caller's arrays); attach or change the adapter before sharing it between threads.
 */
public final class Reservoir {
  private final ReservoirSpec spec;
  private final int layer;
  private final int inputDim;
  private final int feedbackDim;
  private final double rhoRaw;
  private final Csr w;
  private final Csr win;
  private final double[] bias;
  private final Csr wfb;
  private final float[] wScaled;
  private RecurrentAdapter adapter;

  /** A trained low-rank correction of the recurrent matrix: W' = beta W + scale B A, A [r, N], B [N, r]. */
  public record RecurrentAdapter(int rank, float[] a, float[] b, float beta, double scale) {
    /** Checks the sizes against nothing but the rank; {@link Reservoir#withAdapter} checks the units. */
    public RecurrentAdapter {
      if (rank < 1 || a.length % rank != 0 || b.length % rank != 0 || a.length != b.length) {
        throw new IllegalArgumentException("adapter A and B must be [r, N] and [N, r], rank " + rank);
      }
    }
  }

  /**
   * Builds layer {@code layer} from the seed.
   *
   * @param rhoRaw the spectral radius of W_raw if known (from an artifact), or NaN to compute it
   */
  public Reservoir(ReservoirSpec spec, int layer, int inputDim, int feedbackDim, long seed, double rhoRaw) {
    this.spec = spec;
    this.layer = layer;
    this.inputDim = inputDim;
    this.feedbackDim = feedbackDim;
    int n = spec.units();
    List<TensorSpec> specs = tensorSpecs(spec, layer, inputDim, feedbackDim);
    Backbone bb = Backbone.regenerate(seed, specs, 1);
    float[] raw = bb.get(name(layer, "W"));
    this.rhoRaw = Double.isNaN(rhoRaw) ? SpectralRadius.auto(Csr.of(raw, n, n, 1.0)) : rhoRaw;
    if (!(this.rhoRaw > 0)) {
      throw new IllegalArgumentException("the recurrent matrix drawn for layer " + layer + " has spectral radius 0 ("
          + n + " units, density " + spec.density() + "): raise --density or --units, or change --seed");
    }
    double k = spec.spectralRadius() / this.rhoRaw;
    this.w = Csr.of(raw, n, n, k);
    this.wScaled = w.toDenseFloat();
    boolean signs = spec.bernoulliInputs();
    this.win = Csr.of(signs(bb.get(name(layer, "Win")), signs), n, inputDim, spec.inputScaling());
    float[] b = signs(bb.get(name(layer, "bias")), signs);
    this.bias = new double[n];
    for (int i = 0; i < n; i++) {
      bias[i] = b[i] * spec.biasScaling();
    }
    this.wfb = feedbackDim > 0 ? Csr.of(signs(bb.get(name(layer, "Wfb")), signs), n, feedbackDim,
        spec.feedbackScaling()) : null;
  }

  /** With {@code on}, each value's sign (0 stays 0): the +-1 weights of the {@code bernoulli} input init. */
  private static float[] signs(float[] v, boolean on) {
    if (!on) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.signum(v[i]);
    }
    return out;
  }

  /** The backbone tensors of layer {@code layer}, in declaration order. */
  public static List<TensorSpec> tensorSpecs(ReservoirSpec spec, int layer, int inputDim, int feedbackDim) {
    int n = spec.units();
    List<TensorSpec> out = new ArrayList<>();
    out.add(TensorSpec.of(name(layer, "W"), new int[] {n, n},
        new InitSpec(InitFamily.SPARSE_NORMAL, Map.of("p", spec.density(), "sigma", 1.0, "fanin", 0.0))));
    out.add(TensorSpec.of(name(layer, "Win"), new int[] {n, inputDim},
        new InitSpec(InitFamily.SPARSE_NORMAL, Map.of("p", spec.inputDensity(), "sigma", 1.0, "fanin", 0.0))));
    // bernoulli: +-1 kept with probability inputDensity, as the signs of a sparse normal draw (ReservoirPy's
    // bernoulli initialiser for Win, bias and Wfb); gaussian: the first scheme, uniform bias and feedback
    InitSpec sparseSigns = new InitSpec(InitFamily.SPARSE_NORMAL,
        Map.of("p", spec.inputDensity(), "sigma", 1.0, "fanin", 0.0));
    InitSpec uniform = new InitSpec(InitFamily.UNIFORM, Map.of("a", 1.0, "fanin", 0.0));
    out.add(TensorSpec.bias(name(layer, "bias"), n, n, spec.bernoulliInputs() ? sparseSigns : uniform));
    if (feedbackDim > 0) {
      out.add(TensorSpec.of(name(layer, "Wfb"), new int[] {n, feedbackDim},
          spec.bernoulliInputs() ? sparseSigns : uniform));
    }
    return out;
  }

  /** The backbone name of one of a layer's tensors. */
  public static String name(int layer, String part) {
    return "reservoir." + layer + "." + part;
  }

  /** Attaches (or, with null, removes) a low-rank adapter on the recurrent matrix. */
  public void withAdapter(RecurrentAdapter a) {
    if (a != null && (a.a().length != a.rank() * spec.units())) {
      throw new IllegalArgumentException("adapter of rank " + a.rank() + " does not fit " + spec.units() + " units");
    }
    this.adapter = a;
  }

  /** The adapter, or null. */
  public RecurrentAdapter adapter() {
    return adapter;
  }

  /**
   * One step: updates {@code x} in place.
   *
   * @param u this step's input ({@code inputDim} values)
   * @param fb last step's output for feedback, or null
   * @param scratch at least {@code units} doubles
   */
  public void step(double[] x, double[] u, double[] fb, double[] scratch) {
    int n = spec.units();
    double[] pre = scratch;
    RecurrentAdapter ad = adapter;
    double beta = ad == null ? 1.0 : ad.beta();
    for (int i = 0; i < n; i++) {
      double s = beta * w.rowDot(i, x) + win.rowDot(i, u) + bias[i];
      if (wfb != null && fb != null) {
        s += wfb.rowDot(i, fb);
      }
      pre[i] = s;
    }
    if (ad != null) {
      int r = ad.rank();
      double[] ax = new double[r];
      float[] a = ad.a();
      for (int k = 0; k < r; k++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
          s += a[k * n + j] * x[j];
        }
        ax[k] = s * ad.scale();
      }
      float[] b = ad.b();
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < r; k++) {
          s += b[i * r + k] * ax[k];
        }
        pre[i] += s;
      }
    }
    double a = spec.leakRate();
    for (int i = 0; i < n; i++) {
      x[i] = (1 - a) * x[i] + a * spec.activate(pre[i]);
    }
  }

  /** The settings. */
  public ReservoirSpec spec() {
    return spec;
  }

  /** This layer's index in its stack. */
  public int layer() {
    return layer;
  }

  /** Input width. */
  public int inputDim() {
    return inputDim;
  }

  /** Feedback width (0: none). */
  public int feedbackDim() {
    return feedbackDim;
  }

  /** The spectral radius of the raw recurrent draw (the divisor of the scaling). */
  public double rhoRaw() {
    return rhoRaw;
  }

  /** Connections in the recurrent matrix. */
  public int connections() {
    return w.nnz();
  }

  /** The scaled recurrent matrix W [N, N] row-major in float (for graph building). */
  float[] recurrentFloat() {
    return wScaled;
  }

  /** The scaled input matrix Win [N, D] row-major in float. */
  float[] inputFloat() {
    return win.toDenseFloat();
  }

  /** The scaled bias in float. */
  float[] biasFloat() {
    float[] out = new float[bias.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) bias[i];
    }
    return out;
  }
}
