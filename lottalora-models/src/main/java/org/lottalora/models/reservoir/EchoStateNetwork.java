package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lottalora.core.train.Progress;

/**
 * An echo state network: a stack of seeded {@link Reservoir} layers (each fed by the one before, the first by
 * the input and optionally by output feedback) and a linear readout over {@code [1, x_1, ..., x_L (, u)]}.
 * Offline fit is ridge regression after a washout, online fit is recursive least squares (FORCE-style),
 * and {@link #generate} runs closed loop, feeding each prediction back as the next input. State is explicit
 * ({@link State}), so one network serves many sequences and threads at once.
 */
public final class EchoStateNetwork {
  private final List<Reservoir> layers;
  private final int inputDim;
  private final int outputDim;
  private final boolean inputToReadout;
  private double[][] readout;

  /** The running state of every layer plus the last output (for feedback). */
  public static final class State {
    final double[][] x;
    final double[] lastOutput;
    final double[] scratch;

    State(EchoStateNetwork net) {
      x = new double[net.layers.size()][];
      int max = 0;
      for (int l = 0; l < x.length; l++) {
        x[l] = new double[net.layers.get(l).spec().units()];
        max = Math.max(max, x[l].length);
      }
      lastOutput = new double[net.outputDim];
      scratch = new double[max];
    }

    private State(State o) {
      x = new double[o.x.length][];
      for (int l = 0; l < x.length; l++) {
        x[l] = o.x[l].clone();
      }
      lastOutput = o.lastOutput.clone();
      scratch = new double[o.scratch.length];
    }

    /** An independent copy (a free run from here leaves this state as it is). */
    public State copy() {
      return new State(this);
    }

    /** Layer l's current activations (live, do not write). */
    public double[] layer(int l) {
      return x[l];
    }
  }

