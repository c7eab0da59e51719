package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.GradientClipping;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.train.Progress;

/**
 * LottaLoRA on a reservoir: the recurrent matrix stays frozen as {@code beta W} and gains a trained low-rank term
 * {@code s B A}, trained by truncated backpropagation through time together with the readout, on the toolkit's
 * engine ({@link AdapterBptt}: hand-written forward and backward over float arrays, products through {@link
 * org.lottalora.core.engine.Gemm}, the engine's {@link Adam}). BPTT unrolls {@code window} steps of the leaky
 * reservoir over a batch of windows cut from the training series (after the washout) at seeded random starts; each
 * window starts from the true reservoir state at its start under the current adapter (one plain run per iteration),
 * and the loss is the mean squared error of the readout over the window. The last fifth of the window starts is
 * held out: every {@value #VALIDATE_EVERY} iterations the loss on fixed windows there is measured, and the
 * parameters of the best check, iteration 0 (the ridge model itself) included, are the ones kept, so BPTT cannot
 * hand back a model worse on held-out data than the one it started from. A starts Kaiming-uniform (seeded), B at
 * zero and beta at 1, and the readout at the ridge solution, so training starts exactly at the ridge-only model.
 * Adam (two groups: adapter and readout learning rates) after global-norm clipping at {@value #CLIP_NORM} over all
 * trained arrays. After training the readout is optionally refitted by ridge on the adapted reservoir (the
 * closed-form optimum for the new states). One layer, no feedback, no input-to-readout: the setting of the
 * comparison.
 */
public final class ReservoirAdapterTrainer {
  /** Share of the training part's window starts held out to pick the best iteration. */
  static final double VALIDATION_FRACTION = 0.2;
  /** Iterations between validation checks. */
  static final int VALIDATE_EVERY = 10;
  /** Global-norm clipping threshold of the BPTT gradients (all trained arrays together). */
  static final double CLIP_NORM = 1.0;

  private ReservoirAdapterTrainer() {
  }

  /**
   * The adapter run's settings. The adapter (A, B, beta) and the readout are two parameter groups with their own
   * learning rates: the readout starts at the ridge optimum and a step sized for the adapter would throw it off
   * (0 freezes it; the ridge refit then adapts it to the new dynamics).
   */
  public record AdapterSpec(int rank, double alpha, int window, int batch, int iterations, double learningRate,
      double readoutLearningRate, long seed, boolean trainBeta, boolean refit) {
    /** Validates, naming the setting. */
    public AdapterSpec {
      if (rank < 1) {
        throw new IllegalArgumentException("--rank must be >= 1, got " + rank);
      }
      if (!(alpha > 0)) {
        throw new IllegalArgumentException("--alpha must be > 0, got " + alpha);
      }
      if (window < 1 || batch < 1 || iterations < 1) {
        throw new IllegalArgumentException("--bptt-window, --batch and --iterations must be >= 1");
      }
      if (!(learningRate > 0)) {
        throw new IllegalArgumentException("--lr must be > 0, got " + learningRate);
      }
      if (!(readoutLearningRate >= 0)) {
        throw new IllegalArgumentException("--readout-lr must be >= 0, got " + readoutLearningRate);
      }
    }
  }

  /** The adapted model's report, with the ridge-only model's beside it and the loss curve. */
  public record AdapterReport(ReservoirTrainer.ForecastReport baseline, ReservoirTrainer.ForecastReport bptt,
      ReservoirTrainer.ForecastReport refit, double[] loss, double[] validationLoss, int bestIteration, float beta,
      long adapterParams, long readoutParams, double trainSeconds) {
  }

