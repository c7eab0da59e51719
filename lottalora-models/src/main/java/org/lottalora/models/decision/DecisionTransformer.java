package org.lottalora.models.decision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.LayerNorm;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.Softmax;
import org.lottalora.models.transformer.EncoderStack;
import org.lottalora.models.transformer.Targets;

/**
 * The Decision Transformer (Chen et al. 2021, "Decision Transformer: Reinforcement Learning via Sequence
 * Modeling") over a frozen random scaffold. A window of K steps becomes 3K tokens (return-to-go, state, action per
 * step), each a learned linear embedding (a table for discrete actions) plus the step's timestep embedding (a
 * random scaffold table, or trained), then a LayerNorm; a causal pre-norm GPT-2 stack ({@link EncoderStack}) whose attention matrices (and
 * optionally MLP matrices, {@link Targets}) are adapted over the seed's scaffold; a final LayerNorm; and an action
 * head on each state token: softmax logits for a discrete task, {@code mid + half * tanh(z)} for a continuous one
 * (so actions stay within the task's bounds). Embeddings, norms and head are trained in full, as in the other
 * Transformer families. Observations are standardized and returns-to-go divided by a scale, both taken from the
 * training data ({@link Normalizer}) and stored with the model.
 */
public final class DecisionTransformer {
  /**
   * The shape.
   *
   * @param env the task (fixes the state width, action kind and width, and the longest episode)
   * @param context steps per window (K; 3K tokens)
   * @param d width
   * @param heads attention heads
   * @param layers blocks
   * @param hidden MLP width
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings
   * @param targets adapted, fully trained or frozen matrices
   * @param trainTime whether the timestep embedding is trained (else it stays the scaffold's random table, which
   *     keeps a long task's table of T x d values out of the trained count)
   */
  public record Spec(String env, int context, int d, int heads, int layers, int hidden, long seed, InitSpec init,
      AdapterConfig adapter, Targets targets, boolean trainTime) {
    /** Validates. */
    public Spec {
      Environment e = Environment.of(env);
      if (context > e.maxSteps()) {
        throw new IllegalArgumentException("a context of " + context + " steps is longer than " + env + "'s "
            + e.maxSteps() + "-step episodes; give --context " + e.maxSteps() + " or less");
      }
      if (d < 2 || heads < 1) {
        throw new IllegalArgumentException("a Decision Transformer needs width >= 2 and heads >= 1; got width " + d
            + ", " + heads + " heads");
      }
      if (d % heads != 0) {
        throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads; use a head "
            + "count that divides the width");
      }
      if (context < 1 || layers < 1 || hidden < 1) {
        throw new IllegalArgumentException("a Decision Transformer needs context, layers and MLP width >= 1; got "
            + context + ", " + layers + ", " + hidden);
      }
    }

    /** The task. */
    public Environment environment() {
      return Environment.of(env);
    }

    /** Every matrix trained in full. */
    public boolean full() {
      return targets.isFull();
    }