  /**
   * Builds the layers from the seed.
   *
   * @param rhoRaw per layer, the raw spectral radius if known (from an artifact), else null
   */
  public EchoStateNetwork(long seed, List<ReservoirSpec> specs, int inputDim, int outputDim, boolean inputToReadout,
      double[] rhoRaw) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("an echo state network needs at least one reservoir layer");
    }
    if (inputDim < 1 || outputDim < 1) {
      throw new IllegalArgumentException("input and output need at least one channel");
    }
    List<Reservoir> ls = new ArrayList<>();
    int in = inputDim;
    for (int l = 0; l < specs.size(); l++) {
      ReservoirSpec s = specs.get(l);
      int fb = l == 0 && s.feedbackScaling() > 0 ? outputDim : 0;
      ls.add(new Reservoir(s, l, in, fb, seed, rhoRaw == null ? Double.NaN : rhoRaw[l]));
      in = s.units();
    }
    this.layers = Collections.unmodifiableList(ls);
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.inputToReadout = inputToReadout;
  }

  /** A fresh all-zero state. */
  public State newState() {
    return new State(this);
  }

  /** Length of the readout's feature vector. */
  public int featureCount() {
    int f = 1;
    for (Reservoir r : layers) {
      f += r.spec().units();
    }
    return f + (inputToReadout ? inputDim : 0);
  }

  /** Advances every layer by one input step and returns the readout features. */
  public double[] step(State s, double[] u) {
    if (u.length != inputDim) {
      throw new IllegalArgumentException("input has " + u.length + " channels, the network takes " + inputDim);
    }
    double[] in = u;
    for (int l = 0; l < layers.size(); l++) {
      layers.get(l).step(s.x[l], in, l == 0 ? s.lastOutput : null, s.scratch);
      in = s.x[l];
    }
    return features(s, u);
  }

  private double[] features(State s, double[] u) {
    double[] f = new double[featureCount()];
    f[0] = 1;
    int k = 1;
    for (double[] x : s.x) {
      System.arraycopy(x, 0, f, k, x.length);
      k += x.length;
    }
    if (inputToReadout) {
      System.arraycopy(u, 0, f, k, u.length);
    }
    return f;
  }

  /** Whether layer 0 takes output feedback. */
  public boolean hasFeedback() {
    return layers.get(0).feedbackDim() > 0;
  }

  /**
   * Teacher-forced offline fit: runs {@code input} from {@code s}, drops the first {@code washout} steps and
   * solves the ridge readout against {@code target} (same length as the input).
   */
  public void fit(State s, double[][] input, double[][] target, int washout, double ridge) {
    fit(s, input, target, washout, ridge, Progress.silent());
  }

  /** {@link #fit(State, double[][], double[][], int, double)} reporting the steps run to {@code progress}. */
  public void fit(State s, double[][] input, double[][] target, int washout, double ridge, Progress progress) {
    Ridge r = accumulate(s, input, target, washout, progress);
    readout = r.solve(ridge);
  }

  /**
   * The teacher-forced fit with noise injection: each input (and each fed-back teacher value) gets
   * {@code noise * z} added, z standard normal from the project's generator (stream {@code reservoir.noise},
   * keyed by {@code noiseSeed}), before it drives the reservoir; the targets stay clean. A readout fitted so has
   * seen states a little off the true trajectory and learned to lead back, which is what keeps a free run (its
   * own slightly wrong outputs fed back) stable (Jaeger 2001; ReservoirPy's {@code noise_in}).
   */
  public void fit(State s, double[][] input, double[][] target, int washout, double ridge, double noise,
      long noiseSeed, Progress progress) {
    readout = accumulate(s, input, target, washout, noise, noiseSeed, progress).solve(ridge);
  }

  /** Runs teacher-forced and returns the filled ridge accumulator (for callers that try several ridges). */
  public Ridge accumulate(State s, double[][] input, double[][] target, int washout) {
    return accumulate(s, input, target, washout, Progress.silent());
  }

  /** {@link #accumulate(State, double[][], double[][], int)} reporting the steps run to {@code progress}. */
  public Ridge accumulate(State s, double[][] input, double[][] target, int washout, Progress progress) {
    return accumulate(s, input, target, washout, 0, 0, progress);
  }

  /**
   * {@link #accumulate(State, double[][], double[][], int)} with noise injection as in
   * {@link #fit(State, double[][], double[][], int, double, double, long, Progress)}; noise 0 draws nothing.
   */
  public Ridge accumulate(State s, double[][] input, double[][] target, int washout, double noise, long noiseSeed,
      Progress progress) {
    checkLengths(input, target, washout);
    if (!(noise >= 0) || !Double.isFinite(noise)) {
      throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
    }
    double[] z = null;
    if (noise > 0) {
      z = new double[input.length * (inputDim + outputDim)];
      new org.lottalora.core.backbone.Stream(noiseSeed, "reservoir.noise").normals(0, z, z.length);
    }
    int zw = inputDim + outputDim;
    double[] noisy = new double[inputDim];
    Ridge r = new Ridge(featureCount(), outputDim);
    int block = 512;
    long start = System.nanoTime();
    List<double[]> xs = new ArrayList<>();
    List<double[]> ys = new ArrayList<>();
    for (int t = 0; t < input.length; t++) {
      double[] in = input[t];
      if (z != null) {
        for (int c = 0; c < inputDim; c++) {
          noisy[c] = in[c] + noise * z[t * zw + c];
        }
        in = noisy;
      }
      double[] f = step(s, in);
      if (t >= washout) {
        xs.add(f);
        ys.add(target[t]);
      }
      System.arraycopy(target[t], 0, s.lastOutput, 0, outputDim);
      if (z != null) {
        for (int c = 0; c < outputDim; c++) {
          s.lastOutput[c] += noise * z[t * zw + inputDim + c];
        }
      }
      if (xs.size() == block) {
        r.add(xs.toArray(new double[0][]), ys.toArray(new double[0][]));
        xs.clear();
        ys.clear();
        progress.work("reservoir steps (teacher-forced)", t + 1, input.length, start);
      }
    }
    r.add(xs.toArray(new double[0][]), ys.toArray(new double[0][]));
    progress.work("reservoir steps (teacher-forced)", input.length, input.length, start);
    return r;
  }

  /**
   * Online fit by recursive least squares: the readout is updated after every step past the washout, with
   * {@code P(0) = I / delta} (delta acts as the ridge: with forgetting 1 the result equals the offline ridge
   * solution at ridge delta) and forgetting factor {@code lambda} in (0, 1].
   */
  public void fitOnline(State s, double[][] input, double[][] target, int washout, double delta, double lambda) {
    fitOnline(s, input, target, washout, delta, lambda, false);
  }

  /**
   * Online fit as above; with {@code force}, FORCE learning (Sussillo and Abbott 2009): the output fed back to
   * the reservoir during training is the readout's own output after each update rather than the teacher, so
   * the loop is trained as it will run. Without output feedback the two are the same.
   */
  public void fitOnline(State s, double[][] input, double[][] target, int washout, double delta, double lambda,
      boolean force) {
    checkLengths(input, target, washout);
    if (!(delta > 0) || !(lambda > 0 && lambda <= 1)) {
      throw new IllegalArgumentException("online fit needs delta > 0 and forgetting factor in (0, 1]");
    }
    int nf = featureCount();
    double[][] p = new double[nf][nf];
    for (int i = 0; i < nf; i++) {
      p[i][i] = 1 / delta;
    }
    double[][] w = readout != null && readout[0].length == nf ? copy(readout) : new double[outputDim][nf];
    double[] px = new double[nf];
    for (int t = 0; t < input.length; t++) {
      double[] f = step(s, input[t]);
      if (t >= washout) {
        double denom = lambda;
        for (int i = 0; i < nf; i++) {
          double v = 0;
          double[] pi = p[i];
          for (int j = 0; j < nf; j++) {
            v += pi[j] * f[j];
          }
          px[i] = v;
          denom += f[i] * v;
        }
        double[] y = Ridge.apply(w, f);
        for (int o = 0; o < outputDim; o++) {
          double e = target[t][o] - y[o];
          double[] wo = w[o];
          for (int i = 0; i < nf; i++) {
            wo[i] += e * px[i] / denom;
          }
        }
        for (int i = 0; i < nf; i++) {
          double ki = px[i] / denom;
          double[] pi = p[i];
          for (int j = 0; j < nf; j++) {
            pi[j] = (pi[j] - ki * px[j]) / lambda;
          }
        }
      }
      if (force && t >= washout) {
        System.arraycopy(Ridge.apply(w, f), 0, s.lastOutput, 0, outputDim);
      } else {
        System.arraycopy(target[t], 0, s.lastOutput, 0, outputDim);
      }
    }
    readout = w;
  }

  private void checkLengths(double[][] input, double[][] target, int washout) {
    if (input.length != target.length) {
      throw new IllegalArgumentException("input has " + input.length + " steps, target " + target.length);
    }
    if (washout < 0) {
      throw new IllegalArgumentException("--washout must be >= 0, got " + washout);
    }
    if (input.length <= washout) {
      throw new IllegalArgumentException("the training series has " + input.length + " steps, not more than the "
          + "washout of " + washout + ": lengthen the series or lower --washout");
    }
  }

  /** Runs the input from {@code s} and returns the readout's output at every step (the state advances). */
  public double[][] run(State s, double[][] input) {
    requireReadout();
    double[][] out = new double[input.length][];
    for (int t = 0; t < input.length; t++) {
      double[] y = Ridge.apply(readout, step(s, input[t]));
      out[t] = y;
      System.arraycopy(y, 0, s.lastOutput, 0, outputDim);
    }
    return out;
  }

  /**
   * Closed loop: from state {@code s} (warmed up by the caller) and the last known input {@code last},
   * predicts {@code steps} values, each fed back as the next input. Needs output width = input width.
   */
  public double[][] generate(State s, double[] last, int steps) {
    requireReadout();
    if (outputDim != inputDim) {
      throw new IllegalArgumentException("closed-loop generation needs as many outputs as inputs (" + outputDim
          + " vs " + inputDim + ")");
    }
    double[][] out = new double[steps][];
    double[] u = last.clone();
    for (int t = 0; t < steps; t++) {
      double[] y = Ridge.apply(readout, step(s, u));
      out[t] = y;
      System.arraycopy(y, 0, s.lastOutput, 0, outputDim);
      u = y;
    }
    return out;
  }

  private void requireReadout() {
    if (readout == null) {
      throw new IllegalStateException("the readout is not trained: call fit or fitOnline first");
    }
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  /** The readout [outputs][features], or null before a fit. */
  public double[][] readout() {
    return readout == null ? null : copy(readout);
  }

  /** Sets the readout (from an artifact or a BPTT run). */
  public void setReadout(double[][] w) {
    if (w.length != outputDim || w[0].length != featureCount()) {
      throw new IllegalArgumentException("readout must be [" + outputDim + "][" + featureCount() + "]");
    }
    this.readout = copy(w);
  }

  /** The layers, first to last. */
  public List<Reservoir> layers() {
    return layers;
  }

  /** Input channels. */
  public int inputDim() {
    return inputDim;
  }

  /** Output channels. */
  public int outputDim() {
    return outputDim;
  }

  /** Whether the input also feeds the readout. */
  public boolean inputToReadout() {
    return inputToReadout;
  }
}