  /**
   * Trains the ridge baseline with {@code s}, then the adapter and readout by BPTT, and evaluates all on the
   * same test part.
   */
  public static ReservoirTrainer.Trained<AdapterReport> train(TimeSeries series, ReservoirSetup s, AdapterSpec a,
      Progress progress) {
    if (s.layers().size() != 1 || s.layers().get(0).feedbackScaling() > 0 || s.inputToReadout()) {
      throw new IllegalArgumentException("adapters on reservoirs take one layer, no feedback and no input-to-readout");
    }
    if (!s.layers().get(0).activation().equals("tanh")) {
      throw new IllegalArgumentException("adapters on reservoirs need the tanh activation");
    }
    ReservoirTrainer.Trained<ReservoirTrainer.ForecastReport> base = ReservoirTrainer.forecast(series, s, progress);
    ReservoirModel model = base.model();
    EchoStateNetwork esn = model.network();
    Reservoir res = esn.layers().get(0);
    int n = res.spec().units();
    int d = esn.inputDim();
    int o = esn.outputDim();
    int h = s.horizon();
    int trainLen = (int) Math.round(series.length() * s.trainFraction());
    double[][] u = model.normalize(series.values());
    int span = a.window();
    int firstStart = s.washout();
    int lastValStart = trainLen - h - span;
    int valCut = firstStart + (int) ((lastValStart - firstStart) * (1 - VALIDATION_FRACTION));
    int lastStart = valCut - span - h;
    if (lastStart < firstStart || lastValStart < valCut) {
      throw new IllegalArgumentException("the training part (" + trainLen + " steps) is too short for washout + "
          + "--bptt-window + horizon (" + (s.washout() + span + h) + ") in both its BPTT and validation parts");
    }
    int[] valStarts = new int[a.batch()];
    for (int b = 0; b < valStarts.length; b++) {
      valStarts[b] = valCut + (int) ((long) b * (lastValStart - valCut) / Math.max(1, valStarts.length - 1));
    }
    double scale = a.alpha() / a.rank();
    AdapterBptt net = new AdapterBptt(res.recurrentFloat(), res.inputFloat(), res.biasFloat(), d, o,
        res.spec().leakRate(), a.rank(), scale, kaimingUniform(a.rank(), n, a.seed()), esn.readout());
    List<Param> adapter = net.adapterParams(a.trainBeta());
    List<Param> readout = net.readoutParams();
    List<Param> trained = new ArrayList<>(adapter);
    trained.addAll(readout);
    Stream starts = new Stream(a.seed(), "reservoir.bptt.starts");
    double[] curve = new double[a.iterations()];
    long t0 = System.nanoTime();
    long word = 0;
    List<Double> valCurve = new ArrayList<>();
    Windows val = windows(net, res, esn, u, valStarts, span, h, a.rank(), scale);
    double bestVal = net.forward(val.x0, val.u, val.y, valStarts.length, span);
    valCurve.add(bestVal);
    int bestIt = 0;
    Map<String, float[]> best = Params.copy(trained);
    for (int it = 0; it < a.iterations(); it++) {
      int[] st = new int[a.batch()];
      int range = lastStart - firstStart + 1;
      for (int b = 0; b < st.length; b++) {
        st[b] = firstStart + (int) Math.min(range - 1, Math.floor(Stream.uniform(starts.word(word++)) * range));
      }
      Windows win = windows(net, res, esn, u, st, span, h, a.rank(), scale);
      curve[it] = net.lossAndGradients(win.x0, win.u, win.y, st.length, span);
      if (!Double.isFinite(curve[it])) {
        // the arrays go back to the best validated ones, though the failure leaves before the adapter is taken
        Params.restore(trained, best, "the reservoir adapter");
        org.lottalora.core.train.LossGuard.check(curve[it], it + 1, bestIt > 0 ? "iteration " + bestIt : null);
      }
      GradientClipping.clipGlobalNorm(trained, CLIP_NORM);
      adam(adapter, a.learningRate(), it + 1);
      adam(readout, a.readoutLearningRate(), it + 1);
      if ((it + 1) % VALIDATE_EVERY == 0 || it + 1 == a.iterations()) {
        val = windows(net, res, esn, u, valStarts, span, h, a.rank(), scale);
        double v = net.forward(val.x0, val.u, val.y, valStarts.length, span);
        valCurve.add(v);
        if (v < bestVal) {
          bestVal = v;
          bestIt = it + 1;
          best = Params.copy(trained);
        }
      }
      progress.work(String.format(Locale.ROOT, "BPTT rank %d", a.rank()), it + 1, a.iterations(), t0);
    }
    Params.restore(trained, best, "the reservoir adapter");
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    float betaV = net.beta.v[0];
    res.withAdapter(new Reservoir.RecurrentAdapter(a.rank(), net.a.v.clone(), net.b.v.clone(), betaV, scale));
    double[][] newRo = new double[o][n + 1];
    for (int k = 0; k < o; k++) {
      newRo[k][0] = net.bout.v[k];
      for (int i = 0; i < n; i++) {
        newRo[k][1 + i] = net.wout.v[i * o + k];
      }
    }
    ReservoirModel.Settings bs = model.settings();
    ReservoirModel.Settings bpttSettings = new ReservoirModel.Settings(bs.task(), bs.washout(), bs.ridge(),
        bs.horizon(), bs.offset(), bs.scale(), bs.pixels(), 0, 0, "bptt", 1, bs.channels());
    ReservoirModel bpttModel = new ReservoirModel("esn", model.seed(), esn, null, newRo, bpttSettings);
    double[][] raw = series.values();
    ReservoirTrainer.ForecastReport bpttReport = ReservoirTrainer.evaluate(bpttModel, raw, trainLen, s, 0,
        trainSeconds, bs.ridge(), new double[0], Double.NaN);
    ReservoirModel finalModel = bpttModel;
    ReservoirTrainer.ForecastReport refitReport = null;
    if (a.refit()) {
      EchoStateNetwork.State fs = esn.newState();
      esn.fit(fs, Arrays.copyOfRange(u, 0, trainLen - h), Arrays.copyOfRange(u, h, trainLen), s.washout(),
          bs.ridge());
      ReservoirModel.Settings rs = new ReservoirModel.Settings(bs.task(), bs.washout(), bs.ridge(), bs.horizon(),
          bs.offset(), bs.scale(), bs.pixels(), 0, 0, "bptt+ridge", 1, bs.channels());
      finalModel = new ReservoirModel("esn", model.seed(), esn, null, esn.readout(), rs);
      refitReport = ReservoirTrainer.evaluate(finalModel, raw, trainLen, s, 0, trainSeconds, bs.ridge(),
          new double[0], Double.NaN);
    }
    long adapterParams = 2L * a.rank() * n + (a.trainBeta() ? 1 : 0);
    return new ReservoirTrainer.Trained<>(finalModel, new AdapterReport(base.report(), bpttReport, refitReport,
        curve, valCurve.stream().mapToDouble(Double::doubleValue).toArray(), bestIt, betaV, adapterParams,
        (long) o * (n + 1), trainSeconds));
  }

