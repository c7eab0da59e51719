package org.lottalora.core.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.BatchNorm;
import org.lottalora.core.engine.Buffers;
import org.lottalora.core.engine.Conv2d;
import org.lottalora.core.engine.Gemm;
import org.lottalora.core.engine.GlobalAvgPool;
import org.lottalora.core.engine.LayerNorm;
import org.lottalora.core.engine.NativeBlock;
import org.lottalora.core.engine.Parallel;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.SoftmaxCrossEntropy;
import org.lottalora.core.util.NdArrays;

/**
 * Runs a {@link ModelGraph}'s plan ({@link LayerStep}s) on the compute engine: the training and inference path of
 * the MLP, the single-layer classifier and the Plain-N CNN, with every variant the plan records (LoRA, rsLoRA, DoRA,
 * adapter dropout, trained or frozen bias, learned or fixed beta, residual and LayerNorm closes, full training). It
 * holds its own copies of the graph's arrays as engine {@link Param}s under the graph's tensor names; the graph's
 * SameDiff arrays stay the model's record (saving, merging, export), synced at epoch ends by the trainer and pulled
 * back whenever the graph's values change.
 *
 * <p>A step's output is an NHWC block [n h w, c]; a convolution is im2col plus an adapted matrix product over the
 * [out, in k k] kernel, so its adapter, DoRA and full modes are the dense layer's own ({@link AdaptedDense}). It
 * runs in chunks of images whose columns fit in cache (about 256 KB), and backward recomputes the columns rather than
 * keep them.
 * Not thread-safe: {@link ModelGraph} serialises inference, the trainer owns training.
 */
public final class PlanEngine {
  private final ModelGraph graph;
  private final List<LayerStep> plan;
  private final int classes;
  private final List<Param> params = new ArrayList<>();
  private final Object[] ops;
  private final int[] hwOut;
  private final int[] cOut;
  private final int[] blockStart; // for a Close step: the index of the activation its block started from
  private final AdaptedDense.Cache[] caches;
  private final BatchNorm.Cache[] bnCaches;
  private final LayerNorm.Cache[] lnCaches;
  private final float[][] acts; // what each step reads: its own buffer, or an alias (inference dropout, the input)
  private final float[][] own;
  private final float[][] grads;
  private final float[][] ownGrad;
  // a convolution runs in chunks of images whose columns (im2col) fit in cache; backward recomputes them
  // per convolution, one cache per chunk of its last training pass, one per chunk of its last inference pass, and
  // each chunk's share of the gradients (added in chunk order whatever thread ran the chunk)
  private final List<AdaptedDense.Cache>[] chunkCaches;
  private final List<AdaptedDense.Cache>[] inferCaches;
  private final List<AdaptedDense.ChunkGradients>[] chunkGrads;
  private final float[][] flippedTaps; // per size-preserving convolution, its adjoint's matrix (rebuilt each pass)
  // per engine thread (slot): a chunk's columns, their gradient, its outputs and output gradient
  private NativeBlock[] colChunk = {};
  private NativeBlock[] colGradChunk = {};
  private float[][] zChunk = {};
  private float[][] dzChunk = {};
  private float[] dz = new float[0];
  private long trainedVersion = -1;
  private boolean stale = true;
  private long frozenVersion = -1;

