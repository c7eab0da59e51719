package org.lottalora.core.engine;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * Multi-head self-attention over stacked sequences, forward and backward side by side: {@code Q, K, V = x W_Q'^T,
 * x W_K'^T, x W_V'^T} (adapted, full or frozen {@link AdaptedDense} layers with frozen biases), optionally rotated by
 * {@link Rope}, per sequence and head {@code P = softmax(Q_h K_h^T / sqrt(d_h))} with a causal mask, a padding mask,
 * or both, {@code C_h = P V_h}, and {@code y = C W_O'^T + b_O}. Activations are row-major blocks [n, d] of
 * {@code n = sequences * seqLen} rows. Long sequences send each sequence-head pair's products to OpenBLAS, the pairs
 * split over the engine's threads ({@link Parallel}); short ones (a ViT's patches) compute all pairs at once as SIMD
 * lanes ({@link AttentionLanes}), where thousands of tiny OpenBLAS calls per step would cost more than their
 * arithmetic. A {@link KvCache} runs one token at a time for generation, equal to a
 * whole-prefix forward to float rounding. Backbone tensors {@code <prefix>.q|k|v|o.weight|bias} [d, d].
 */
public final class Attention {
  private final int d;
  private final int heads;
  private final int dh;
  private final boolean causal;
  private final AdaptedDense q;
  private final AdaptedDense k;
  private final AdaptedDense v;
  private final AdaptedDense o;
  private final AdaptedDense.Cache cq = new AdaptedDense.Cache();
  private final AdaptedDense.Cache ck = new AdaptedDense.Cache();
  private final AdaptedDense.Cache cv = new AdaptedDense.Cache();
  private final AdaptedDense.Cache co = new AdaptedDense.Cache();
  private Rope rope;
  // what the last training forward keeps
  private float[] x;
  private int n;
  private int seq;
  private float[] qs = new float[0];
  private float[] ks = new float[0];
  private float[] vs = new float[0];
  private float[] qp = new float[0];
  private float[] kp = new float[0];
  private float[] vp = new float[0];
  private float[] pp = new float[0];
  private float[] cp = new float[0];
  private float[] ctx = new float[0];
  // the same for short sequences, pairs as lanes (AttentionLanes)
  private float[][] ql = new float[0][];
  private float[][] kl = new float[0][];
  private float[][] vl = new float[0][];
  private float[][] pl = new float[0][];
  private float[][] cl = new float[0][];
  private float[][] dcl = new float[0][];
  private float[][] dql = new float[0][];
  private float[][] dkl = new float[0][];
  private float[][] dvl = new float[0][];

  /** The backbone tensors of one attention block of width {@code d}. */
  public static List<TensorSpec> tensors(String prefix, int d, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>();
    for (String p : new String[] {"q", "k", "v", "o"}) {
      ts.addAll(AdaptedDense.tensors(prefix + "." + p, d, d, init));
    }
    return ts;
  }

