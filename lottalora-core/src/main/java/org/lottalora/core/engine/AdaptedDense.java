package org.lottalora.core.engine;

import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.util.Simd;

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
  private float[] wSeed;
  // W_seed [out, in] followed by A [r, in] in one array: one product reads x for both (a convolution's x is its
  // im2col columns, the largest array of a step), and one product gives dx. Only layers built over the engine's own
  // copies (PlanEngine) stack; the Transformers keep W_seed shared with their backbone.
  private boolean stacked;
  // the stacked [W_seed; A] also in native memory, where every product reads it without a copy (W_seed is the
  // largest operand of an MLP's products); A's rows are written to both copies before each use
  private NativeBlock pinned;
  private float[] bias;
  private Param trainedBias;
  private Param w;
  private Param a;
  private Param b;
  private Param beta;
  private float[] weff;
  private Param magnitude;
  private final boolean frozenLayer;
  private float[] direction;
  private double[] norm;
  // the batch's dense dW: made on first use (accumulate, full mode, DoRA); a plain adapter's backward never needs it,
  // and the 900M preset's adapted attention would hold 1.5 GB of it
  private float[] dw;
  private int rank;
  private boolean dwUsed;

  /** Backbone tensors {@code prefix.weight} [out, in] and {@code prefix.bias} [out] of this layer. */
  public static List<TensorSpec> tensors(String prefix, int in, int out, InitSpec init) {
    return List.of(TensorSpec.of(prefix + ".weight", new int[] {out, in}, init),
        TensorSpec.bias(prefix + ".bias", out, in, InitSpec.parse("uniform")));
  }

  public AdaptedDense(String prefix, int in, int out, Backbone bb, AdapterConfig ac, boolean full,
      List<Param> params) {
    this(prefix, in, out, bb.get(prefix + ".weight"), bb.get(prefix + ".bias"), ac, full, false, false, params);
  }

  /**
   * A layer over the given frozen values (not copied): {@code wSeed} [out, in] and {@code bias} [out], or a null
   * bias for a layer without one (a convolution followed by BatchNorm). With {@code trainBias} the bias is a trained
   * array {@code prefix.bias} starting at {@code bias} (full-mode MLPs and heads train theirs; the paper's adapted
   * layers keep theirs frozen).
   */
  public AdaptedDense(String prefix, int in, int out, float[] wSeed, float[] bias, AdapterConfig ac, boolean full,
      boolean trainBias, List<Param> params) {
    this(prefix, in, out, wSeed, bias, ac, full, false, trainBias, params);
    if (factored() && (long) (out + rank) * in < Integer.MAX_VALUE) {
      float[] both = new float[(out + rank) * in];
      System.arraycopy(wSeed, 0, both, 0, out * in);
      this.wSeed = both; // every use of W_seed reads its first out * in values
      stacked = true;
      pinned = new NativeBlock().fit((long) both.length);
      pinned.buffer().put(0, both, 0, out * in);
    }
  }

  private AdaptedDense(String prefix, int in, int out, float[] wSeed, float[] bias, AdapterConfig ac, boolean full,
      boolean frozen, boolean trainBias, List<Param> params) {
    this.prefix = prefix;
    this.in = in;
    this.out = out;
    this.full = full;
    this.ac = ac;
    this.frozenLayer = frozen;
    this.wSeed = wSeed;
    this.bias = bias;
    if (frozen) { // nothing trained: no copy of the weight, no dW (the 900M preset's MLPs are 3 GB of them)
      dw = null;
      refresh();
      return;
    }
    if (trainBias) {
      if (bias == null) {
        throw new IllegalArgumentException("layer " + prefix + " has no bias to train");
      }
      trainedBias = new Param(prefix + ".bias", bias.clone());
      this.bias = trainedBias.v;
    }
    if (full && ac.dora()) {
      throw new IllegalArgumentException("DoRA decomposes an adapted weight; the full-training baseline has none");
    }
    if (full) {
      w = new Param(prefix + ".weight", wSeed.clone());
      params.add(w);
      if (trainedBias != null) {
        params.add(trainedBias);
      }
      return;
    }
    if (trainedBias != null) {
      params.add(trainedBias);
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
    return new AdaptedDense(prefix, in, out, bb.get(prefix + ".weight"), bb.get(prefix + ".bias"),
        AdapterConfig.defaults(1), true, true, false, new java.util.ArrayList<>());
  }

  // the merged weight the row-array paths read; a native product with a null array would crash the JVM
  private float[] merged() {
    if (weff == null) {
      throw new IllegalStateException("layer " + prefix + " has no merged weight: call refresh() after building it "
          + "and after each step" + (stacked ? " (a factored layer runs through forward(float[], int, float[]))" : ""));
    }
    return weff;
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
    if (stacked && factored()) { // inference runs factored too: no merged copy of W to make or hold
      weff = null;
      return;
    }
    int r = rank;
    float s = (float) ac.scaling();
    float bt = beta == null ? 1f : beta.v[0];
    float[] e = weff != null && weff != wSeed && weff.length == out * in && magnitude == null ? weff
        : new float[out * in];
    merge(wSeed, bt, s, b.v, a.v, out, in, r, e);
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

  /**
   * The adapter formula, the one place it is written: {@code dest = beta W + s B A} for W [out, in] (the scaffold,
   * or null for the "W_seed removed" ablation), B [out, r] and A [r, in], all row-major. Every consumer of an adapted
   * weight (training here, merged inference, export, ANN-to-SNN conversion) gets it from this method.
   */
  public static void merge(float[] w, float beta, float s, float[] b, float[] a, int out, int in, int r,
      float[] dest) {
    Gemm.mm(false, false, out, in, r, s, b, a, 0f, dest); // s B A
    if (w != null) {
      for (int j = 0; j < out * in; j++) {
        dest[j] += beta * w[j];
      }
    }
  }

  /** Whether {@link #mergeRows} runs in SIMD lanes (where available; tests turn it off to compare the paths). */
  static volatile boolean simdMerge = Simd.available();

  /**
   * Rows [rowFrom, rowTo) of {@code W' = beta W + s B A} by one exact formula, for the merged inference paths: per
   * output, {@code sum = ((0 + B[i,0] A[0,j]) + B[i,1] A[1,j]) + ...} in rank order, then {@code beta w + s sum}, in
   * plain float arithmetic. Unlike {@link #merge} (a BLAS product, whose rounding depends on the BLAS build), the
   * result does not depend on the machine, the chunking or the thread count, so every merged path (a loaded model's
   * merge, the graph-free load chunk by chunk, the export) agrees bit for bit. Runs in SIMD lanes where the Vector
   * API module is present (the same bits).
   *
   * @param w the rows of W_seed from {@code wOff} (row rowFrom first), or null for {@code s B A} alone
   * @param b B [out, r]
   * @param a A [r, in]
   * @param dest receives the rows from {@code destOff}; may be {@code w} itself at the same offset
   */
  public static void mergeRows(float[] w, int wOff, float beta, float s, float[] b, float[] a, int in, int r,
      int rowFrom, int rowTo, float[] dest, int destOff) {
    int done = simdMerge ? VectorFold.rows(w, wOff, beta, s, b, a, in, r, rowFrom, rowTo, dest, destOff) : 0;
    if (done == in) {
      return;
    }
    float[] acc = new float[in - done];
    for (int i = rowFrom; i < rowTo; i++) {
      java.util.Arrays.fill(acc, 0f);
      int k = 0;
      for (; k + 4 <= r; k += 4) { // four terms per pass over acc, added in the same order as one at a time
        float c0 = b[i * r + k];
        float c1 = b[i * r + k + 1];
        float c2 = b[i * r + k + 2];
        float c3 = b[i * r + k + 3];
        int a0 = k * in + done;
        int a1 = a0 + in;
        int a2 = a1 + in;
        int a3 = a2 + in;
        for (int j = 0; j < acc.length; j++) {
          acc[j] = (((acc[j] + c0 * a[a0 + j]) + c1 * a[a1 + j]) + c2 * a[a2 + j]) + c3 * a[a3 + j];
        }
      }
      for (; k < r; k++) {
        float c = b[i * r + k];
        int ao = k * in + done;
        for (int j = 0; j < acc.length; j++) {
          acc[j] += c * a[ao + j];
        }
      }
      int wo = wOff + (i - rowFrom) * in + done;
      int d = destOff + (i - rowFrom) * in + done;
      for (int j = 0; j < acc.length; j++) {
        dest[d + j] = w == null ? s * acc[j] : beta * w[wo + j] + s * acc[j];
      }
    }
  }

  /** {@code x W'^T + b} for rows x [n][in] (after {@link #refresh}; a factored layer takes the flat forward). */
  public float[][] forward(float[][] x) {
    float[][] z = Blas.timesTransposed(x, merged(), out);
    if (bias == null) {
      return z;
    }
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
      Blas.addTransposedTimes(dz, x, denseGradient(), out, in);
      dwUsed = true;
    }
    return Blas.times(dz, merged(), in);
  }

  /**
   * Adds the batch's dense dW (from {@link #accumulate}, or DoRA's and full mode's {@link #backward}) to the
   * gradients of the trained arrays and clears it; a no-op when no dW was gathered (a plain adapter's
   * {@link #backward} adds its gradients directly). Trainers zero the gradients before each batch.
   */
  public void finish() {
    if (frozenLayer || !dwUsed) {
      return;
    }
    dwUsed = false;
    if (full) {
      for (int i = 0; i < dw.length; i++) {
        w.g[i] += dw[i];
      }
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
          magnitude.g[o] += (float) (gv / n);
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
        beta.g[0] += (float) g;
      }
      Gemm.mm(false, true, out, r, in, s, dw, a.v, 1f, b.g); // dB += s dW A^T
      Gemm.mm(true, false, r, in, out, s, b.v, dw, 1f, a.g); // dA += s B^T dW
    }
    java.util.Arrays.fill(dw, 0);
  }

  /**
   * What {@link #forwardTrain} keeps for {@link #backward}: the scaffold's own product {@code x W_seed^T} (for the
   * gradient of beta), the adapter's {@code x A^T} and, with adapter dropout, the masked input. One per call site;
   * its arrays are reused across steps.
   */
  public static final class Cache {
    float[] base = new float[0];
    int baseStride;
    float[] xa = new float[0];
    float[] xm = new float[0];
    float[] dzb = new float[0];
    float[] tmp = new float[0];
  }

  /** A cache for this layer's training passes. */
  public Cache newCache() {
    return new Cache();
  }

  /** Whether the weight is the frozen scaffold {@code W_seed} (adapted or frozen), not trained in full. */
  public boolean scaffoldWeight() {
    return frozenLayer || !full;
  }

  /** Replaces the frozen scaffold values (a resampled scaffold): {@code wSeed} [out, in], and the bias if frozen. */
  public void setScaffold(float[] newWeight, float[] newBias) {
    if (newWeight.length != out * in) {
      throw new IllegalArgumentException("scaffold of " + prefix + " has " + newWeight.length + " values, not "
          + out * in);
    }
    if (stacked) {
      System.arraycopy(newWeight, 0, wSeed, 0, out * in);
      pinned.buffer().put(0, newWeight, 0, out * in);
    } else {
      wSeed = newWeight;
    }
    if (trainedBias == null && newBias != null) {
      bias = newBias;
    }
    refresh();
  }

  /**
   * {@code z = x W'^T + b} on row-major blocks: x [n, in], z [n, out] (overwritten), with the effective weight of
   * the last {@link #refresh}. The inference path: one product.
   */
  public void forward(float[] x, int n, float[] z) {
    if (weff == null) {
      forwardTrain(x, n, z, inference);
      return;
    }
    Gemm.mm(false, true, n, out, in, 1f, x, weff, 0f, z);
    addBias(z, n);
  }

  // the factored inference pass's buffers (a stacked layer holds no merged weight)
  private final Cache inference = new Cache();

  private void addBias(float[] z, int n) {
    if (bias == null) {
      return;
    }
    for (int r = 0; r < n; r++) {
      int off = r * out;
      for (int o = 0; o < out; o++) {
        z[off + o] += bias[o];
      }
    }
  }

  private float[] denseGradient() {
    if (dw == null) {
      dw = new float[out * in];
    }
    return dw;
  }

  private boolean factored() {
    return !frozenLayer && !full && magnitude == null;
  }

  /**
   * True if {@link #forwardTrain} reads the merged weight of the last {@link #refresh} (DoRA, full mode), so a
   * trainer must refresh after every optimizer step; a plain adapter trains in factored form and needs none.
   */
  public boolean mergesForTraining() {
    return !factored() && !frozenLayer;
  }

  /**
   * The training forward pass: the same {@code z} as {@link #forward}, computed for a plain adapter as
   * {@code beta (x W_seed^T) + s (x A^T) B^T + b} so that backward gets beta's gradient from the kept
   * {@code x W_seed^T} instead of a second full-size product.
   */
  public void forwardTrain(float[] x, int n, float[] z, Cache c) {
    forwardTrain(x, null, n, z, c);
  }

  /**
   * {@link #forwardTrain(float[], int, float[], Cache)} with adapter dropout: the adapter reads {@code x * mask}
   * ([n, in], inverted-dropout values; null for none) while the scaffold reads x, as PEFT's {@code lora_dropout}.
   */
  public void forwardTrain(float[] x, float[] mask, int n, float[] z, Cache c) {
    if (!factored()) {
      if (mask != null) {
        throw new IllegalArgumentException("adapter dropout needs an unmerged adapter; " + prefix + " has none");
      }
      forward(x, n, z);
      return;
    }
    int r = rank;
    c.xa = Buffers.fit(c.xa, n * r);
    if (stacked && mask == null) {
      stackedProducts(x, n, c);
    } else {
      c.base = Buffers.fit(c.base, n * out);
      c.baseStride = out;
      float[] xin = x;
      if (mask != null) {
        c.xm = Buffers.fit(c.xm, n * in);
        for (int i = 0; i < n * in; i++) {
          c.xm[i] = x[i] * mask[i];
        }
        xin = c.xm;
      }
      Gemm.mm(false, true, n, out, in, 1f, x, wSeed, 0f, c.base);
      Gemm.mm(false, true, n, r, in, 1f, xin, a.v, 0f, c.xa);
    }
    combine(n, z, c);
  }

  /**
   * {@code [x W_seed^T | x A^T]} in one product into the cache's base (stride out + r), then {@code x A^T} made
   * contiguous; x is a heap array or a native block (a convolution's columns).
   */
  private void stackedProducts(Object x, int n, Cache c) {
    int r = rank;
    int both = out + r;
    if (!(x instanceof NativeBlock)) { // a native (chunked) pass had syncAdapter called once before its chunks
      stackA();
    }
    c.base = Buffers.fit(c.base, n * both);
    c.baseStride = both;
    if (x instanceof NativeBlock nx) {
      Gemm.mm(false, true, n, both, in, 1f, nx, pinned, 0f, c.base);
    } else {
      Gemm.mm(false, true, n, both, in, 1f, (float[]) x, pinned, 0f, c.base);
    }
    for (int row = 0; row < n; row++) {
      System.arraycopy(c.base, row * both + out, c.xa, row * r, r);
    }
  }

  /** Writes A's current values below W_seed in both stacked copies. */
  private void stackA() {
    System.arraycopy(a.v, 0, wSeed, out * in, rank * in);
    pinned.buffer().put(out * in, a.v, 0, rank * in);
  }

  // z = s (x A^T) B^T + beta (x W_seed^T) + b from the kept products
  private void combine(int n, float[] z, Cache c) {
    int r = rank;
    Gemm.mm(false, true, n, out, r, (float) ac.scaling(), c.xa, b.v, 0f, z);
    float bt = beta();
    float[] base = c.base;
    int stride = c.baseStride;
    float[] bs = bias;
    for (int row = 0; row < n; row++) {
      int off = row * out;
      int bo = row * stride;
      if (bs == null) {
        for (int o = 0; o < out; o++) {
          z[off + o] += bt * base[bo + o];
        }
      } else {
        for (int o = 0; o < out; o++) {
          z[off + o] += bt * base[bo + o] + bs[o];
        }
      }
    }
  }

  /**
   * Writes A's current values into the stacked {@code [W_seed; A]} copies. The passes over native inputs (a
   * convolution's chunks of images, which may run on several threads at once) read those copies without writing
   * them, so their caller calls this once before the chunks, after the optimizer's last step.
   */
  public void syncAdapter() {
    if (stacked && factored()) {
      stackA();
    }
  }

  /**
   * {@link #forward(float[], int, float[])} of an input in native memory (a convolution's columns); {@code c} holds
   * the factored pass's products (a cache per chunk, so chunks can run on several threads).
   */
  public void forward(NativeBlock x, int n, float[] z, Cache c) {
    if (weff == null) {
      forwardTrain(x, n, z, c);
      return;
    }
    Gemm.mm(false, true, n, out, in, 1f, x, weff, 0f, z);
    addBias(z, n);
  }

  /**
   * {@link #forwardTrain(float[], int, float[], Cache)} of an input in native memory (a convolution's columns);
   * {@link #syncAdapter} must have run since A last changed.
   */
  public void forwardTrain(NativeBlock x, int n, float[] z, Cache c) {
    if (!factored()) {
      forward(x, n, z, c);
      return;
    }
    int r = rank;
    c.xa = Buffers.fit(c.xa, n * r);
    if (stacked) {
      stackedProducts(x, n, c);
    } else {
      c.base = Buffers.fit(c.base, n * out);
      c.baseStride = out;
      Gemm.mm(false, true, n, out, in, 1f, x, wSeed, 0f, c.base);
      Gemm.mm(false, true, n, r, in, 1f, x, a.v, 0f, c.xa);
    }
    combine(n, z, c);
  }

  /**
   * The gradients of one chunk of a pass, kept apart from the layer's own: chunks of a convolution's images run on
   * several threads, and {@link #addChunk} adds each chunk's share in chunk order, so the sums, to the last bit, do
   * not depend on the thread count. Reused across steps.
   */
  public static final class ChunkGradients {
    final float[] bias;
    final float[] beta = new float[1];
    final float[] a;
    final float[] b;
    final float[] dw;
    boolean dwUsed;

    private ChunkGradients(AdaptedDense d) {
      bias = d.trainedBias == null ? null : new float[d.out];
      a = d.factored() ? new float[d.rank * d.in] : null;
      b = d.factored() ? new float[d.out * d.rank] : null;
      dw = d.factored() || d.frozenLayer ? null : new float[d.out * d.in];
    }
  }

  /** Empty gradients for one chunk of this layer's passes. */
  public ChunkGradients newChunkGradients() {
    return new ChunkGradients(this);
  }

  /**
   * Adds one chunk's gradients to the layer's (DoRA's and full mode's dense dW to the batch's, which
   * {@link #finish} turns into the trained arrays' gradients) and clears them.
   */
  public void addChunk(ChunkGradients g) {
    addInto(g.bias, trainedBias == null ? null : trainedBias.g);
    if (beta != null) {
      beta.g[0] += g.beta[0];
    }
    g.beta[0] = 0;
    if (factored()) {
      addInto(g.a, a.g);
      addInto(g.b, b.g);
    }
    if (g.dwUsed) {
      addInto(g.dw, denseGradient());
      dwUsed = true;
      g.dwUsed = false;
    }
  }

  private static void addInto(float[] from, float[] to) {
    if (from == null) {
      return;
    }
    for (int i = 0; i < from.length; i++) {
      to[i] += from[i];
      from[i] = 0;
    }
  }

  /**
   * {@link #backward(float[], float[], int, Cache, float[], boolean)} of a pass over an input in native memory (a
   * chunk of a convolution's columns), with the input's gradient (overwritten; null for none) in native memory
   * too. The trained arrays' gradients go to {@code g}, not to the layer ({@link #addChunk} adds them), and the
   * layer's own state is only read, so chunks may run on several threads; {@link #syncAdapter} must have run since
   * A last changed.
   */
  public void backward(float[] dz, NativeBlock x, int n, Cache c, NativeBlock dx, ChunkGradients g) {
    biasGradient(dz, n, g.bias);
    if (!factored()) {
      if (!frozenLayer) {
        Gemm.mm(true, false, out, in, n, 1f, dz, x, 1f, g.dw); // dW += dz^T x
        g.dwUsed = true;
      }
      if (dx != null) {
        dx.fit((long) n * in);
        Gemm.mm(false, false, n, in, out, 1f, dz, weff, 0f, dx);
      }
      return;
    }
    float[] dzb = adapterGradients(dz, n, c, g.beta, g.b);
    Gemm.mm(true, false, rank, in, n, (float) ac.scaling(), dzb, x, 1f, g.a); // dA += s (dz B)^T x
    if (dx != null) {
      dx.fit((long) n * in);
      if (stacked) {
        Gemm.mm(false, false, n, in, out + rank, 1f, stackedGradient(dz, dzb, n, c, false), pinned, 0f, dx);
      } else {
        throw new IllegalStateException(prefix + ": a native input gradient needs the stacked layout");
      }
    }
  }

  /**
   * Rows of the input gradient's factors: {@code dx = G M} with G [n, rows] ({@link #inputGradientLeft}) and M
   * [rows, in] ({@link #inputGradientRight}); out + r for a factored adapter ({@code [beta dz | s dz B]} and
   * {@code [W_seed; A]}), out otherwise (dz and the merged weight).
   */
  public int inputGradientRows() {
    return factored() ? out + rank : out;
  }

  /**
   * G of {@link #inputGradientRows}, after a {@link #backward(float[], NativeBlock, int, Cache, NativeBlock,
   * ChunkGradients)} of the same dz and cache (which computed dz B): a cache array, or dz itself. A convolution
   * multiplies it by M through its adjoint instead of forming the column gradient G M.
   */
  public float[] inputGradientLeft(float[] dz, int n, Cache c) {
    return factored() ? stackedGradient(dz, c.dzb, n, c, false) : dz;
  }

  /** M of {@link #inputGradientRows}: the layer's own array, read only ({@link #syncAdapter} first). */
  public float[] inputGradientRight() {
    if (factored() && !stacked) {
      throw new IllegalStateException(prefix + ": the input gradient's factors need the stacked layout");
    }
    return factored() ? wSeed : weff;
  }

  private void biasGradient(float[] dz, int n) {
    biasGradient(dz, n, trainedBias == null ? null : trainedBias.g);
  }

  private void biasGradient(float[] dz, int n, float[] g) {
    if (g != null) {
      for (int row = 0; row < n; row++) {
        int off = row * out;
        for (int o = 0; o < out; o++) {
          g[o] += dz[off + o];
        }
      }
    }
  }

  /** Adds beta's and B's gradients; returns dz B [n, r] (a cache array). */
  private float[] adapterGradients(float[] dz, int n, Cache c) {
    return adapterGradients(dz, n, c, beta == null ? null : beta.g, b.g);
  }

  // ... into betaG[0] (null: beta not trained) and bG
  private float[] adapterGradients(float[] dz, int n, Cache c, float[] betaG, float[] bG) {
    int r = rank;
    float s = (float) ac.scaling();
    if (beta != null) {
      double g = 0;
      float[] base = c.base;
      int stride = c.baseStride;
      for (int row = 0; row < n; row++) {
        int off = row * out;
        int bo = row * stride;
        for (int o = 0; o < out; o++) {
          g += dz[off + o] * base[bo + o];
        }
      }
      betaG[0] += (float) g;
    }
    c.dzb = Buffers.fit(c.dzb, n * r);
    float[] dzb = c.dzb;
    Gemm.mm(false, false, n, r, out, 1f, dz, b.v, 0f, dzb); // dz B [n, r]
    Gemm.mm(true, false, out, r, n, s, dz, c.xa, 1f, bG); // dB += s dz^T (x A^T)
    return dzb;
  }

  /** [beta dz | s dz B] [n, out + r], the left factor of dx = [beta dz | s dz B] [W_seed; A] (A refreshed). */
  private float[] stackedGradient(float[] dz, float[] dzb, int n, Cache c) {
    return stackedGradient(dz, dzb, n, c, true);
  }

  // stack: write A into the stacked copies first (not from a chunk, which may run beside others: syncAdapter)
  private float[] stackedGradient(float[] dz, float[] dzb, int n, Cache c, boolean stack) {
    int r = rank;
    int both = out + r;
    float s = (float) ac.scaling();
    c.tmp = Buffers.fit(c.tmp, n * both);
    float bt = beta();
    float[] t = c.tmp;
    for (int row = 0; row < n; row++) {
      int to = row * both;
      for (int o = 0; o < out; o++) {
        t[to + o] = bt * dz[row * out + o];
      }
      for (int j = 0; j < r; j++) {
        t[to + out + j] = s * dzb[row * r + j];
      }
    }
    if (stack) {
      stackA();
    }
    return t;
  }

  /**
   * Backward through {@link #forwardTrain} for output gradient dz [n, out] of input x [n, in]: adds the trained
   * arrays' gradients into their {@code g} (DoRA and full mode through the batch's dense dW, turned into the
   * arrays' gradients by {@link #finish}) and writes, or with {@code addDx} adds, the input's gradient into dx
   * [n, in] (dx may be null when the input needs none).
   */
  public void backward(float[] dz, float[] x, int n, Cache c, float[] dx, boolean addDx) {
    backward(dz, x, null, n, c, dx, addDx);
  }

  /** {@link #backward(float[], float[], int, Cache, float[], boolean)} of a pass run with adapter dropout. */
  public void backward(float[] dz, float[] x, float[] mask, int n, Cache c, float[] dx, boolean addDx) {
    biasGradient(dz, n);
    if (factored()) {
      int r = rank;
      float s = (float) ac.scaling();
      float[] dzb = adapterGradients(dz, n, c);
      float[] xin = mask == null ? x : c.xm;
      Gemm.mm(true, false, r, in, n, s, dzb, xin, 1f, a.g); // dA += s (dz B)^T x
      if (dx != null && mask == null && stacked) { // dx = [beta dz | s dz B] [W_seed; A], one product
        Gemm.mm(false, false, n, in, out + r, 1f, stackedGradient(dz, dzb, n, c), pinned, addDx ? 1f : 0f, dx);
      } else if (dx != null) { // dx = beta dz W_seed + s (dz B) A
        Gemm.mm(false, false, n, in, out, beta(), dz, wSeed, addDx ? 1f : 0f, dx);
        if (mask == null) {
          Gemm.mm(false, false, n, in, r, s, dzb, a.v, 1f, dx);
        } else {
          c.tmp = Buffers.fit(c.tmp, n * in);
          Gemm.mm(false, false, n, in, r, s, dzb, a.v, 0f, c.tmp);
          for (int i = 0; i < n * in; i++) {
            dx[i] += c.tmp[i] * mask[i];
          }
        }
      }
      return;
    }
    if (!frozenLayer) {
      Gemm.mm(true, false, out, in, n, 1f, dz, x, 1f, denseGradient()); // dW += dz^T x
      dwUsed = true;
    }
    if (dx != null) {
      Gemm.mm(false, false, n, in, out, 1f, dz, weff, addDx ? 1f : 0f, dx);
    }
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