  /** Builds the ops of {@code graph}'s plan over its current arrays. */
  PlanEngine(ModelGraph graph) {
    this.graph = graph;
    this.plan = graph.plan();
    this.classes = graph.classes();
    int k = plan.size();
    ops = new Object[k];
    hwOut = new int[k];
    cOut = new int[k];
    blockStart = new int[k];
    caches = new AdaptedDense.Cache[k];
    bnCaches = new BatchNorm.Cache[k];
    lnCaches = new LayerNorm.Cache[k];
    acts = new float[k + 1][];
    own = new float[k + 1][0];
    grads = new float[k + 1][];
    ownGrad = new float[k + 1][0];
    @SuppressWarnings("unchecked")
    List<AdaptedDense.Cache>[] perChunk = new List[k];
    chunkCaches = perChunk;
    @SuppressWarnings("unchecked")
    List<AdaptedDense.Cache>[] perInferChunk = new List[k];
    inferCaches = perInferChunk;
    @SuppressWarnings("unchecked")
    List<AdaptedDense.ChunkGradients>[] perChunkGrads = new List[k];
    chunkGrads = perChunkGrads;
    flippedTaps = new float[k][];
    AdapterConfig ac = graph.adapter();
    Map<String, float[]> values = graph.trainedValues();
    int hw = 1;
    int c = -1;
    int start = 0;
    for (int i = 0; i < k; i++) {
      LayerStep s = plan.get(i);
      if (s instanceof LayerStep.Affine a) {
        String p = a.prefix();
        boolean trainW = a.weightTrained();
        // a trained matrix (head, full mode) has no adapter, so none of the adapter's switches (DoRA) applies
        AdapterConfig layerConfig = trainW ? AdapterConfig.defaults(1) : ac;
        float[] w = trainW ? values.get(a.weight()) : frozen(a.weight());
        float[] b = a.biasTrained() ? values.get(a.bias()) : frozen(a.bias());
        // a head or a full-mode layer trains W and b; an adapted layer trains b only when asked
        ops[i] = new AdaptedDense(p, a.dIn(), a.dOut(), w, b, layerConfig, trainW, a.biasTrained(), params);
        caches[i] = new AdaptedDense.Cache();
        start = i;
        hw = 1;
        c = a.dOut();
      } else if (s instanceof LayerStep.Conv cv) {
        Conv2d geometry = new Conv2d(cv.prefix(), cv.in(), cv.out(), cv.k(), cv.stride(), cv.pad(), cv.h(), cv.w());
        String wName = cv.prefix() + ".weight";
        float[] w = geometry.toPatchOrder(graph.full() ? values.get(wName) : frozen(wName), cv.out());
        AdaptedDense dense = new AdaptedDense(cv.prefix(), geometry.fan(), cv.out(), w, null,
            graph.full() ? AdapterConfig.defaults(1) : ac, graph.full(), false, params);
        ops[i] = new ConvOp(geometry, dense);
        chunkCaches[i] = new ArrayList<>();
        inferCaches[i] = new ArrayList<>();
        chunkGrads[i] = new ArrayList<>();
        start = i;
        hw = geometry.oh * geometry.ow;
        c = cv.out();
      } else if (s instanceof LayerStep.BatchNorm bn) {
        ops[i] = new BatchNorm(bn.prefix(), bn.channels(), params);
        bnCaches[i] = ((BatchNorm) ops[i]).newCache();
      } else if (s instanceof LayerStep.Close cl) {
        ops[i] = cl.layerNorm() ? new LayerNorm(cl.prefix() + ".ln", c, params) : null;
        lnCaches[i] = new LayerNorm.Cache();
        blockStart[i] = start;
      } else if (s instanceof LayerStep.Pool) {
        hw = 1;
      }
      hwOut[i] = hw;
      cOut[i] = c;
    }
    Map<String, float[]> trainedOnly = new HashMap<>(values);
    statisticNames().forEach(trainedOnly::remove);
    if (!new java.util.TreeSet<>(trainedOnly.keySet()).equals(new java.util.TreeSet<>(Params.copy(params).keySet()))) {
      throw new IllegalStateException("the engine's plan trains " + Params.copy(params).keySet() + " but the graph "
          + "trains " + trainedOnly.keySet() + "; the family built ops outside its plan");
    }
    Params.restore(params, toEngine(trainedOnly), "this model");
    setStatistics(values);
    refresh();
  }

  /**
   * The graph's values with every convolution matrix (kernel, adapter A) in the engine's patch column order; the
   * other arrays as they are. See {@link Conv2d#toPatchOrder}.
   */
  private Map<String, float[]> toEngine(Map<String, float[]> values) {
    return convertConv(values, true);
  }

  /** The inverse of {@link #toEngine}: arrays as the graph and the artifact hold them. */
  private Map<String, float[]> toModel(Map<String, float[]> values) {
    return convertConv(values, false);
  }

  private Map<String, float[]> convertConv(Map<String, float[]> values, boolean toEngine) {
    Map<String, float[]> out = new LinkedHashMap<>(values);
    for (int i = 0; i < plan.size(); i++) {
      if (ops[i] instanceof ConvOp cv) {
        Conv2d g = cv.geometry();
        for (String name : new String[] {g.prefix + ".weight", g.prefix + GraphBuilder.LORA_A}) {
          float[] v = out.get(name);
          if (v != null) {
            int rows = v.length / g.fan();
            out.put(name, toEngine ? g.toPatchOrder(v, rows) : g.fromPatchOrder(v, rows));
          }
        }
      }
    }
    return out;
  }

