package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.models.engine.AdaptedDense;
import org.lottalora.models.engine.Param;

/**
 * Multi-head self-attention over one sequence with explicit projections, each an adapted layer
 * ({@code beta W_seed + s B A}, {@link AdaptedDense}): {@code Q, K, V = x W_Q'^T, x W_K'^T, x W_V'^T} (+ frozen
 * biases), per head {@code P = softmax(Q_h K_h^T / sqrt(d_h))} with positions after the query masked when causal,
 * {@code C_h = P V_h}, and {@code y = C W_O'^T + b_O}. Forward keeps what the hand-written backward needs; gradients
 * of a batch accumulate in the four layers until {@link #finish}. Backbone tensors
 * {@code <prefix>.q|k|v|o.weight|bias} [d, d].
 */
public final class SelfAttention {
  private final int d;
  private final int heads;
  private final int dh;
  private final boolean causal;
  private final AdaptedDense q;
  private final AdaptedDense k;
  private final AdaptedDense v;
  private final AdaptedDense o;
  private Rope rope;
  private float[][] x;
  private float[][] qs;
  private float[][] ks;
  private float[][] vs;
  private float[][][] probs;
  private float[][] ctx;

  /** The backbone tensors of one attention block of width {@code d}. */
  public static List<TensorSpec> tensors(String prefix, int d, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>();
    for (String p : new String[] {"q", "k", "v", "o"}) {
      ts.addAll(AdaptedDense.tensors(prefix + "." + p, d, d, init));
    }
    return ts;
  }

