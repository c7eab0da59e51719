package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LottaLoRA on a reservoir: the recurrent matrix stays frozen as {@code beta W} and gains a trained low-rank
 * term {@code s B A}, trained by truncated backpropagation through time together with the readout, on
 * SameDiff. The graph unrolls {@code window} steps of the leaky reservoir over a batch of windows cut from the
 * training series (after the washout) at seeded random starts; each window starts from the true reservoir
 * state at its start under the current adapter (one plain run per iteration), and the loss is the mean
 * squared error of the readout over the window. The last fifth of the window starts is held out: every
 * {@value #VALIDATE_EVERY} iterations the loss on fixed windows there is measured, and the parameters of the best
 * check, iteration 0 (the ridge model itself) included, are the ones kept, so BPTT cannot hand back a model
 * worse on held-out data than the one it started from. A starts Kaiming-uniform (seeded), B at zero and beta at 1, and the readout at the
 * ridge solution, so training starts exactly at the ridge-only model. Adam with global-norm clipping. After
 * training the readout is optionally refitted by ridge on the adapted reservoir (the closed-form optimum for the
 * new states). One layer, no feedback, no input-to-readout: the setting of the comparison.
 */
public final class ReservoirAdapterTrainer {
  /** Share of the training part's window starts held out to pick the best iteration. */
  static final double VALIDATION_FRACTION = 0.2;
  /** Iterations between validation checks. */
  static final int VALIDATE_EVERY = 10;

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
    SameDiff sd = graph(res, d, o, span, esn.readout(), a.rank(), scale, kaimingUniform(a.rank(), n, a.seed()),
        a.trainBeta());
    List<String> trained = new ArrayList<>(List.of("A", "B", "Wout_T", "bout"));
    if (a.trainBeta()) {
      trained.add("beta");
    }
    QuietStdout.run(sd::createGradFunction, "Added differentiated op");
    Map<String, INDArray> m1 = new HashMap<>();
    Map<String, INDArray> m2 = new HashMap<>();
    for (String v : trained) {
      m1.put(v, sd.getArrForVarName(v).ulike().assign(0));
      m2.put(v, sd.getArrForVarName(v).ulike().assign(0));
    }
    Stream starts = new Stream(a.seed(), "reservoir.bptt.starts");
    double[] curve = new double[a.iterations()];
    long t0 = System.nanoTime();
    long word = 0;
    List<Double> valCurve = new ArrayList<>();
    double bestVal = validationLoss(sd, res, esn, u, valStarts, span, h, a.rank(), scale);
    valCurve.add(bestVal);
    int bestIt = 0;
    Map<String, INDArray> best = snapshot(sd, trained);
    for (int it = 0; it < a.iterations(); it++) {
      int[] st = new int[a.batch()];
      int range = lastStart - firstStart + 1;
      for (int b = 0; b < st.length; b++) {
        st[b] = firstStart + (int) Math.min(range - 1, Math.floor(Stream.uniform(starts.word(word++)) * range));
      }
      Map<String, INDArray> ph = placeholders(sd, res, esn, u, st, span, h, a.rank(), scale);
      OutAndGrad og = sd.calculateGradientsAndOutputs(ph, List.of("loss"), trained);
      curve[it] = og.getOutputs().get("loss").getDouble(0);
      if (!Double.isFinite(curve[it])) {
        // the graph goes back to the best validated arrays, though the failure leaves before the adapter is taken
        for (Map.Entry<String, INDArray> e : best.entrySet()) {
          sd.getArrForVarName(e.getKey()).assign(e.getValue());
        }
        org.lottalora.core.train.LossGuard.check(curve[it], it + 1, bestIt > 0 ? "iteration " + bestIt : null);
      }
      adam(sd, og.getGradients(), trained, m1, m2, it + 1, a.learningRate(), a.readoutLearningRate());
      if ((it + 1) % VALIDATE_EVERY == 0 || it + 1 == a.iterations()) {
        double v = validationLoss(sd, res, esn, u, valStarts, span, h, a.rank(), scale);
        valCurve.add(v);
        if (v < bestVal) {
          bestVal = v;
          bestIt = it + 1;
          best = snapshot(sd, trained);
        }
      }
      progress.work(String.format(Locale.ROOT, "BPTT rank %d", a.rank()), it + 1, a.iterations(), t0);
    }
    for (Map.Entry<String, INDArray> e : best.entrySet()) {
      sd.getArrForVarName(e.getKey()).assign(e.getValue());
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    float[] af = sd.getArrForVarName("A").dup().data().asFloat();
    float[] bf = sd.getArrForVarName("B").dup().data().asFloat();
    float betaV = sd.getArrForVarName("beta").getFloat(0);
    res.withAdapter(new Reservoir.RecurrentAdapter(a.rank(), af, bf, betaV, scale));
    INDArray wo = sd.getArrForVarName("Wout_T");
    INDArray bb = sd.getArrForVarName("bout");
    double[][] newRo = new double[o][n + 1];
    for (int k = 0; k < o; k++) {
      newRo[k][0] = bb.getDouble(0, k);
      for (int i = 0; i < n; i++) {
        newRo[k][1 + i] = wo.getDouble(i, k);
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

  /**
   * The unrolled graph: placeholders {@code x0} [batch, N] (the state before the window), {@code u<t>} and
   * {@code y<t>} per step; variables A [r, N], B [N, r] (zeros), beta (a constant 1 unless trained), the
   * readout as {@code Wout_T} [N, O] and {@code bout} [1, O]; scalar {@code loss}, the mean squared error over
   * the window.
   */
  static SameDiff graph(Reservoir res, int d, int o, int span, double[][] ro, int rank, double scale, float[] a0,
      boolean trainBeta) {
    int n = res.spec().units();
    SameDiff sd = SameDiff.create();
    SDVariable wT = sd.constant("W_T", Nd4j.create(toDouble(res.recurrentFloat()), new long[] {n, n}, DataType.FLOAT)
        .transpose().dup());
    SDVariable winT = sd.constant("Win_T", Nd4j.create(toDouble(res.inputFloat()), new long[] {n, d}, DataType.FLOAT)
        .transpose().dup());
    SDVariable bias = sd.constant("bias", Nd4j.create(toDouble(res.biasFloat()), new long[] {1, n}, DataType.FLOAT));
    SDVariable av = sd.var("A", Nd4j.create(toDouble(a0), new long[] {rank, n}, DataType.FLOAT));
    SDVariable bv = sd.var("B", Nd4j.zeros(DataType.FLOAT, n, rank));
    SDVariable beta = trainBeta ? sd.var("beta", Nd4j.ones(DataType.FLOAT, 1, 1))
        : sd.constant("beta", Nd4j.ones(DataType.FLOAT, 1, 1));
    float[] woutT = new float[n * o];
    float[] bout = new float[o];
    for (int k = 0; k < o; k++) {
      bout[k] = (float) ro[k][0];
      for (int i = 0; i < n; i++) {
        woutT[i * o + k] = (float) ro[k][1 + i];
      }
    }
    SDVariable wout = sd.var("Wout_T", Nd4j.create(toDouble(woutT), new long[] {n, o}, DataType.FLOAT));
    SDVariable bo = sd.var("bout", Nd4j.create(toDouble(bout), new long[] {1, o}, DataType.FLOAT));
    double leak = res.spec().leakRate();
    SDVariable x = sd.placeHolder("x0", DataType.FLOAT, -1, n);
    List<SDVariable> losses = new ArrayList<>();
    for (int t = 0; t < span; t++) {
      SDVariable ut = sd.placeHolder("u" + t, DataType.FLOAT, -1, d);
      SDVariable rec = x.mmul(wT).mul(beta).add(sd.mmul(sd.mmul(x, av, false, true, false), bv, false, true, false)
          .mul(scale));
      SDVariable pre = ut.mmul(winT).add(bias).add(rec);
      x = x.mul(1 - leak).add(sd.math.tanh(pre).mul(leak));
      SDVariable yt = sd.placeHolder("y" + t, DataType.FLOAT, -1, o);
      SDVariable err = x.mmul(wout).add(bo).sub(yt);
      losses.add(err.mul(err).mean());
    }
    SDVariable loss = losses.get(0);
    for (int i = 1; i < losses.size(); i++) {
      loss = loss.add(losses.get(i));
    }
    loss = loss.div("loss", losses.size());
    sd.setLossVariables("loss");
    return sd;
  }

  /** Placeholders for windows starting at {@code st}: the true start states, inputs and targets. */
  private static Map<String, INDArray> placeholders(SameDiff sd, Reservoir res, EchoStateNetwork esn, double[][] u,
      int[] st, int span, int h, int rank, double scale) {
    int d = esn.inputDim();
    int o = esn.outputDim();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("x0", startStates(sd, res, esn, u, st, rank, scale));
    for (int t = 0; t < span; t++) {
      float[] ub = new float[st.length * d];
      float[] yb = new float[st.length * o];
      for (int b = 0; b < st.length; b++) {
        for (int c = 0; c < d; c++) {
          ub[b * d + c] = (float) u[st[b] + t][c];
        }
        for (int c = 0; c < o; c++) {
          yb[b * o + c] = (float) u[st[b] + t + h][c];
        }
      }
      ph.put("u" + t, Nd4j.create(ub, new long[] {st.length, d}));
      ph.put("y" + t, Nd4j.create(yb, new long[] {st.length, o}));
    }
    return ph;
  }

  /** The loss on the fixed validation windows under the current parameters. */
  private static double validationLoss(SameDiff sd, Reservoir res, EchoStateNetwork esn, double[][] u, int[] st,
      int span, int h, int rank, double scale) {
    return sd.output(placeholders(sd, res, esn, u, st, span, h, rank, scale), "loss").get("loss").getDouble(0);
  }

  private static Map<String, INDArray> snapshot(SameDiff sd, List<String> vars) {
    Map<String, INDArray> m = new HashMap<>();
    for (String v : vars) {
      m.put(v, sd.getArrForVarName(v).dup());
    }
    return m;
  }

  /**
   * The reservoir state just before each window start, under the adapter as it is now: one teacher-free run
   * of the training inputs in double (truncated BPTT from the true state, not from zero).
   */
  private static INDArray startStates(SameDiff sd, Reservoir res, EchoStateNetwork esn, double[][] u, int[] starts,
      int rank, double scale) {
    float[] af = sd.getArrForVarName("A").dup().data().asFloat();
    float[] bf = sd.getArrForVarName("B").dup().data().asFloat();
    float beta = sd.getArrForVarName("beta").getFloat(0);
    res.withAdapter(new Reservoir.RecurrentAdapter(rank, af, bf, beta, scale));
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
    return Nd4j.create(out, new long[] {starts.length, n});
  }

  private static void adam(SameDiff sd, Map<String, INDArray> grads, List<String> vars, Map<String, INDArray> m1,
      Map<String, INDArray> m2, int t, double lr, double readoutLr) {
    double norm = 0;
    for (String v : vars) {
      double g = grads.get(v).norm2Number().doubleValue();
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    double clip = norm > 1.0 ? 1.0 / norm : 1.0;
    double b1 = 0.9;
    double b2 = 0.999;
    for (String v : vars) {
      INDArray g = grads.get(v).mul(clip);
      INDArray m = m1.get(v).muli(b1).addi(g.mul(1 - b1));
      INDArray s2 = m2.get(v).muli(b2).addi(g.mul(g).muli(1 - b2));
      INDArray mh = m.div(1 - Math.pow(b1, t));
      INDArray vh = s2.div(1 - Math.pow(b2, t));
      double step = v.equals("Wout_T") || v.equals("bout") ? readoutLr : lr;
      sd.getArrForVarName(v).subi(mh.divi(Transforms.sqrt(vh, true).addi(1e-8)).muli(step));
    }
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

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
