package org.lottalora.models.recurrent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.SoftmaxCrossEntropy;
import org.lottalora.core.engine.Rows;

/**
 * A recurrent classifier over a frozen random scaffold with forward and backpropagation through time written by hand
 * on plain arrays (SameDiff M2.1 re-initialises its session per call at a cost that grows with the unrolled graph).
 * It is the toolkit's one CfC: {@code lottalora sequence train} and {@code lottalora train --family cfc} both train
 * it. The cell is a CfC (Hasani et al. 2022, "default" variant: {@code z = tanh(W_bb [x; h] + b_bb)},
 * {@code f1 = tanh(W_1 z + b_1)}, {@code f2 = tanh(W_2 z + b_2)}, {@code s = sigmoid((W_a z + b_a) dt + W_b z + b_b)},
 * {@code h' = f1 (1 - s) + s f2}; five adapted matrices {@code cfc.backbone|ff1|ff2|time_a|time_b}, the names the
 * former SameDiff family used, so its artifacts load here; a SameDiff twin in the tests checks logits and gradients)
 * or an LSTM (four adapted gate matrices {@code lstm.i|f|g|o} over [x; h]); a trained head {@code head} maps the
 * state after each sequence's last valid step to classes. With the adapter config's residual / LayerNorm switches
 * each step's new state is {@code h + step(x, h)} and / or layer-normalised ({@code <cell>.ln.gain|bias}), via
 * {@link org.lottalora.core.engine.BlockClose}. Padding steps (after a sequence's length) leave the state unchanged.
 * The loss is cross-entropy with optional per-class weights, averaged as PyTorch does ({@code sum w_y l / sum w_y}).
 */
public final class RecurrentNetwork {
  /** Cells this engine runs. */
  public static final List<String> CELLS = List.of("cfc", "lstm");
  private static final String[] LSTM_GATES = {"i", "f", "g", "o"};
  private static final String[] CFC_GATES = {"backbone", "ff1", "ff2", "time_a", "time_b"};

  /**
   * The network's shape and training mode.
   *
   * @param cell {@code cfc} or {@code lstm}
   * @param inputs features per step
   * @param hidden state size
   * @param units CfC backbone-layer width (ignored by the LSTM)
   * @param classes output classes
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings (rank capped per matrix at min(d_in, d_out))
   * @param full train every weight instead of adapters
   */
  public record Spec(String cell, int inputs, int hidden, int units, int classes, long seed, InitSpec init,
      AdapterConfig adapter, boolean full) {
    /** Validates. */
    public Spec {
      if (!CELLS.contains(cell)) {
        throw new IllegalArgumentException("unknown cell '" + cell + "'; use cfc or lstm");
      }
      if (inputs < 1 || hidden < 1 || units < 1 || classes < 2) {
        throw new IllegalArgumentException("a recurrent network needs inputs, hidden and units >= 1 and 2+ classes");
      }
    }
  }

  private final Spec spec;
  private final AdaptedDense[] mats;
  private final org.lottalora.core.engine.BlockClose close;
  private final Param headW;
  private final Param headB;
  private final List<Param> params = new ArrayList<>();