  /**
   * Declares the block with its four projections in {@code mode} (adapted, trained in full or frozen); their
   * trained arrays go to {@code params}.
   *
   * @throws IllegalArgumentException when {@code d} is not divisible by {@code heads}, naming the block
   */
  public Attention(String prefix, int d, int heads, boolean causal, Backbone bb, AdapterConfig ac,
      MatrixMode mode, List<Param> params) {
    if (heads < 1 || d % heads != 0) {
      throw new IllegalArgumentException("attention '" + prefix + "': width " + d + " is not divisible by " + heads
          + " heads; use a head count that divides it (e.g. " + largestDivisorAtMost(d, heads) + ")");
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
  public Attention withRope(double base) {
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


  /**
   * The block's output y [n, d] for x [n, d], sequences of {@code seqLen} rows stacked. {@code lengths} (null: all
   * real) masks padding: sequence s attends only to its first {@code lengths[s]} keys; padded rows still get
   * outputs, which a caller's pooling ignores. With {@code train} the pass keeps what {@link #backward} needs and
   * computes adapters in factored form.
   *
   * @throws IllegalArgumentException when the rows are not whole sequences
   */
  public float[] forward(float[] input, int rows, int seqLen, int[] lengths, boolean train) {
    if (seqLen < 1 || rows % seqLen != 0) {
      throw new IllegalArgumentException(rows + " rows are not whole sequences of " + seqLen);
    }
    int seqs = rows / seqLen;
    if (lengths != null && lengths.length != seqs) {
      throw new IllegalArgumentException(lengths.length + " lengths for " + seqs + " sequences");
    }
    x = input;
    n = rows;
    seq = seqLen;
    int size = rows * d;
    qs = Buffers.fit(qs, size);
    ks = Buffers.fit(ks, size);
    vs = Buffers.fit(vs, size);
    project(q, cq, input, rows, qs, train);
    project(k, ck, input, rows, ks, train);
    project(v, cv, input, rows, vs, train);
    if (rope != null) {
      rope.apply(qs, rows, seqLen, 0);
      rope.apply(ks, rows, seqLen, 0);
    }
    int count = seqs * heads;
    int t = seqLen;
    float scale = (float) (1 / Math.sqrt(dh));
    ctx = Buffers.fit(ctx, size);
    if (AttentionLanes.suits(t, dh)) {
      lanesForward(seqs, t, count, lengths, scale);
    } else {
      pairsForward(seqs, t, count, lengths, scale);
    }
    float[] y = new float[size];
    project(o, co, ctx, rows, y, train);
    return y;
  }

  private void lanesForward(int seqs, int t, int count, int[] lengths, float scale) {
    ql = AttentionLanes.fit(ql, t * dh, count);
    kl = AttentionLanes.fit(kl, t * dh, count);
    vl = AttentionLanes.fit(vl, t * dh, count);
    cl = AttentionLanes.fit(cl, t * dh, count);
    pl = AttentionLanes.fit(pl, t * t, count);
    AttentionLanes.pack(qs, ql, seqs, t, heads, dh);
    AttentionLanes.pack(ks, kl, seqs, t, heads, dh);
    AttentionLanes.pack(vs, vl, seqs, t, heads, dh);
    int[] valid = null;
    if (lengths != null) {
      valid = new int[count];
      for (int b = 0; b < count; b++) {
        valid[b] = Math.max(1, Math.min(t, lengths[b / heads]));
      }
    }
    AttentionLanes.forward(ql, kl, vl, pl, cl, t, dh, count, scale, causal, valid);
    AttentionLanes.unpack(cl, ctx, seqs, t, heads, dh);
  }

  // each sequence-head pair's products through OpenBLAS, the pairs split over the engine's threads
  private void pairsForward(int seqs, int t, int count, int[] lengths, float scale) {
    int size = seqs * t * d;
    qp = Buffers.fit(qp, size);
    kp = Buffers.fit(kp, size);
    vp = Buffers.fit(vp, size);
    cp = Buffers.fit(cp, size);
    pp = Buffers.fit(pp, count * t * t);
    pack(qs, qp, seqs, t);
    pack(ks, kp, seqs, t);
    pack(vs, vp, seqs, t);
    float[] qpl = qp;
    float[] kpl = kp;
    float[] vpl = vp;
    float[] ppl = pp;
    float[] cpl = cp;
    Parallel.forEach(count, c -> {
      int blk = c * t * dh;
      int po = c * t * t;
      Gemm.mm(false, true, t, t, dh, scale, qpl, blk, kpl, blk, 0f, ppl, po); // S = Q_h K_h^T / sqrt(d_h)
      int valid = lengths == null ? t : Math.max(1, Math.min(t, lengths[c / heads]));
      for (int i = 0; i < t; i++) {
        softmax(ppl, po + i * t, t, Math.min(causal ? i : t - 1, valid - 1));
      }
      Gemm.mm(false, false, t, dh, t, 1f, ppl, po, vpl, blk, 0f, cpl, blk); // C = P V_h
    });
    unpack(cp, ctx, seqs, t);
  }

  private static void project(AdaptedDense layer, AdaptedDense.Cache c, float[] in, int rows, float[] out,
      boolean train) {
    if (train) {
      layer.forwardTrain(in, rows, out, c);
    } else {
      layer.forward(in, rows, out);
    }
  }

  // softmax over positions 0..last of one row, later (masked) positions set to exactly 0
  private static void softmax(float[] s, int off, int len, int last) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j <= last; j++) {
      max = Math.max(max, s[off + j]);
    }
    Activations.expNonPositive(s, max, s, off, off + last + 1);
    double sum = 0;
    for (int j = 0; j <= last; j++) {
      sum += s[off + j];
    }
    float inv = (float) (1 / sum);
    for (int j = 0; j <= last; j++) {
      s[off + j] *= inv;
    }
    for (int j = last + 1; j < len; j++) {
      s[off + j] = 0f;
    }
  }

  // rows [S T, d] as S H blocks of [T, dh] (block s H + h: sequence s, head h)
  private void pack(float[] m, float[] out, int seqs, int t) {
    for (int s = 0; s < seqs; s++) {
      for (int h = 0; h < heads; h++) {
        int block = (s * heads + h) * t * dh;
        for (int i = 0; i < t; i++) {
          System.arraycopy(m, (s * t + i) * d + h * dh, out, block + i * dh, dh);
        }
      }
    }
  }

  private void unpack(float[] blocks, float[] into, int seqs, int t) {
    for (int s = 0; s < seqs; s++) {
      for (int h = 0; h < heads; h++) {
        int block = (s * heads + h) * t * dh;
        for (int i = 0; i < t; i++) {
          System.arraycopy(blocks, block + i * dh, into, (s * t + i) * d + h * dh, dh);
        }
      }
    }
  }

  /**
   * Adds the trained arrays' gradients for output gradient dy [n, d] of the last training forward and adds the
   * input's gradient into {@code dx} [n, d].
   */
  public void backward(float[] dy, float[] dx) {
    int size = n * d;
    int t = seq;
    int seqs = n / t;
    int count = seqs * heads;
    float[] dctx = new float[size];
    o.backward(dy, ctx, n, co, dctx, false);
    float[] dqs = new float[size];
    float[] dks = new float[size];
    float[] dvs = new float[size];
    float scale = (float) (1 / Math.sqrt(dh));
    if (AttentionLanes.suits(t, dh)) {
      dcl = AttentionLanes.fit(dcl, t * dh, count);
      dql = AttentionLanes.fit(dql, t * dh, count);
      dkl = AttentionLanes.fit(dkl, t * dh, count);
      dvl = AttentionLanes.fit(dvl, t * dh, count);
      AttentionLanes.pack(dctx, dcl, seqs, t, heads, dh);
      AttentionLanes.backward(dcl, ql, kl, vl, pl, dql, dkl, dvl, t, dh, count, scale, causal);
      AttentionLanes.unpack(dql, dqs, seqs, t, heads, dh);
      AttentionLanes.unpack(dkl, dks, seqs, t, heads, dh);
      AttentionLanes.unpack(dvl, dvs, seqs, t, heads, dh);
    } else {
      pairsBackward(dctx, seqs, t, count, scale, dqs, dks, dvs);
    }
    if (rope != null) { // through the rotation: its transpose
      rope.backward(dqs, n, t, 0);
      rope.backward(dks, n, t, 0);
    }
    q.backward(dqs, x, n, cq, dx, true);
    k.backward(dks, x, n, ck, dx, true);
    v.backward(dvs, x, n, cv, dx, true);
  }

  private void pairsBackward(float[] dctx, int seqs, int t, int count, float scale, float[] dqs, float[] dks,
      float[] dvs) {
    int size = seqs * t * d;
    float[] dc = new float[size];
    pack(dctx, dc, seqs, t);
    float[] dq = new float[size];
    float[] dk = new float[size];
    float[] dv = new float[size];
    float[] qpl = qp;
    float[] kpl = kp;
    float[] vpl = vp;
    float[] ppl = pp;
    Parallel.forEach(count, c -> {
      int blk = c * t * dh;
      int po = c * t * t;
      float[] dp = new float[t * t];
      Gemm.mm(false, true, t, t, dh, 1f, dc, blk, vpl, blk, 0f, dp, 0); // dP = dC V_h^T
      Gemm.mm(true, false, t, dh, t, 1f, ppl, po, dc, blk, 0f, dv, blk); // dV_h = P^T dC (packed)
      for (int i = 0; i < t; i++) { // dS = P (dP - rowsum(P dP)); masked entries have P = 0
        int r = i * t;
        double dot = 0;
        for (int j = 0; j < t; j++) {
          dot += ppl[po + r + j] * dp[r + j];
        }
        float fd = (float) dot;
        for (int j = 0; j < t; j++) {
          dp[r + j] = ppl[po + r + j] * (dp[r + j] - fd);
        }
      }
      Gemm.mm(false, false, t, dh, t, scale, dp, 0, kpl, blk, 0f, dq, blk); // dQ_h = dS K_h / sqrt(d_h)
      Gemm.mm(true, false, t, dh, t, scale, dp, 0, qpl, blk, 0f, dk, blk); // dK_h = dS^T Q_h / sqrt(d_h)
    });
    unpack(dq, dqs, seqs, t);
    unpack(dk, dks, seqs, t);
    unpack(dv, dvs, seqs, t);
  }

  /** Turns gradients gathered as a dense dW (DoRA, full mode) into the trained arrays' gradients. */
  public void finish() {
    q.finish();
    k.finish();
    v.finish();
    o.finish();
  }

  /** Keys and values of the tokens seen so far, for generation one token at a time. */
  public static final class KvCache {
    private float[][] keys; // per head: [capacity, dh]
    private float[][] values;
    private int size;

    private KvCache(int heads) {
      keys = new float[heads][0];
      values = new float[heads][0];
    }

    /** Tokens cached. */
    public int size() {
      return size;
    }
  }

  /** An empty cache for {@link #step}. */
  public KvCache newCache() {
    if (!causal) {
      throw new IllegalStateException("a KV cache needs a causal block: later tokens would change earlier outputs");
    }
    return new KvCache(heads);
  }

  /**
   * The output for one new token {@code xt} [d] attending to every cached token and itself, appending its key and
   * value to {@code cache}: row t of an inference {@link #forward} on the whole prefix, to float rounding (OpenBLAS
   * rounds a one-row product differently from a block's row), at O(t d) instead of O(t^2 d).
   */
  public float[] step(KvCache cache, float[] xt) {
    float[] qt = new float[d];
    float[] kt = new float[d];
    float[] vt = new float[d];
    q.forward(xt, 1, qt);
    k.forward(xt, 1, kt);
    v.forward(xt, 1, vt);
    int pos = cache.size;
    if (rope != null) { // both at this token's position
      rope.apply(qt, 1, 1, pos);
      rope.apply(kt, 1, 1, pos);
    }
    int len = pos + 1;
    float scale = (float) (1 / Math.sqrt(dh));
    float[] c = new float[d];
    float[] qh = new float[dh];
    float[] p = new float[len];
    for (int h = 0; h < heads; h++) {
      if (cache.keys[h].length < len * dh) {
        cache.keys[h] = java.util.Arrays.copyOf(cache.keys[h], Math.max(len, 2 * pos) * dh);
        cache.values[h] = java.util.Arrays.copyOf(cache.values[h], Math.max(len, 2 * pos) * dh);
      }
      System.arraycopy(kt, h * dh, cache.keys[h], pos * dh, dh);
      System.arraycopy(vt, h * dh, cache.values[h], pos * dh, dh);
      System.arraycopy(qt, h * dh, qh, 0, dh);
      Gemm.mm(false, true, 1, len, dh, scale, qh, 0, cache.keys[h], 0, 0f, p, 0);
      softmax(p, 0, len, len - 1);
      Gemm.mm(false, false, 1, dh, len, 1f, p, 0, cache.values[h], 0, 0f, c, h * dh);
    }
    cache.size = len;
    float[] y = new float[d];
    o.forward(c, 1, y);
    return y;
  }

  /** Its four matrices, for a scaffold switch ({@link org.lottalora.core.train.ScaffoldSwitch}). */
  public void scaffoldLayers(java.util.List<AdaptedDense> out) {
    out.add(q);
    out.add(k);
    out.add(v);
    out.add(o);
  }
}