  /**
   * Declares the block (its trained arrays go to {@code params}).
   *
   * @throws IllegalArgumentException when {@code d} is not divisible by {@code heads}
   */
  public SelfAttention(String prefix, int d, int heads, boolean causal, Backbone bb, AdapterConfig ac, boolean full,
      List<Param> params) {
    if (heads < 1 || d % heads != 0) {
      throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads; use a head count "
          + "that divides it (e.g. " + largestDivisorAtMost(d, heads) + ")");
    }
    this.d = d;
    this.heads = heads;
    this.dh = d / heads;
    this.causal = causal;
    q = new AdaptedDense(prefix + ".q", d, d, bb, ac, full, params);
    k = new AdaptedDense(prefix + ".k", d, d, bb, ac, full, params);
    v = new AdaptedDense(prefix + ".v", d, d, bb, ac, full, params);
    o = new AdaptedDense(prefix + ".o", d, d, bb, ac, full, params);
    refresh();
  }

  private static int largestDivisorAtMost(int d, int h) {
    for (int c = Math.max(1, h); c > 1; c--) {
      if (d % c == 0) {
        return c;
      }
    }
    return 1;
  }

  /** Rotates queries and keys by their positions (RoPE, LLaMA's choice) from now on; returns this block. */
  public SelfAttention withRope(double base) {
    rope = new Rope(d, heads, base);
    return this;
  }

  /** Recomputes the four effective weights (after an optimizer step or a change to the trained arrays). */
  public void refresh() {
    q.refresh();
    k.refresh();
    v.refresh();
    o.refresh();
  }

  /** The block's output for one sequence x [T][d]. */
  public float[][] forward(float[][] input) {
    x = input;
    int t = input.length;
    qs = q.forward(input);
    ks = k.forward(input);
    vs = v.forward(input);
    if (rope != null) {
      rope.apply(qs, 0);
      rope.apply(ks, 0);
    }
    probs = new float[heads][t][];
    ctx = new float[t][d];
    double scale = 1 / Math.sqrt(dh);
    for (int h = 0; h < heads; h++) {
      int off = h * dh;
      for (int i = 0; i < t; i++) {
        int last = causal ? i : t - 1;
        double[] s = new double[last + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= last; j++) {
          double acc = 0;
          for (int c = 0; c < dh; c++) {
            acc += qs[i][off + c] * ks[j][off + c];
          }
          s[j] = acc * scale;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= last; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        float[] p = new float[t]; // masked positions stay exactly 0
        for (int j = 0; j <= last; j++) {
          p[j] = (float) (s[j] / sum);
          for (int c = 0; c < dh; c++) {
            ctx[i][off + c] += p[j] * vs[j][off + c];
          }
        }
        probs[h][i] = p;
      }
    }
    return o.forward(ctx);
  }

  /** Keys and values of the tokens seen so far, for generation one token at a time. */
  public static final class KvCache {
    private final List<float[]> keys = new ArrayList<>();
    private final List<float[]> values = new ArrayList<>();

    /** Tokens cached. */
    public int size() {
      return keys.size();
    }
  }

  /** An empty cache for {@link #step}. */
  public KvCache newCache() {
    if (!causal) {
      throw new IllegalStateException("a KV cache needs a causal block: later tokens would change earlier outputs");
    }
    return new KvCache();
  }

  /**
   * The output for one new token {@code xt} [d] attending to every cached token and itself, appending its key and
   * value to {@code cache}: the same numbers as row t of {@link #forward} on the whole prefix, at O(t d) instead of
   * recomputing O(t^2 d).
   */
  public float[] step(KvCache cache, float[] xt) {
    float[][] row = {xt};
    float[][] qt1 = q.forward(row);
    float[][] kt1 = k.forward(row);
    if (rope != null) { // both at this token's position
      rope.apply(qt1, cache.size());
      rope.apply(kt1, cache.size());
    }
    float[] qt = qt1[0];
    cache.keys.add(kt1[0]);
    cache.values.add(v.forward(row)[0]);
    int n = cache.keys.size();
    float[] c = new float[d];
    double scale = 1 / Math.sqrt(dh);
    for (int h = 0; h < heads; h++) {
      int off = h * dh;
      double[] s = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        double acc = 0;
        float[] kj = cache.keys.get(j);
        for (int e = 0; e < dh; e++) {
          acc += qt[off + e] * kj[off + e];
        }
        s[j] = acc * scale;
        max = Math.max(max, s[j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        s[j] = Math.exp(s[j] - max);
        sum += s[j];
      }
      for (int j = 0; j < n; j++) {
        float p = (float) (s[j] / sum);
        float[] vj = cache.values.get(j);
        for (int e = 0; e < dh; e++) {
          c[off + e] += p * vj[off + e];
        }
      }
    }
    return o.forward(new float[][] {c})[0];
  }

  /** Adds the gradients of the last forward's sequence for output gradient {@code dy}; returns d input. */
  public float[][] backward(float[][] dy) {
    int t = dy.length;
    float[][] dctx = o.accumulate(dy, ctx);
    float[][] dq = new float[t][d];
    float[][] dk = new float[t][d];
    float[][] dv = new float[t][d];
    double scale = 1 / Math.sqrt(dh);
    for (int h = 0; h < heads; h++) {
      int off = h * dh;
      for (int i = 0; i < t; i++) {
        float[] p = probs[h][i];
        int last = causal ? i : t - 1;
        double[] dp = new double[last + 1];
        double dot = 0;
        for (int j = 0; j <= last; j++) {
          double acc = 0;
          for (int c = 0; c < dh; c++) {
            acc += dctx[i][off + c] * vs[j][off + c];
            dv[j][off + c] += p[j] * dctx[i][off + c];
          }
          dp[j] = acc;
          dot += acc * p[j];
        }
        for (int j = 0; j <= last; j++) {
          float ds = (float) (p[j] * (dp[j] - dot) * scale);
          for (int c = 0; c < dh; c++) {
            dq[i][off + c] += ds * ks[j][off + c];
            dk[j][off + c] += ds * qs[i][off + c];
          }
        }
      }
    }
    if (rope != null) { // through the rotation: its transpose
      rope.backward(dq, 0);
      rope.backward(dk, 0);
    }
    float[][] dx = q.accumulate(dq, x);
    float[][] dxk = k.accumulate(dk, x);
    float[][] dxv = v.accumulate(dv, x);
    for (int i = 0; i < t; i++) {
      for (int c = 0; c < d; c++) {
        dx[i][c] += dxk[i][c] + dxv[i][c];
      }
    }
    return dx;
  }

  /** Turns the accumulated gradients into the trained arrays' gradients (once per batch). */
  public void finish() {
    q.finish();
    k.finish();
    v.finish();
    o.finish();
  }
}
