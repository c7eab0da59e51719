package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.MatrixMode;
import org.lottalora.core.engine.Param;

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
  private int seq;
  private boolean batchedPath;
  private float[] qp;
  private float[] kp;
  private float[] vp;
  private float[] pp;
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
    this(prefix, d, heads, causal, bb, ac, full ? MatrixMode.FULL : MatrixMode.ADAPTER, params);
  }

  /**
   * Declares the block with its four projections in {@code mode} (adapted, trained in full or frozen).
   *
   * @throws IllegalArgumentException when {@code d} is not divisible by {@code heads}
   */
  public SelfAttention(String prefix, int d, int heads, boolean causal, Backbone bb, AdapterConfig ac,
      MatrixMode mode, List<Param> params) {
    if (heads < 1 || d % heads != 0) {
      throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads; use a head count "
          + "that divides it (e.g. " + largestDivisorAtMost(d, heads) + ")");
    }
    this.d = d;
    this.heads = heads;
    this.dh = d / heads;
    this.causal = causal;
    q = mode.layer(prefix + ".q", d, d, bb, ac, params);
    k = mode.layer(prefix + ".k", d, d, bb, ac, params);
    v = mode.layer(prefix + ".v", d, d, bb, ac, params);
    o = mode.layer(prefix + ".o", d, d, bb, ac, params);
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
    return forward(input, input.length);
  }

  /**
   * The block's output for a batch of sequences of {@code seqLen} tokens each, stacked as rows x [B seqLen][d]:
   * the projections run on all rows at once, attention within each sequence.
   *
   * @throws IllegalArgumentException when the rows are not whole sequences
   */
  public float[][] forward(float[][] input, int seqLen) {
    return forward(input, seqLen, null);
  }

  /**
   * As {@link #forward(float[][], int)} with a padding mask: sequence s has {@code lengths[s]} real tokens (null:
   * all {@code seqLen}); no query attends to a later, padded key. Padded rows still get outputs (over the real
   * keys), which a caller's pooling ignores.
   */
  public float[][] forward(float[][] input, int seqLen, int[] lengths) {
    if (seqLen < 1 || input.length % seqLen != 0) {
      throw new IllegalArgumentException(input.length + " rows are not whole sequences of " + seqLen);
    }
    if (lengths != null && lengths.length != input.length / seqLen) {
      throw new IllegalArgumentException(lengths.length + " lengths for " + input.length / seqLen + " sequences");
    }
    x = input;
    seq = seqLen;
    int rows = input.length;
    qs = q.forward(input);
    ks = k.forward(input);
    vs = v.forward(input);
    if (rope != null) {
      for (int base = 0; base < rows; base += seqLen) {
        rope.apply(java.util.Arrays.copyOfRange(qs, base, base + seqLen), 0);
        rope.apply(java.util.Arrays.copyOfRange(ks, base, base + seqLen), 0);
      }
    }
    probs = new float[heads][rows][];
    ctx = new float[rows][d];
    double scale = 1 / Math.sqrt(dh);
    int count = rows / seqLen * heads;
    batchedPath = Blas.large((long) count * seqLen, dh, seqLen);
    if (batchedPath) { // every (sequence, head) product in one batched GEMM call
      qp = pack(qs, seqLen);
      kp = pack(ks, seqLen);
      vp = pack(vs, seqLen);
      pp = Blas.batched(qp, kp, count, seqLen, dh, seqLen, false, true);
      float[] row = new float[seqLen];
      for (int c = 0; c < count; c++) {
        int valid = lengths == null ? seqLen : Math.max(1, Math.min(seqLen, lengths[c / heads]));
        for (int i = 0; i < seqLen; i++) {
          int off = (c * seqLen + i) * seqLen;
          System.arraycopy(pp, off, row, 0, seqLen);
          softmaxInPlace(row, Math.min(causal ? i : seqLen - 1, valid - 1), scale);
          System.arraycopy(row, 0, pp, off, seqLen);
        }
      }
      unpack(Blas.batched(pp, vp, count, seqLen, seqLen, dh, false, false), ctx, seqLen);
      return o.forward(ctx);
    }
    for (int base = 0; base < rows; base += seqLen) {
      for (int h = 0; h < heads; h++) {
        int off = h * dh;
        float[][] qh = slice(qs, base, seqLen, off);
        float[][] scores = Blas.timesTransposed(qh, flat(ks, base, seqLen, off), seqLen);
        for (int i = 0; i < seqLen; i++) {
          int valid = lengths == null ? seqLen : Math.max(1, Math.min(seqLen, lengths[base / seqLen]));
          softmaxInPlace(scores[i], Math.min(causal ? i : seqLen - 1, valid - 1), scale);
          probs[h][base + i] = scores[i];
        }
        float[][] ch = Blas.times(scores, flat(vs, base, seqLen, off), dh);
        for (int i = 0; i < seqLen; i++) {
          System.arraycopy(ch[i], 0, ctx[base + i], off, dh);
        }
      }
    }
    return o.forward(ctx);
  }

  // softmax(row * scale) over positions 0..last, later positions (masked) set to exactly 0
  private static void softmaxInPlace(float[] row, int last, double scale) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j <= last; j++) {
      max = Math.max(max, row[j] * scale);
    }
    double sum = 0;
    double[] e = new double[last + 1];
    for (int j = 0; j <= last; j++) {
      e[j] = Math.exp(row[j] * scale - max);
      sum += e[j];
    }
    for (int j = 0; j < row.length; j++) {
      row[j] = j <= last ? (float) (e[j] / sum) : 0f;
    }
  }

  // rows [S T][d] as S H blocks of [T, dh] (block s H + h: sequence s, head h)
  private float[] pack(float[][] m, int t) {
    int seqs = m.length / t;
    float[] out = new float[m.length * d];
    for (int s = 0; s < seqs; s++) {
      for (int h = 0; h < heads; h++) {
        int block = (s * heads + h) * t * dh;
        for (int i = 0; i < t; i++) {
          System.arraycopy(m[s * t + i], h * dh, out, block + i * dh, dh);
        }
      }
    }
    return out;
  }

  private void unpack(float[] blocks, float[][] into, int t) {
    int seqs = into.length / t;
    for (int s = 0; s < seqs; s++) {
      for (int h = 0; h < heads; h++) {
        int block = (s * heads + h) * t * dh;
        for (int i = 0; i < t; i++) {
          System.arraycopy(blocks, block + i * dh, into[s * t + i], h * dh, dh);
        }
      }
    }
  }

  // head h's columns [off, off + dh) of rows base..base+n-1, as rows and as one row-major block
  private float[][] slice(float[][] m, int base, int n, int off) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(m[base + i], off, off + dh);
    }
    return out;
  }

  private float[] flat(float[][] m, int base, int n, int off) {
    float[] out = new float[n * dh];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[base + i], off, out, i * dh, dh);
    }
    return out;
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
    float[][] keys = cache.keys.toArray(new float[0][]);
    float[][] values = cache.values.toArray(new float[0][]);
    float[] c = new float[d];
    double scale = 1 / Math.sqrt(dh);
    for (int h = 0; h < heads; h++) { // the same products and softmax as forward's last row
      int off = h * dh;
      float[][] qh = {java.util.Arrays.copyOfRange(qt, off, off + dh)};
      float[][] scores = Blas.timesTransposed(qh, flat(keys, 0, n, off), n);
      softmaxInPlace(scores[0], n - 1, scale);
      float[][] ch = Blas.times(scores, flat(values, 0, n, off), dh);
      System.arraycopy(ch[0], 0, c, off, dh);
    }
    return o.forward(new float[][] {c})[0];
  }

  /** Adds the gradients of the last forward's sequences for output gradient {@code dy}; returns d input. */
  public float[][] backward(float[][] dy) {
    int rows = dy.length;
    float[][] dctx = o.accumulate(dy, ctx);
    float[][] dq = new float[rows][d];
    float[][] dk = new float[rows][d];
    float[][] dv = new float[rows][d];
    double scale = 1 / Math.sqrt(dh);
    if (batchedPath) {
      int count = rows / seq * heads;
      float[] dc = pack(dctx, seq);
      float[] dp = Blas.batched(dc, vp, count, seq, dh, seq, false, true);
      unpack(Blas.batched(pp, dc, count, seq, seq, dh, true, false), dv, seq);
      for (int r = 0; r < count * seq; r++) { // dS = P (dP - rowsum(P dP)) / sqrt(d_h)
        int off = r * seq;
        double dot = 0;
        for (int j = 0; j < seq; j++) {
          dot += pp[off + j] * dp[off + j];
        }
        for (int j = 0; j < seq; j++) {
          dp[off + j] = (float) (pp[off + j] * (dp[off + j] - dot) * scale);
        }
      }
      unpack(Blas.batched(dp, kp, count, seq, seq, dh, false, false), dq, seq);
      unpack(Blas.batched(dp, qp, count, seq, seq, dh, true, false), dk, seq);
    }
    for (int base = 0; !batchedPath && base < rows; base += seq) {
      for (int h = 0; h < heads; h++) {
        int off = h * dh;
        float[][] p = java.util.Arrays.copyOfRange(probs[h], base, base + seq);
        float[][] dch = slice(dctx, base, seq, off);
        float[][] dp = Blas.timesTransposed(dch, flat(vs, base, seq, off), seq);
        float[] dvh = new float[seq * dh];
        Blas.addTransposedTimes(p, dch, dvh, seq, dh);
        for (int i = 0; i < seq; i++) { // dS = P (dP - rowsum(P dP)) / sqrt(d_h); masked entries have P = 0
          double dot = 0;
          for (int j = 0; j < seq; j++) {
            dot += p[i][j] * dp[i][j];
          }
          for (int j = 0; j < seq; j++) {
            dp[i][j] = (float) (p[i][j] * (dp[i][j] - dot) * scale);
          }
        }
        float[][] dqh = Blas.times(dp, flat(ks, base, seq, off), dh);
        float[] dkh = new float[seq * dh];
        Blas.addTransposedTimes(dp, slice(qs, base, seq, off), dkh, seq, dh);
        for (int i = 0; i < seq; i++) {
          System.arraycopy(dqh[i], 0, dq[base + i], off, dh);
          System.arraycopy(dkh, i * dh, dk[base + i], off, dh);
          System.arraycopy(dvh, i * dh, dv[base + i], off, dh);
        }
      }
    }
    if (rope != null) { // through the rotation: its transpose
      for (int base = 0; base < rows; base += seq) {
        rope.backward(java.util.Arrays.copyOfRange(dq, base, base + seq), 0);
        rope.backward(java.util.Arrays.copyOfRange(dk, base, base + seq), 0);
      }
    }
    float[][] dx = q.accumulate(dq, x);
    float[][] dxk = k.accumulate(dk, x);
    float[][] dxv = v.accumulate(dv, x);
    for (int i = 0; i < rows; i++) {
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