  /** A batch of windows: the true start states [batch, N], inputs and targets step-major. */
  private record Windows(float[] x0, float[] u, float[] y) {
  }

  /** The windows starting at {@code st}: the true start states under the current adapter, inputs and targets. */
  private static Windows windows(AdapterBptt net, Reservoir res, EchoStateNetwork esn, double[][] u, int[] st,
      int span, int h, int rank, double scale) {
    int d = esn.inputDim();
    int o = esn.outputDim();
    int nb = st.length;
    float[] ub = new float[span * nb * d];
    float[] yb = new float[span * nb * o];
    for (int t = 0; t < span; t++) {
      for (int b = 0; b < nb; b++) {
        for (int c = 0; c < d; c++) {
          ub[(t * nb + b) * d + c] = (float) u[st[b] + t][c];
        }
        for (int c = 0; c < o; c++) {
          yb[(t * nb + b) * o + c] = (float) u[st[b] + t + h][c];
        }
      }
    }
    return new Windows(startStates(net, res, esn, u, st, rank, scale), ub, yb);
  }

  /**
   * The reservoir state just before each window start, under the adapter as it is now: one teacher-free run
   * of the training inputs in double (truncated BPTT from the true state, not from zero).
   */
  private static float[] startStates(AdapterBptt net, Reservoir res, EchoStateNetwork esn, double[][] u,
      int[] starts, int rank, double scale) {
    res.withAdapter(new Reservoir.RecurrentAdapter(rank, net.a.v.clone(), net.b.v.clone(), net.beta.v[0], scale));
    int n = res.spec().units();
    int max = Arrays.stream(starts).max().orElse(0);
    float[][] byStart = new float[max + 1][];
    boolean[] need = new boolean[max + 1];
    for (int s0 : starts) {
      need[s0] = true;
    }
    EchoStateNetwork.State st = esn.newState();
    for (int t = 0; t < max; t++) {
      esn.step(st, u[t]);
      if (need[t + 1]) {
        double[] x = st.layer(0);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) x[i];
        }
        byStart[t + 1] = f;
      }
    }
    float[] out = new float[starts.length * n];
    for (int b = 0; b < starts.length; b++) {
      float[] f = byStart[starts[b]] == null ? new float[n] : byStart[starts[b]];
      System.arraycopy(f, 0, out, b * n, n);
    }
    return out;
  }

  /**
   * The one call into the engine's optimizer (tests use it too): plain Adam, no weight decay, on one parameter group.
   */
  static void adam(List<Param> group, double lr, int step) {
    Adam.step(group, lr, 0, step);
  }

  /** Kaiming-uniform A (a = sqrt 5, PyTorch's nn.Linear default, as LoRA initialises A) from the seed. */
  static float[] kaimingUniform(int rank, int n, long seed) {
    double bound = Math.sqrt(6.0 / ((1 + 5.0) * n));
    double[] uu = new double[rank * n];
    new Stream(seed, "reservoir.adapter.A").uniforms(0, uu, uu.length);
    float[] out = new float[uu.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (bound * (2 * uu[i] - 1));
    }
    return out;
  }
}