    /** Values of the full model (the LayerNorms included). */
    public long modelValues() {
      long n = 2L * d * (2L * layers + 2);
      for (TensorSpec t : tensors(this)) {
        n += t.size();
      }
      return n;
    }
  }

  /**
   * How inputs are scaled: observations standardized per feature, returns-to-go divided by {@code returnScale}.
   *
   * @param stateMean per-feature mean of the training observations
   * @param stateStd per-feature standard deviation (at least 1e-6)
   * @param returnScale the returns' scale (the largest absolute return-to-go in the training data)
   */
  public record Normalizer(float[] stateMean, float[] stateStd, float returnScale) {
    /** Validates. */
    public Normalizer {
      if (stateMean.length != stateStd.length || !(returnScale > 0) || !Float.isFinite(returnScale)) {
        throw new IllegalArgumentException("a normalizer needs one mean and one deviation per feature and a "
            + "return scale > 0");
      }
    }

    /** Statistics of the steps of {@code episodes}. */
    public static Normalizer of(List<Trajectories.Episode> episodes, int stateDim) {
      double[] sum = new double[stateDim];
      double[] sq = new double[stateDim];
      long n = 0;
      double scale = 1e-6;
      for (Trajectories.Episode e : episodes) {
        for (float[] s : e.states()) {
          for (int i = 0; i < stateDim; i++) {
            sum[i] += s[i];
            sq[i] += (double) s[i] * s[i];
          }
          n++;
        }
        for (float g : e.returnsToGo()) {
          scale = Math.max(scale, Math.abs(g));
        }
      }
      float[] mean = new float[stateDim];
      float[] std = new float[stateDim];
      for (int i = 0; i < stateDim; i++) {
        double m = sum[i] / Math.max(1, n);
        mean[i] = (float) m;
        std[i] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, sq[i] / Math.max(1, n) - m * m)));
      }
      return new Normalizer(mean, std, (float) scale);
    }
  }

  /**
   * A window of one trajectory: up to K consecutive steps.
   *
   * @param returnsToGo return-to-go at each step (raw units)
   * @param states observation at each step
   * @param actions action at each step (the last one is embedded, but the causal mask keeps it from the state
   *     token that predicts it, so any valid action will do there)
   * @param timesteps each step's index in its episode
   */
  public record Window(float[] returnsToGo, float[][] states, float[][] actions, int[] timesteps) {
    /** Steps. */
    public int length() {
      return returnsToGo.length;
    }
  }

  private final Spec spec;
  private final Environment env;
  private final Normalizer norm;
  private final Backbone backbone;
  private final List<Param> params = new ArrayList<>();
  private final Param returnW;
  private final Param returnB;
  private final Param stateW;
  private final Param stateB;
  private final Param actionW;
  private final Param actionB;
  private final Param time;
  private final LayerNorm embedNorm;
  private final EncoderStack blocks;
  private final LayerNorm finalNorm;
  private final Param headW;
  private final Param headB;
  private final int out;
  private Window[] lastBatch;
  private float[][] lastInputs;
  private float[] lastHidden;
  private int lastRows;

  /** The backbone tensors. */
  public static List<TensorSpec> tensors(Spec s) {
    Environment e = s.environment();
    InitSpec lin = InitSpec.parse("kaiming_uniform");
    InitSpec bias = InitSpec.parse("uniform");
    List<TensorSpec> ts = new ArrayList<>();
    ts.add(TensorSpec.of("embed.return.weight", new int[] {s.d(), 1}, lin));
    ts.add(TensorSpec.bias("embed.return.bias", s.d(), 1, bias));
    ts.add(TensorSpec.of("embed.state.weight", new int[] {s.d(), e.stateDim()}, lin));
    ts.add(TensorSpec.bias("embed.state.bias", s.d(), e.stateDim(), bias));
    if (e.discrete()) {
      ts.add(TensorSpec.of("embed.action", new int[] {e.actions(), s.d()}, InitSpec.parse("normal")));
    } else {
      ts.add(TensorSpec.of("embed.action.weight", new int[] {s.d(), e.actions()}, lin));
      ts.add(TensorSpec.bias("embed.action.bias", s.d(), e.actions(), bias));
    }
    ts.add(TensorSpec.of("embed.time", new int[] {e.maxSteps(), s.d()}, InitSpec.parse("normal")));
    ts.addAll(EncoderStack.tensors(s.layers(), s.d(), s.hidden(), s.init()));
    ts.add(TensorSpec.of("head.weight", new int[] {e.actions(), s.d()}, lin));
    ts.add(TensorSpec.bias("head.bias", e.actions(), s.d(), bias));
    return ts;
  }

  /** Builds the model from its seed ({@code backbone}: an already regenerated scaffold, or null). */
  public DecisionTransformer(Spec spec, Normalizer norm, Backbone backbone) {
    this.spec = spec;
    this.env = spec.environment();
    if (norm.stateMean().length != env.stateDim()) {
      throw new IllegalArgumentException("a normalizer of " + norm.stateMean().length + " features for "
          + env.id() + "'s " + env.stateDim());
    }
    this.norm = norm;
    this.backbone = backbone != null ? backbone : Backbone.regenerate(spec.seed(), tensors(spec));
    returnW = trained("embed.return.weight");
    returnB = trained("embed.return.bias");
    stateW = trained("embed.state.weight");
    stateB = trained("embed.state.bias");
    actionW = trained(env.discrete() ? "embed.action" : "embed.action.weight");
    actionB = env.discrete() ? null : trained("embed.action.bias");
    time = spec.trainTime() || spec.full() ? trained("embed.time")
        : new Param("embed.time", this.backbone.get("embed.time"));
    embedNorm = new LayerNorm("embed_norm", spec.d(), params);
    blocks = new EncoderStack(spec.layers(), spec.d(), spec.heads(), spec.hidden(), true, this.backbone,
        spec.adapter(), spec.targets(), params);
    finalNorm = new LayerNorm("final_norm", spec.d(), params);
    headW = trained("head.weight");
    headB = trained("head.bias");
    out = env.actions();
  }

  private Param trained(String name) {
    Param p = new Param(name, backbone.get(name).clone());
    params.add(p);
    return p;
  }

  /** The shape. */
  public Spec spec() {
    return spec;
  }

  /** The input scaling. */
  public Normalizer normalizer() {
    return norm;
  }

  /** The task. */
  public Environment environment() {
    return env;
  }

  /** The scaffold. */
  public Backbone backbone() {
    return backbone;
  }

  /** Trained arrays (live). */
  public List<Param> params() {
    return params;
  }

  /** Recomputes effective weights. */
  public void refresh() {
    blocks.refresh();
  }

  /**
   * The head's output at each window's state tokens: [B][K_b][actions] (logits for a discrete task, the raw
   * pre-tanh values for a continuous one).
   *
   * @throws IllegalArgumentException for an empty window or one longer than the context
   */
  public float[][][] outputs(Window[] batch) {
    return outputs(batch, false);
  }

  private float[][][] outputs(Window[] batch, boolean train) {
    int k = spec.context();
    int t = 3 * k;
    int d = spec.d();
    int s = env.stateDim();
    int[] lengths = new int[batch.length];
    float[][] x = new float[batch.length * t][];
    float[][] inputs = new float[batch.length * t][];
    for (int b = 0; b < batch.length; b++) {
      Window w = batch[b];
      if (w.length() < 1 || w.length() > k) {
        throw new IllegalArgumentException("a window of " + w.length() + " steps: this model takes 1 to " + k
            + " (its context)");
      }
      lengths[b] = 3 * w.length();
      for (int i = 0; i < t; i++) {
        x[b * t + i] = new float[d];
      }
      for (int i = 0; i < w.length(); i++) {
        int step = Math.min(Math.max(w.timesteps()[i], 0), env.maxSteps() - 1);
        int base = b * t + 3 * i;
        float[] r = {w.returnsToGo()[i] / norm.returnScale()};
        float[] st = new float[s];
        for (int j = 0; j < s; j++) {
          st[j] = (w.states()[i][j] - norm.stateMean()[j]) / norm.stateStd()[j];
        }
        inputs[base] = r;
        inputs[base + 1] = st;
        linear(returnW, returnB, r, x[base]);
        linear(stateW, stateB, st, x[base + 1]);
        if (env.discrete()) {
          int a = (int) w.actions()[i][0];
          System.arraycopy(actionW.v, a * d, x[base + 2], 0, d);
          inputs[base + 2] = new float[] {a};
        } else {
          float[] a = scaledAction(w.actions()[i]);
          inputs[base + 2] = a;
          linear(actionW, actionB, a, x[base + 2]);
        }
        for (int m = 0; m < 3; m++) {
          for (int j = 0; j < d; j++) {
            x[base + m][j] += time.v[step * d + j];
          }
        }
      }
    }
    int rows = batch.length * t;
    float[] flat = org.lottalora.core.engine.Blas.flat(x, d);
    float[] e = embedNorm.forward(flat, rows, new float[rows * d]);
    float[][] h = blocks.forward(org.lottalora.core.engine.Blas.rows(e, rows, d), t, lengths, train);
    float[] hf = finalNorm.forward(org.lottalora.core.engine.Blas.flat(h, d), rows, new float[rows * d]);
    if (train) {
      lastBatch = batch;
      lastInputs = inputs;
      lastHidden = hf;
      lastRows = rows;
    }
    float[][][] z = new float[batch.length][][];
    for (int b = 0; b < batch.length; b++) {
      z[b] = new float[batch[b].length()][out];
      for (int i = 0; i < batch[b].length(); i++) {
        int row = b * t + 3 * i + 1;
        for (int o = 0; o < out; o++) {
          double acc = headB.v[o];
          for (int j = 0; j < d; j++) {
            acc += headW.v[o * d + j] * hf[row * d + j];
          }
          z[b][i][o] = (float) acc;
        }
      }
    }
    return z;
  }

  // a continuous action mapped to [-1, 1] by the task's bounds
  private float[] scaledAction(float[] a) {
    double mid = (env.actionHigh() + env.actionLow()) / 2;
    double half = (env.actionHigh() - env.actionLow()) / 2;
    float[] v = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      v[i] = (float) ((a[i] - mid) / half);
    }
    return v;
  }

  private static void linear(Param w, Param b, float[] in, float[] y) {
    int n = in.length;
    for (int o = 0; o < y.length; o++) {
      double acc = b.v[o];
      for (int i = 0; i < n; i++) {
        acc += w.v[o * n + i] * in[i];
      }
      y[o] = (float) acc;
    }
  }

  /** The action the model takes from a head output: the argmax index, or {@code mid + half * tanh(z)}. */
  public float[] action(float[] z) {
    if (env.discrete()) {
      int best = 0;
      for (int k = 1; k < z.length; k++) {
        best = z[k] > z[best] ? k : best;
      }
      return new float[] {best};
    }
    double mid = (env.actionHigh() + env.actionLow()) / 2;
    double half = (env.actionHigh() - env.actionLow()) / 2;
    float[] a = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      a[i] = (float) (mid + half * StrictMath.tanh(z[i]));
    }
    return a;
  }

  /** The action predicted for each window's last step. */
  public float[][] predictLast(Window[] batch) {
    float[][][] z = outputs(batch);
    float[][] a = new float[batch.length][];
    for (int b = 0; b < batch.length; b++) {
      a[b] = action(z[b][batch[b].length() - 1]);
    }
    return a;
  }

  /**
   * The mean action loss over every step of the windows: cross-entropy (nats) for a discrete task, the squared
   * error per action value for a continuous one.
   */
  public double loss(Window[] batch) {
    return lossAndGradient(outputs(batch), batch, null);
  }

  // the loss, and when dz != null the gradient with respect to the head outputs
  private double lossAndGradient(float[][][] z, Window[] batch, float[][][] dz) {
    int steps = 0;
    for (Window w : batch) {
      steps += w.length();
    }
    double mid = (env.actionHigh() + env.actionLow()) / 2;
    double half = (env.actionHigh() - env.actionLow()) / 2;
    double loss = 0;
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < batch[b].length(); i++) {
        float[] target = batch[b].actions()[i];
        if (env.discrete()) {
          float[] p = Softmax.of(z[b][i]);
          int a = (int) target[0];
          loss -= Math.log(Math.max(1e-30, p[a]));
          if (dz != null) {
            for (int o = 0; o < out; o++) {
              dz[b][i][o] = (p[o] - (o == a ? 1f : 0f)) / steps;
            }
          }
        } else {
          for (int o = 0; o < out; o++) {
            double th = StrictMath.tanh(z[b][i][o]);
            double err = mid + half * th - target[o];
            loss += err * err / out;
            if (dz != null) {
              dz[b][i][o] = (float) (2 * err / out * half * (1 - th * th) / steps);
            }
          }
        }
      }
    }
    return loss / steps;
  }

  /** The mean action loss of a batch and, in place, every trained array's gradient of it (zeroed first). */
  public double backward(Window[] batch) {
    for (Param q : params) {
      Arrays.fill(q.g, 0);
    }
    float[][][] z = outputs(batch, true);
    float[][][] dz = new float[batch.length][][];
    for (int b = 0; b < batch.length; b++) {
      dz[b] = new float[batch[b].length()][out];
    }
    double loss = lossAndGradient(z, batch, dz);
    int d = spec.d();
    int t = 3 * spec.context();
    int rows = lastRows;
    float[] dh = new float[rows * d];
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < batch[b].length(); i++) {
        int row = b * t + 3 * i + 1;
        for (int o = 0; o < out; o++) {
          float g = dz[b][i][o];
          headB.g[o] += g;
          for (int j = 0; j < d; j++) {
            headW.g[o * d + j] += g * lastHidden[row * d + j];
            dh[row * d + j] += g * headW.v[o * d + j];
          }
        }
      }
    }
    float[] dBlocks = new float[rows * d];
    finalNorm.backward(dh, rows, dBlocks);
    float[][] dIn = blocks.backward(org.lottalora.core.engine.Blas.rows(dBlocks, rows, d));
    float[] dx = new float[rows * d];
    embedNorm.backward(org.lottalora.core.engine.Blas.flat(dIn, d), rows, dx);
    for (int b = 0; b < batch.length; b++) {
      Window w = lastBatch[b];
      for (int i = 0; i < w.length(); i++) {
        int step = Math.min(Math.max(w.timesteps()[i], 0), env.maxSteps() - 1);
        int base = b * t + 3 * i;
        for (int m = 0; m < 3; m++) {
          int off = (base + m) * d;
          for (int j = 0; j < d; j++) {
            time.g[step * d + j] += dx[off + j];
          }
        }
        linearGrad(returnW, returnB, lastInputs[base], dx, base * d, d);
        linearGrad(stateW, stateB, lastInputs[base + 1], dx, (base + 1) * d, d);
        if (env.discrete()) {
          int a = (int) lastInputs[base + 2][0];
          for (int j = 0; j < d; j++) {
            actionW.g[a * d + j] += dx[(base + 2) * d + j];
          }
        } else {
          linearGrad(actionW, actionB, lastInputs[base + 2], dx, (base + 2) * d, d);
        }
      }
    }
    return loss;
  }

  private static void linearGrad(Param w, Param b, float[] in, float[] dy, int off, int d) {
    int n = in.length;
    for (int o = 0; o < d; o++) {
      float g = dy[off + o];
      b.g[o] += g;
      for (int i = 0; i < n; i++) {
        w.g[o * n + i] += g * in[i];
      }
    }
  }

  /** Copies of the trained arrays by name. */
  public Map<String, float[]> trained() {
    return Params.copy(params);
  }

  /**
   * Puts stored trained arrays back and refreshes.
   *
   * @throws IllegalArgumentException on an unknown name or a wrong length
   */
  public void restore(Map<String, float[]> values) {
    Params.restore(params, values, "this Decision Transformer");
    refresh();
  }

  /** Learned beta per adapted matrix. */
  public Map<String, Double> betas() {
    return Params.betas(params);
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    blocks.scaffoldLayers(layers);
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, this::refresh);
  }
}