  /** The gradients of the last passes by graph tensor name, in the graph's layouts (copies). */
  public Map<String, float[]> gradients() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Param p : params) {
      out.put(p.name, p.g.clone());
    }
    return toModel(out);
  }

  /**
   * True if {@code plan} chains: it starts with the layer that reads the input ({@code features} values per sample),
   * every step's input has the shape the step needs, and it ends in {@code classes} values per sample.
   */
  static boolean chains(List<LayerStep> plan, int features, int classes) {
    if (plan.isEmpty() || features < 1) {
      return false;
    }
    int hw = -1;
    int c = -1;
    boolean first = true;
    for (LayerStep s : plan) {
      if (s instanceof LayerStep.Affine a) {
        if (first ? a.dIn() != features : hw != 1 || c != a.dIn()) {
          return false;
        }
        hw = 1;
        c = a.dOut();
      } else if (s instanceof LayerStep.Conv cv) {
        if (first ? cv.in() * cv.h() * cv.w() != features : hw != cv.h() * cv.w() || c != cv.in()) {
          return false;
        }
        int oh = (cv.h() + 2 * cv.pad() - cv.k()) / cv.stride() + 1;
        int ow = (cv.w() + 2 * cv.pad() - cv.k()) / cv.stride() + 1;
        hw = oh * ow;
        c = cv.out();
      } else if (first) {
        return false;
      } else if (s instanceof LayerStep.BatchNorm bn && bn.channels() != c) {
        return false;
      } else if (s instanceof LayerStep.Pool) {
        hw = 1;
      }
      first = false;
    }
    return hw == 1 && c == classes;
  }

  /** A convolution: its geometry and the adapted [out, in k k] matrix. */
  private record ConvOp(Conv2d geometry, AdaptedDense dense) {}

  private float[] frozen(String name) {
    return NdArrays.read(graph.sameDiff().getVariable(name).getArr());
  }

  private List<String> statisticNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      if (ops[i] instanceof BatchNorm) {
        String p = ((LayerStep.BatchNorm) plan.get(i)).prefix();
        out.add(p + GraphBuilder.BN_MEAN);
        out.add(p + GraphBuilder.BN_VAR);
      }
    }
    return out;
  }

  private void setStatistics(Map<String, float[]> values) {
    for (int i = 0; i < plan.size(); i++) {
      if (ops[i] instanceof BatchNorm bn) {
        String p = ((LayerStep.BatchNorm) plan.get(i)).prefix();
        float[] mean = values.get(p + GraphBuilder.BN_MEAN);
        float[] var = values.get(p + GraphBuilder.BN_VAR);
        if (mean != null && var != null) {
          System.arraycopy(mean, 0, bn.runningMean(), 0, mean.length);
          System.arraycopy(var, 0, bn.runningVar(), 0, var.length);
        }
      }
    }
  }

  /**
   * The trained arrays, under the graph's tensor names, for an optimizer; a convolution's kernel and adapter A are
   * held in patch column order ({@link #values} and {@link #gradients} give the graph's layouts).
   */
  public List<Param> params() {
    return params;
  }

  /** Records the graph versions the engine's arrays reflect. */
  void synced(long trained, long frozen) {
    trainedVersion = trained;
    frozenVersion = frozen;
  }

  /** Pulls whatever changed in the graph since the versions last synced. */
  void sync(long trained, long frozen) {
    if (frozen != frozenVersion) {
      pullFrozen();
    }
    if (trained != trainedVersion) {
      Map<String, float[]> values = graph.trainedValues();
      Map<String, float[]> trainedOnly = new HashMap<>(values);
      statisticNames().forEach(trainedOnly::remove);
      Params.restore(params, toEngine(trainedOnly), "this model");
      setStatistics(values);
    }
    if (trained != trainedVersion || frozen != frozenVersion) {
      synced(trained, frozen);
      refresh();
    }
  }

  /** Re-reads the frozen scaffold arrays from the graph (after a scaffold switch wrote new values there). */
  private void pullFrozen() {
    for (int i = 0; i < plan.size(); i++) {
      if (plan.get(i) instanceof LayerStep.Affine a && !a.weightTrained()) {
        ((AdaptedDense) ops[i]).setScaffold(frozen(a.weight()), a.biasTrained() ? null : frozen(a.bias()));
      } else if (plan.get(i) instanceof LayerStep.Conv cv && !graph.full()) {
        ConvOp op = (ConvOp) ops[i];
        op.dense().setScaffold(op.geometry().toPatchOrder(frozen(cv.prefix() + ".weight"), cv.out()), null);
      }
    }
  }

  /** The trained values and running statistics, by graph tensor name (copies). */
  public Map<String, float[]> values() {
    Map<String, float[]> out = toModel(Params.copy(params));
    out.putAll(statistics());
    return out;
  }

  /** The BatchNorm running statistics by graph tensor name (copies). */
  Map<String, float[]> statistics() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int i = 0; i < plan.size(); i++) {
      if (ops[i] instanceof BatchNorm bn) {
        String p = ((LayerStep.BatchNorm) plan.get(i)).prefix();
        out.put(p + GraphBuilder.BN_MEAN, bn.runningMean().clone());
        out.put(p + GraphBuilder.BN_VAR, bn.runningVar().clone());
      }
    }
    return out;
  }

  /** Recomputes every layer's effective weight from the current arrays (after an optimizer step). */
  public void refresh() {
    stale = false;
    for (Object op : ops) {
      if (op instanceof AdaptedDense d) {
        d.refresh();
      } else if (op instanceof ConvOp cv) {
        cv.dense().refresh();
      }
    }
  }

  /**
   * Recomputes the effective weights that training passes read after an optimizer step: DoRA's and full mode's (a
   * plain adapter trains in factored form and reads none).
   */
  public void refreshAfterStep() {
    for (Object op : ops) {
      AdaptedDense d = op instanceof AdaptedDense a ? a : op instanceof ConvOp cv ? cv.dense() : null;
      if (d != null && d.mergesForTraining()) {
        d.refresh();
      }
    }
  }

  /** Sets every trained array's gradient to zero (before a batch). */
  public void zeroGradients() {
    stale = true; // a training step follows: the arrays will change
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0f);
    }
  }

  /**
   * The forward pass over n samples {@code x} [n, features]: training mode uses batch statistics and the dropout
   * {@code masks} (by placeholder name); inference uses running statistics and no dropout. Returns the logits
   * [n, classes] (an internal buffer, valid until the next pass).
   */
  public float[] forward(float[] x, int n, boolean train, Map<String, float[]> masks) {
    acts[0] = x;
    for (int i = 0; i < plan.size(); i++) {
      LayerStep s = plan.get(i);
      float[] in = acts[i];
      int rowsIn = n * (i == 0 ? 1 : hwOut[i - 1]);
      int rows = n * hwOut[i];
      int size = rows * cOut[i];
      if (s instanceof LayerStep.Dropout d) {
        if (!train) {
          acts[i + 1] = in;
          continue;
        }
        multiply(in, mask(masks, d.mask()), fit(i + 1, size), size);
        continue;
      }
      float[] out = acts[i + 1] = fit(i + 1, size);
      if (s instanceof LayerStep.Affine a) {
        AdaptedDense d = (AdaptedDense) ops[i];
        if (train) {
          d.forwardTrain(in, a.adapterMask() == null ? null : mask(masks, a.adapterMask()), n, out, caches[i]);
        } else {
          d.forward(in, n, out);
        }
      } else if (s instanceof LayerStep.Conv) {
        convForward(i, in, n, out, train);
      } else if (s instanceof LayerStep.BatchNorm) {
        BatchNorm bn = (BatchNorm) ops[i];
        if (train) {
          bn.forwardTrain(in, rowsIn, out, bnCaches[i]);
        } else {
          bn.forward(in, rowsIn, out);
        }
      } else if (s instanceof LayerStep.Relu) {
        relu(in, out, size);
      } else if (s instanceof LayerStep.Pool) {
        GlobalAvgPool.forward(in, n, hwOut[i - 1], cOut[i], out);
      } else if (s instanceof LayerStep.Close cl) {
        float[] base = in;
        if (cl.residual()) {
          float[] blockIn = acts[blockStart[i]];
          float[] sum = cl.layerNorm() ? scratchSum(size) : out;
          for (int j = 0; j < size; j++) {
            sum[j] = in[j] + blockIn[j];
          }
          base = sum;
        }
        if (cl.layerNorm()) {
          int positions = hwOut[i];
          if (positions == 1) {
            ((LayerNorm) ops[i]).forward(base, rows, out, lnCaches[i]);
          } else { // an image block: one norm over each image's values, gain and bias per channel
            ((LayerNorm) ops[i]).forwardSamples(base, n, positions, out, lnCaches[i]);
          }
        } else if (base != out) {
          System.arraycopy(base, 0, out, 0, size);
        }
      }
    }
    return acts[plan.size()];
  }

  private float[] sumBuffer = new float[0];

  private float[] scratchSum(int size) {
    sumBuffer = Buffers.fit(sumBuffer, size);
    return sumBuffer;
  }

  private float[] fit(int a, int size) {
    own[a] = Buffers.fit(own[a], size);
    acts[a] = own[a];
    return own[a];
  }

  private static float[] mask(Map<String, float[]> masks, String name) {
    float[] m = masks == null ? null : masks.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no dropout mask fed for " + name);
    }
    return m;
  }

  /**
   * One training pass over a batch: forward in training mode, mean softmax cross-entropy against {@code labels},
   * backward; the gradient of {@code weight} times the batch's mean loss is ADDED to every array's gradient (so
   * several passes can add up: scaffold cycling, sub-batches). Returns the loss sum and the correct count.
   */
  public SoftmaxCrossEntropy.Result step(float[] x, int n, int[] labels, Map<String, float[]> masks, double weight) {
    float[] logits = forward(x, n, true, masks);
    dz = Buffers.fit(dz, n * classes);
    SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.of(logits, classes, labels, null, dz);
    if (weight != 1.0) {
      float w = (float) weight;
      for (int j = 0; j < n * classes; j++) {
        dz[j] *= w;
      }
    }
    backward(n, dz, masks);
    return ce;
  }

  private void backward(int n, float[] dOut, Map<String, float[]> masks) {
    int k = plan.size();
    boolean[] has = new boolean[k + 1];
    grads[k] = dOut;
    has[k] = true;
    for (int i = k - 1; i >= 0; i--) {
      if (!has[i + 1]) {
        continue; // nothing above reads this step's output
      }
      LayerStep s = plan.get(i);
      float[] dy = grads[i + 1];
      float[] in = acts[i];
      boolean needDx = i > 0; // the input itself needs no gradient
      int sizeIn = needDx ? n * hwOut[i - 1] * cOut[i - 1] : 0;
      boolean add = has[i];
      float[] dx = null;
      if (needDx) {
        dx = gradBuffer(i, sizeIn);
      }
      if (s instanceof LayerStep.Affine a) {
        ((AdaptedDense) ops[i]).backward(dy, in, a.adapterMask() == null ? null : mask(masks, a.adapterMask()), n,
            caches[i], dx, add);
        ((AdaptedDense) ops[i]).finish();
      } else if (s instanceof LayerStep.Conv) {
        convBackward(i, in, n, dy, dx, add);
      } else if (needDx) {
        elementwiseBackward(i, s, n, dy, dx, add, sizeIn, masks);
      }
      if (needDx) {
        has[i] = true;
      }
      if (s instanceof LayerStep.Close cl && cl.residual()) {
        // the block's input also reached this output directly: its gradient gets the close's input gradient
        int b = blockStart[i];
        if (b > 0) {
          float[] src = cl.layerNorm() ? lnInputGrad : dy;
          float[] target = has[b] ? grads[b] : gradBuffer(b, sizeIn);
          if (has[b]) {
            for (int j = 0; j < sizeIn; j++) {
              target[j] += src[j];
            }
          } else {
            System.arraycopy(src, 0, target, 0, sizeIn);
            has[b] = true;
          }
        }
      }
    }
  }

  private float[] lnInputGrad = new float[0];
  private float[] colGrad = new float[0];

  private float[] gradBuffer(int a, int size) {
    ownGrad[a] = Buffers.fit(ownGrad[a], size);
    grads[a] = ownGrad[a];
    return ownGrad[a];
  }

  /**
   * Column values per chunk of images: 256 KB, so a chunk's columns stay in the core's cache from im2col to the
   * product beside the product's other operands and a second thread's chunk. Plain-20 at batch 128 (CnnStepBench,
   * alternating): 1 MB chunks 203-271 images/s on two threads, 512 KB 366-425, 256 KB 411-495; a 28x28 image of 16
   * channels is one chunk (113k values).
   */
  private static final int CHUNK_VALUES = 1 << 16;

  /** What a convolution does with one chunk: images [from, to), m output rows, their columns in colChunk[slot]. */
  private interface ChunkBody {
    void run(int slot, int chunk, int from, int to, int m);
  }

  // images per chunk: as many as fit CHUNK_VALUES, at least one. The chunks are the same whatever the thread count
  // (each thread runs a contiguous range of them), so each chunk's gradients are the same, and they are added in
  // chunk order
  private static int imagesPerChunk(Conv2d g, int n) {
    return (int) Math.max(1, Math.min(n, CHUNK_VALUES / ((long) g.oh * g.ow * g.fan())));
  }

  private static int chunkCount(Conv2d g, int n) {
    int per = imagesPerChunk(g, n);
    return (n + per - 1) / per;
  }

  private void forEachChunk(Conv2d g, float[] x, int n, ChunkBody body) {
    int hw = g.oh * g.ow;
    int per = imagesPerChunk(g, n);
    int chunks = chunkCount(g, n);
    fitSlots(Parallel.slots(chunks));
    Parallel.forSlots(chunks, (slot, c0, c1) -> {
      for (int chunk = c0; chunk < c1; chunk++) {
        int from = chunk * per;
        int to = Math.min(n, from + per);
        g.im2col(x, from, to, colChunk[slot]);
        body.run(slot, chunk, from, to, (to - from) * hw);
      }
    });
  }

  private void fitSlots(int slots) {
    int had = colChunk.length;
    if (had >= slots) {
      return;
    }
    colChunk = java.util.Arrays.copyOf(colChunk, slots);
    colGradChunk = java.util.Arrays.copyOf(colGradChunk, slots);
    zChunk = java.util.Arrays.copyOf(zChunk, slots);
    dzChunk = java.util.Arrays.copyOf(dzChunk, slots);
    for (int t = had; t < slots; t++) {
      colChunk[t] = new NativeBlock();
      colGradChunk[t] = new NativeBlock();
      zChunk[t] = new float[0];
      dzChunk[t] = new float[0];
    }
  }

  private static <T> List<T> fitList(List<T> list, int size, java.util.function.Supplier<T> make) {
    while (list.size() < size) {
      list.add(make.get());
    }
    return list;
  }

  // y [n oh ow, out] = im2col(x) W'^T chunk by chunk, the chunks split over the engine's threads; a training pass
  // keeps each chunk's cache for backward. The whole batch's columns were 58 MB for a Plain-20's first stage at
  // batch 128: the product then ran from memory at 66 GFLOP/s against 135 from cache (one thread), and 19 layers
  // kept 1 GB of columns for backward
  private void convForward(int i, float[] x, int n, float[] y, boolean train) {
    ConvOp cv = (ConvOp) ops[i];
    Conv2d g = cv.geometry();
    AdaptedDense d = cv.dense();
    List<AdaptedDense.Cache> cs = fitList(train ? chunkCaches[i] : inferCaches[i], chunkCount(g, n),
        AdaptedDense.Cache::new);
    d.syncAdapter();
    forEachChunk(g, x, n, (slot, chunk, from, to, m) -> {
      float[] z = zChunk[slot] = Buffers.fit(zChunk[slot], m * g.out);
      if (train) {
        d.forwardTrain(colChunk[slot], m, z, cs.get(chunk));
      } else {
        d.forward(colChunk[slot], m, z, cs.get(chunk));
      }
      System.arraycopy(z, 0, y, from * g.oh * g.ow * g.out, m * g.out);
    });
  }

  // the adjoint of convForward's training pass, chunk by chunk with the columns recomputed: adds the layer's
  // gradients (each chunk's apart, then added in chunk order, so the same sums whatever the thread count) and
  // writes, or with add adds, the input's gradient into dx (null for none)
  private void convBackward(int i, float[] x, int n, float[] dy, float[] dx, boolean add) {
    ConvOp cv = (ConvOp) ops[i];
    Conv2d g = cv.geometry();
    AdaptedDense d = cv.dense();
    int inSize = g.h * g.w * g.in; // one image's input values
    if (dx != null && add) {
      colGrad = Buffers.fit(colGrad, n * inSize);
    }
    float[] target = dx != null && add ? colGrad : dx;
    List<AdaptedDense.ChunkGradients> gs = fitList(chunkGrads[i], chunkCount(g, n), d::newChunkGradients);
    List<AdaptedDense.Cache> cs = chunkCaches[i];
    d.syncAdapter();
    // a size-preserving convolution sends its input gradient back through its adjoint convolution: im2col of the
    // output-side factor G [pixels, rows] times the flipped taps of M, instead of forming the column gradient
    // G M (9 times the input's size for 3x3) and adding it back with col2im, whose short runs measured a fifth of a
    // Plain-20 step
    boolean adjoint = target != null && g.sizePreserving();
    Conv2d adj = adjoint ? g.adjoint(d.inputGradientRows()) : null;
    float[] flipped = adjoint ? flippedTaps[i] = g.flippedTaps(d.inputGradientRight(), d.inputGradientRows(),
        flippedTaps[i]) : null;
    forEachChunk(g, x, n, (slot, chunk, from, to, m) -> {
      float[] dzc = dzChunk[slot] = Buffers.fit(dzChunk[slot], m * g.out);
      System.arraycopy(dy, from * g.oh * g.ow * g.out, dzc, 0, m * g.out);
      if (adjoint) {
        d.backward(dzc, colChunk[slot], m, cs.get(chunk), null, gs.get(chunk));
        adj.im2col(d.inputGradientLeft(dzc, m, cs.get(chunk)), 0, to - from, colGradChunk[slot]);
        float[] z = zChunk[slot] = Buffers.fit(zChunk[slot], (to - from) * inSize);
        Gemm.mm(false, false, (to - from) * g.h * g.w, g.in, adj.fan(), 1f, colGradChunk[slot], flipped, 0f, z);
        System.arraycopy(z, 0, target, from * inSize, (to - from) * inSize);
        return;
      }
      d.backward(dzc, colChunk[slot], m, cs.get(chunk), target == null ? null : colGradChunk[slot], gs.get(chunk));
      if (target != null) {
        g.col2im(colGradChunk[slot], from, to, target);
      }
    });
    for (int c = 0, chunks = chunkCount(g, n); c < chunks; c++) {
      d.addChunk(gs.get(c));
    }
    d.finish();
    if (dx != null && add) {
      addInto(target, dx, n * inSize);
    }
  }

  /** Backward of the steps without weights of their own except norms: dx written, or added when {@code add}. */
  private void elementwiseBackward(int i, LayerStep s, int n, float[] dy, float[] dx, boolean add, int size,
      Map<String, float[]> masks) {
    float[] t = dx;
    if (add) {
      colGrad = Buffers.fit(colGrad, size);
      t = colGrad;
    }
    int rowsIn = n * hwOut[i - 1];
    if (s instanceof LayerStep.Relu) {
      reluBackward(acts[i + 1], dy, t, size);
    } else if (s instanceof LayerStep.Dropout d) {
      multiply(dy, mask(masks, d.mask()), t, size);
    } else if (s instanceof LayerStep.BatchNorm) {
      ((BatchNorm) ops[i]).backward(dy, rowsIn, bnCaches[i], t);
    } else if (s instanceof LayerStep.Pool) {
      GlobalAvgPool.backward(dy, n, hwOut[i - 1], cOut[i], t);
    } else if (s instanceof LayerStep.Close cl) {
      if (cl.layerNorm()) {
        lnInputGrad = Buffers.fit(lnInputGrad, size);
        java.util.Arrays.fill(lnInputGrad, 0, size, 0f); // the norm's backward adds into its dx
        if (hwOut[i] == 1) {
          ((LayerNorm) ops[i]).backward(dy, rowsIn, lnInputGrad, lnCaches[i]);
        } else {
          ((LayerNorm) ops[i]).backwardSamples(dy, n, hwOut[i], lnInputGrad, lnCaches[i]);
        }
        System.arraycopy(lnInputGrad, 0, t, 0, size);
      } else {
        System.arraycopy(dy, 0, t, 0, size);
      }
    }
    if (add) {
      addInto(t, dx, size);
    }
  }

  // the element-wise loops live in small methods of their own, which the JIT compiles and vectorises early (inside
  // the large dispatching method they measured a third of a CNN step)
  // dx = dy where the ReLU's output is positive, else 0, as a bit mask: out >= 0, so its bits are positive exactly
  // when it is, and -bits >> 31 is all ones then. A select with a data-dependent branch ran 15x slower
  private static void reluBackward(float[] out, float[] dy, float[] dx, int size) {
    Parallel.forChunks(size, (from, to) -> reluBackward(out, dy, dx, from, to));
  }

  private static void reluBackward(float[] out, float[] dy, float[] dx, int from, int to) {
    for (int j = from; j < to; j++) {
      int ob = Float.floatToRawIntBits(out[j]);
      dx[j] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[j]) & (-ob >> 31));
    }
  }

  private static void relu(float[] in, float[] out, int size) {
    Parallel.forChunks(size, (from, to) -> relu(in, out, from, to));
  }

  private static void relu(float[] in, float[] out, int from, int to) {
    for (int j = from; j < to; j++) {
      out[j] = Math.max(in[j], 0f);
    }
  }

  private static void multiply(float[] a, float[] b, float[] out, int size) {
    Parallel.forChunks(size, (from, to) -> multiply(a, b, out, from, to));
  }

  private static void multiply(float[] a, float[] b, float[] out, int from, int to) {
    for (int j = from; j < to; j++) {
      out[j] = a[j] * b[j];
    }
  }

  private static void addInto(float[] a, float[] out, int size) {
    Parallel.forChunks(size, (from, to) -> addInto(a, out, from, to));
  }

  private static void addInto(float[] a, float[] out, int from, int to) {
    for (int j = from; j < to; j++) {
      out[j] += a[j];
    }
  }

  /** Class probabilities [rows, classes] of the inference pass, in chunks that bound the activations' memory. */
  public float[] probabilities(float[] x, int rows) {
    if (stale) { // training refreshes only what its passes read; inference reads every effective weight
      refresh();
    }
    int cols0 = x.length / Math.max(1, rows);
    int chunk = hasConv() ? 128 : 1024;
    float[] out = new float[rows * classes];
    float[] part = new float[0];
    for (int start = 0; start < rows; start += chunk) {
      int n = Math.min(chunk, rows - start);
      part = Buffers.fit(part, n * cols0);
      System.arraycopy(x, start * cols0, part, 0, n * cols0);
      float[] z = forward(part, n, false, null);
      for (int r = 0; r < n; r++) {
        org.lottalora.core.engine.Softmax.into(z, r * classes, classes, out, (start + r) * classes);
      }
    }
    return out;
  }

  private boolean hasConv() {
    for (LayerStep s : plan) {
      if (s instanceof LayerStep.Conv) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sets every BatchNorm's running statistics to the mean over batches of {@code batch} rows (of at most
   * {@code limit} rows spread evenly over x) of the batch statistics the training-mode pass computes with the
   * current weights and no dropout: the same estimate {@link ModelGraph#calibrate} defines.
   */
  void calibrate(float[] x, int rows, int batch, int limit) {
    int cols0 = x.length / rows;
    int use = Math.min(rows, limit);
    Map<Integer, double[][]> sums = new HashMap<>();
    for (int start = 0; start < use; start += batch) {
      int n = Math.min(batch, use - start);
      float[] chunk = new float[n * cols0];
      for (int i = 0; i < n; i++) {
        int row = (int) ((long) (start + i) * rows / use);
        System.arraycopy(x, row * cols0, chunk, i * cols0, cols0);
      }
      forward(chunk, n, true, onesFor(n));
      for (int i = 0; i < plan.size(); i++) {
        if (ops[i] instanceof BatchNorm bn) {
          int c = cOut[i];
          double[][] acc = sums.computeIfAbsent(i, j -> new double[][] {new double[c], new double[c]});
          double[] mean = new double[c];
          double[] var = new double[c];
          bn.batchStatistics(acts[i], n * hwOut[i - 1], mean, var);
          for (int j = 0; j < c; j++) {
            acc[0][j] += mean[j] * n;
            acc[1][j] += var[j] * n;
          }
        }
      }
    }
    for (Map.Entry<Integer, double[][]> e : sums.entrySet()) {
      BatchNorm bn = (BatchNorm) ops[e.getKey()];
      for (int j = 0; j < bn.runningMean().length; j++) {
        bn.runningMean()[j] = (float) (e.getValue()[0][j] / use);
        bn.runningVar()[j] = (float) (e.getValue()[1][j] / use);
      }
    }
  }

  /** Masks of ones for every dropout site of the plan (calibration runs without dropout). */
  private Map<String, float[]> onesFor(int n) {
    Map<String, float[]> out = new HashMap<>();
    for (int i = 0; i < plan.size(); i++) {
      String name = plan.get(i) instanceof LayerStep.Dropout d ? d.mask()
          : plan.get(i) instanceof LayerStep.Affine a ? a.adapterMask() : null;
      if (name != null) {
        int width = plan.get(i) instanceof LayerStep.Affine a ? a.dIn() : cOut[i];
        float[] m = new float[n * width];
        java.util.Arrays.fill(m, 1f);
        out.put(name, m);
      }
    }
    return out;
  }
}