  /** The backbone tensors (cell matrices and biases, then the head's initial values). */
  public static List<TensorSpec> tensors(Spec s) {
    List<TensorSpec> ts = new ArrayList<>(cellTensors(s));
    ts.add(TensorSpec.of("head.weight", new int[] {s.classes(), s.hidden()}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("head.bias", s.classes(), s.hidden(), InitSpec.parse("uniform")));
    return ts;
  }

  /**
   * The cell's backbone tensors alone, weight [out, in] then bias per matrix: for the CfC
   * {@code cfc.backbone} ([x; h] to units) and {@code cfc.ff1|ff2|time_a|time_b} (units to hidden), exactly the
   * records the former SameDiff family wrote (its head was not a backbone record), which is how its artifacts are
   * checked.
   */
  public static List<TensorSpec> cellTensors(Spec s) {
    List<TensorSpec> ts = new ArrayList<>();
    int xh = s.inputs() + s.hidden();
    if (s.cell().equals("cfc")) {
      for (int k = 0; k < CFC_GATES.length; k++) {
        ts.addAll(AdaptedDense.tensors("cfc." + CFC_GATES[k], k == 0 ? xh : s.units(), k == 0 ? s.units()
            : s.hidden(), s.init()));
      }
    } else {
      for (String g : LSTM_GATES) {
        ts.addAll(AdaptedDense.tensors("lstm." + g, xh, s.hidden(), s.init()));
      }
    }
    return ts;
  }

  /** Builds the network from its seed; {@code trained} values (a loaded model) replace the fresh ones. */
  public RecurrentNetwork(Spec spec, Map<String, float[]> trained) {
    this.spec = spec;
    Backbone bb = Backbone.regenerate(spec.seed(), tensors(spec), 1);
    int xh = spec.inputs() + spec.hidden();
    if (spec.cell().equals("cfc")) {
      mats = new AdaptedDense[5];
      for (int k = 0; k < 5; k++) {
        mats[k] = new AdaptedDense("cfc." + CFC_GATES[k], k == 0 ? xh : spec.units(),
            k == 0 ? spec.units() : spec.hidden(), bb, spec.adapter(), spec.full(), params);
      }
    } else {
      mats = new AdaptedDense[4];
      for (int k = 0; k < 4; k++) {
        mats[k] = new AdaptedDense("lstm." + LSTM_GATES[k], xh, spec.hidden(), bb, spec.adapter(), spec.full(),
            params);
      }
    }
    close = new org.lottalora.core.engine.BlockClose(spec.cell(), spec.hidden(), spec.hidden(), spec.adapter(),
        params);
    headW = new Param("head.weight", bb.get("head.weight").clone());
    headB = new Param("head.bias", bb.get("head.bias").clone());
    params.add(headW);
    params.add(headB);
    restore(trained);
  }

  /** The network's shape. */
  public Spec spec() {
    return spec;
  }

  /** Sets the trained arrays named in {@code values} and recomputes the effective weights. */
  public void restore(Map<String, float[]> values) {
    for (Param p : params) {
      float[] v = values.get(p.name);
      if (v != null) {
        if (v.length != p.v.length) {
          throw new IllegalArgumentException("tensor '" + p.name + "' has " + v.length + " values, the model needs "
              + p.v.length);
        }
        System.arraycopy(v, 0, p.v, 0, v.length);
      }
    }
    for (AdaptedDense m : mats) {
      m.refresh();
    }
  }

  /** What one step keeps for the backward pass ([rows][width] each). */
  private static final class Step {
    float[][] xh;
    float[][] a;
    float[][] b;
    float[][] c;
    float[][] d;
    float[][] e;
    float[][] cellPrev;
    float[][] cellNew;
    boolean[] active;
    org.lottalora.core.engine.BlockClose.Cache close;
  }

  /** The forward pass over rows {@code idx} of {@code s}; returns logits and fills {@code steps} when not null. */
  private float[][] run(SequenceSet s, int[] idx, List<Step> steps) {
    int n = idx.length;
    int hd = spec.hidden();
    int in = spec.inputs();
    float[][] h = new float[n][hd];
    float[][] cell = new float[n][hd];
    for (int t = 0; t < s.steps(); t++) {
      Step st = new Step();
      st.active = new boolean[n];
      st.xh = new float[n][in + hd];
      float[] gap = new float[n];
      for (int r = 0; r < n; r++) {
        st.active[r] = t < s.lengths()[idx[r]];
        System.arraycopy(s.x()[idx[r]][t], 0, st.xh[r], 0, in);
        System.arraycopy(h[r], 0, st.xh[r], in, hd);
        gap[r] = s.dt()[idx[r]][t];
      }
      float[][] hNew;
      if (spec.cell().equals("cfc")) {
        st.a = tanh(mats[0].forward(st.xh)); // z
        st.b = tanh(mats[1].forward(st.a)); // f1
        st.c = tanh(mats[2].forward(st.a)); // f2
        float[][] ta = mats[3].forward(st.a);
        float[][] tb = mats[4].forward(st.a);
        st.d = new float[n][hd]; // s
        hNew = new float[n][hd];
        for (int r = 0; r < n; r++) {
          for (int j = 0; j < hd; j++) {
            float sg = sigmoid(ta[r][j] * gap[r] + tb[r][j]);
            st.d[r][j] = sg;
            hNew[r][j] = st.b[r][j] * (1 - sg) + sg * st.c[r][j];
          }
        }
        st.e = new float[][] {gap};
      } else {
        st.a = sigmoid(mats[0].forward(st.xh)); // i
        st.b = sigmoid(mats[1].forward(st.xh)); // f
        st.c = tanh(mats[2].forward(st.xh)); // g
        st.d = sigmoid(mats[3].forward(st.xh)); // o
        st.cellPrev = cell;
        st.cellNew = new float[n][hd];
        hNew = new float[n][hd];
        for (int r = 0; r < n; r++) {
          for (int j = 0; j < hd; j++) {
            float c2 = st.b[r][j] * cell[r][j] + st.a[r][j] * st.c[r][j];
            st.cellNew[r][j] = c2;
            hNew[r][j] = st.d[r][j] * (float) org.lottalora.core.engine.Activations.tanh(c2);
          }
        }
      }
      if (close.active()) { // residual (h + cell step) and / or LayerNorm on the new state
        st.close = new org.lottalora.core.engine.BlockClose.Cache();
        hNew = close.forward(h, hNew, st.close);
      }
      for (int r = 0; r < n; r++) {
        if (!st.active[r]) {
          hNew[r] = h[r];
          if (st.cellNew != null) {
            st.cellNew[r] = cell[r];
          }
        }
      }
      h = hNew;
      if (st.cellNew != null) {
        cell = st.cellNew;
      }
      if (steps != null) {
        steps.add(st);
      }
    }
    float[][] logits = new float[n][spec.classes()];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < spec.classes(); c++) {
        double acc = headB.v[c];
        for (int j = 0; j < hd; j++) {
          acc += headW.v[c * hd + j] * h[r][j];
        }
        logits[r][c] = (float) acc;
      }
    }
    if (steps != null) {
      lastState = h;
    }
    return logits;
  }

  private float[][] lastState;

  /** Logits of the sequences at {@code idx}, [rows][classes]. */
  public float[][] logits(SequenceSet s, int[] idx) {
    return run(s, idx, null);
  }

  /**
   * Weighted mean cross-entropy of the sequences at {@code idx} ({@code classWeights} null: all 1), with every
   * trained array's gradient left in place for {@link #adam}.
   */
  public double backward(SequenceSet s, int[] idx, float[] classWeights) {
    List<Step> steps = new ArrayList<>();
    float[][] logits = run(s, idx, steps);
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    int n = idx.length;
    int hd = spec.hidden();
    int in = spec.inputs();
    int k = spec.classes();
    float[][] dh = new float[n][hd];
    int[] ys = new int[n];
    for (int r = 0; r < n; r++) {
      ys[r] = s.labels()[idx[r]];
    }
    double[] weights = null;
    if (classWeights != null) {
      weights = new double[classWeights.length];
      for (int c = 0; c < weights.length; c++) {
        weights[c] = classWeights[c];
      }
    }
    float[] dz = new float[n * k];
    double loss = SoftmaxCrossEntropy.of(Blas.flat(logits, k), k, ys, weights, dz).loss();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < k; c++) {
        float g = dz[r * k + c];
        headB.g[c] += g;
        for (int j = 0; j < hd; j++) {
          headW.g[c * hd + j] += g * lastState[r][j];
          dh[r][j] += g * headW.v[c * hd + j];
        }
      }
    }
    float[][] dc = new float[n][hd];
    for (int t = steps.size() - 1; t >= 0; t--) {
      Step st = steps.get(t);
      float[][] dPass = new float[n][];
      for (int r = 0; r < n; r++) {
        if (!st.active[r]) { // padding: the state went through unchanged
          dPass[r] = dh[r];
          dh[r] = new float[hd];
        }
      }
      float[][] dResidual = null;
      if (st.close != null) {
        float[][][] split = close.backward(dh, st.close);
        dh = split[0];
        dResidual = split[1];
      }
      float[][] dxh = spec.cell().equals("cfc") ? cfcBack(st, dh) : lstmBack(st, dh, dc);
      float[][] next = new float[n][hd];
      for (int r = 0; r < n; r++) {
        if (dPass[r] != null) {
          next[r] = dPass[r];
        } else {
          System.arraycopy(dxh[r], in, next[r], 0, hd);
          if (dResidual != null) {
            for (int j = 0; j < hd; j++) {
              next[r][j] += dResidual[r][j];
            }
          }
        }
      }
      dh = next;
    }
    for (AdaptedDense m : mats) {
      m.finish();
    }
    return loss;
  }

  private float[][] cfcBack(Step st, float[][] dh) {
    int n = dh.length;
    int hd = spec.hidden();
    float[] gap = st.e[0];
    float[][] d1 = new float[n][hd];
    float[][] d2 = new float[n][hd];
    float[][] da = new float[n][hd];
    float[][] db = new float[n][hd];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < hd; j++) {
        float g = dh[r][j];
        float sg = st.d[r][j];
        float f1 = st.b[r][j];
        float f2 = st.c[r][j];
        d1[r][j] = g * (1 - sg) * (1 - f1 * f1);
        d2[r][j] = g * sg * (1 - f2 * f2);
        float pre = g * (f2 - f1) * sg * (1 - sg);
        da[r][j] = pre * gap[r];
        db[r][j] = pre;
      }
    }
    float[][] dz = Rows.addInto(Rows.addInto(mats[1].accumulate(d1, st.a), mats[2].accumulate(d2, st.a)),
        Rows.addInto(mats[3].accumulate(da, st.a), mats[4].accumulate(db, st.a)));
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < dz[r].length; j++) {
        dz[r][j] *= 1 - st.a[r][j] * st.a[r][j];
      }
    }
    return mats[0].accumulate(dz, st.xh);
  }

  private float[][] lstmBack(Step st, float[][] dh, float[][] dc) {
    int n = dh.length;
    int hd = spec.hidden();
    float[][] gi = new float[n][hd];
    float[][] gf = new float[n][hd];
    float[][] gg = new float[n][hd];
    float[][] go = new float[n][hd];
    for (int r = 0; r < n; r++) {
      if (!st.active[r]) {
        continue; // dc[r] passes through unchanged, as the cell did
      }
      for (int j = 0; j < hd; j++) {
        float i = st.a[r][j];
        float f = st.b[r][j];
        float g = st.c[r][j];
        float o = st.d[r][j];
        float tc = (float) org.lottalora.core.engine.Activations.tanh(st.cellNew[r][j]);
        float dcell = dc[r][j] + dh[r][j] * o * (1 - tc * tc);
        go[r][j] = dh[r][j] * tc * o * (1 - o);
        gi[r][j] = dcell * g * i * (1 - i);
        gg[r][j] = dcell * i * (1 - g * g);
        gf[r][j] = dcell * st.cellPrev[r][j] * f * (1 - f);
        dc[r][j] = dcell * f;
      }
    }
    return Rows.addInto(Rows.addInto(mats[0].accumulate(gi, st.xh), mats[1].accumulate(gf, st.xh)),
        Rows.addInto(mats[2].accumulate(gg, st.xh), mats[3].accumulate(go, st.xh)));
  }

  /** The trained arrays with their Adam moments (live), in declaration order. */
  public java.util.List<org.lottalora.core.engine.Param> params() {
    return params;
  }

  /** One Adam step over every trained array (decoupled weight decay by the one rule, core.train.WeightDecay). */
  public void adam(double lr, double wd, int step) {
    Adam.step(params, lr, wd, step);
    for (AdaptedDense m : mats) {
      m.refresh();
    }
  }

  /** Every trained array by name (live). */
  public Map<String, float[]> trained() {
    Map<String, float[]> m = new LinkedHashMap<>();
    params.forEach(p -> m.put(p.name, p.v));
    return m;
  }

  /** Gradients of the last backward by name (live). */
  Map<String, float[]> gradients() {
    Map<String, float[]> m = new LinkedHashMap<>();
    params.forEach(p -> m.put(p.name, p.g));
    return m;
  }

  /** Trained values over the network's size: adapters, betas and head against every weight and bias. */
  public double trainableFraction() {
    return trainableValues() / (double) modelValues();
  }

  /** Number of trained values (adapters, betas, norms, head; every weight in full mode). */
  public long trainableValues() {
    long t = 0;
    for (Param p : params) {
      t += p.v.length;
    }
    return t;
  }

  /** Number of values of the network as it computes: every (effective) weight and bias and the head. */
  public long modelValues() {
    long all = (long) headW.v.length + headB.v.length;
    for (AdaptedDense m : mats) {
      all += m.modelValues();
    }
    return all;
  }

  /** Learned beta per adapted matrix. */
  public Map<String, Float> betas() {
    Map<String, Float> m = new LinkedHashMap<>();
    for (AdaptedDense d : mats) {
      m.put(d.prefix, d.beta());
    }
    return m;
  }

  private static float sigmoid(float x) {
    return (float) org.lottalora.core.engine.Activations.sigmoid(x);
  }

  private static float[][] sigmoid(float[][] z) {
    for (float[] row : z) {
      for (int j = 0; j < row.length; j++) {
        row[j] = sigmoid(row[j]);
      }
    }
    return z;
  }

  private static float[][] tanh(float[][] z) {
    for (float[] row : z) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) org.lottalora.core.engine.Activations.tanh(row[j]);
      }
    }
    return z;
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    java.util.Collections.addAll(layers, mats);
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, () -> { });
  }
}
