package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;

/**
 * Trains reservoir models on the two kinds of task, the way a reservoir user expects: forecasting a series
 * (normalise on the training part, washout, ridge or RLS readout, then one-step or h-step test error and a
 * closed-loop run) and classifying images (features of every image, ridge one-vs-rest readout). Everything an
 * app or the CLI needs comes back in the report, including the series to plot.
 */
public final class ReservoirTrainer {
  private ReservoirTrainer() {
  }

  /** A trained model and its report. */
  public record Trained<R>(ReservoirModel model, R report) {
  }

  /**
   * What a forecasting run measured. Errors are in the series' own units; {@code truth}/{@code prediction}
   * cover the test part (prediction of step t from inputs up to t - horizon), {@code closedTruth} /
   * {@code closedPrediction} the closed-loop run from the end of training (empty when not asked for).
   * {@code buildSeconds} is drawing the reservoir and computing its spectral radius; {@code fitSeconds} is
   * running the training steps and solving the readout (every ridge tried included).
   */
  public record ForecastReport(ForecastMetrics test, ForecastMetrics closedLoop, double ridge, double[] ridges,
      double[] validationNrmse, int trainSteps, int testSteps, double buildSeconds, double fitSeconds,
      double runSecondsPer1000,
      double[][] truth, double[][] prediction, double[][] closedTruth, double[][] closedPrediction,
      double noise, double[] noises, String select, FreeRun.Report freeRun) {
  }

  /**
   * The ridge and noise level chosen on the held-out end of the training part, and every candidate's
   * validation error ({@code scores[noise index * ridges + ridge index]}; NaN where the system was singular).
   */
  private record Choice(double ridge, double noise, double[] scores) {
  }

  /** What a classification run measured. */
  public record ClassifyReport(double testAccuracy, double ridge, double[] ridges, double[] validationAccuracy,
      int features, int neurons, int trainRows, int testRows, double fitSeconds, double testSeconds) {
  }

  /** Trains a forecaster on {@code series}: the first {@code trainFraction} of it trains, the rest tests. */
  public static Trained<ForecastReport> forecast(TimeSeries series, ReservoirSetup s, Progress progress) {
    if (!s.family().equals("esn")) {
      throw new IllegalArgumentException("forecasting needs --family esn (ring reservoirs classify images)");
    }
    int steps = series.length();
    int d = series.dims();
    int h = s.horizon();
    int trainLen = (int) Math.round(steps * s.trainFraction());
    if (trainLen - h <= s.washout() || steps - trainLen < 1) {
      throw new IllegalArgumentException("the series has " + steps + " steps: its training part (" + trainLen
          + ") minus the horizon (" + h + ") must exceed the washout (" + s.washout() + ") and leave a test part; "
          + "lengthen the series or lower --washout");
    }
    double[] offset = new double[d];
    double[] scale = new double[d];
    double[][] raw = series.values();
    for (int c = 0; c < d; c++) {
      double m = 0;
      for (int t = 0; t < trainLen; t++) {
        m += raw[t][c];
      }
      m /= trainLen;
      double v = 0;
      for (int t = 0; t < trainLen; t++) {
        v += (raw[t][c] - m) * (raw[t][c] - m);
      }
      offset[c] = m;
      scale[c] = Math.sqrt(v / trainLen) > 0 ? Math.sqrt(v / trainLen) : 1.0;
    }
    double[][] u = new double[steps][d];
    for (int t = 0; t < steps; t++) {
      for (int c = 0; c < d; c++) {
        u[t][c] = (raw[t][c] - offset[c]) / scale[c];
      }
    }
    long b0 = System.nanoTime();
    EchoStateNetwork esn = new EchoStateNetwork(s.seed(), s.layers(), d, d, s.inputToReadout(), null);
    double buildSeconds = (System.nanoTime() - b0) / 1e9;
    long t0 = System.nanoTime();
    double[][] in = Arrays.copyOfRange(u, 0, trainLen - h);
    double[][] target = Arrays.copyOfRange(u, h, trainLen);
    FreeRunSetup fr = s.freeRun();
    double ridge = s.ridges()[0];
    double noise = fr.noises()[0];
    double[] valNrmse = new double[0];
    if (s.ridges().length > 1 || fr.noises().length > 1) {
      Choice c = choose(esn, u, in, target, trainLen, s, progress);
      ridge = c.ridge();
      noise = c.noise();
      valNrmse = c.scores();
    }
    EchoStateNetwork.State st = esn.newState();
    if (!s.fit().equals("ridge")) {
      esn.fitOnline(st, in, target, s.washout(), ridge, 1.0, s.fit().equals("force"));
    } else {
      esn.fit(st, in, target, s.washout(), ridge, noise, s.seed(), progress);
    }
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    progress.say(String.format(java.util.Locale.ROOT, "fitted the readout on %,d steps (ridge %g) in %.2f s",
        in.length - s.washout(), ridge, fitSeconds));
    String[] channels = series.channels();
    ReservoirModel.Settings settings = new ReservoirModel.Settings("forecast", s.washout(), ridge, h, offset, scale,
        null, 0, 0, s.fit(), 1, channels);
    ReservoirModel model = new ReservoirModel("esn", s.seed(), esn, null, esn.readout(), settings);
    return new Trained<>(model, evaluate(model, raw, trainLen, s, buildSeconds, fitSeconds, ridge, valNrmse, noise));
  }

  /**
   * Chooses the ridge and the noise level: for each noise level the readout's system is accumulated once on
   * the first 80% of the training steps after the washout, each ridge solved from it, and judged on the rest:
   * by one-step error, or by the free runs' error over all steps 1..horizon ({@code --select closed-loop}),
   * from start points spread over the held-out steps.
   */
  private static Choice choose(EchoStateNetwork esn, double[][] u, double[][] in, double[][] target, int trainLen,
      ReservoirSetup s, Progress progress) {
    FreeRunSetup fr = s.freeRun();
    int d = u[0].length;
    int cut = s.washout() + (int) Math.round((in.length - s.washout()) * 0.8);
    if (cut >= in.length || cut <= s.washout()) {
      throw new IllegalArgumentException("the training part is too short to hold out a validation split for the "
          + "ridge choice; give one --ridge value");
    }
    if (fr.closedLoopSelection() && trainLen - (cut + 1) < fr.horizon()) {
      throw new IllegalArgumentException("--select closed-loop holds out the last " + (trainLen - cut - 1)
          + " training steps, fewer than the free-run horizon of " + fr.horizon() + ": lengthen the series, raise "
          + "--train-fraction or lower --free-run");
    }
    double[] ridges = s.ridges();
    double[] noises = fr.noises();
    double[] scores = new double[noises.length * ridges.length];
    FreeRun.Starts starts = fr.closedLoopSelection()
        ? FreeRun.starts(esn, u, cut + 1, trainLen, fr.horizon(), fr.trials()) : null;
    double best = Double.POSITIVE_INFINITY;
    double ridge = ridges[0];
    double noise = noises[0];
    long t0 = System.nanoTime();
    for (int ni = 0; ni < noises.length; ni++) {
      EchoStateNetwork.State st = esn.newState();
      Ridge acc = esn.accumulate(st, Arrays.copyOf(in, cut), Arrays.copyOf(target, cut), s.washout(), noises[ni],
          s.seed(), Progress.silent());
      List<double[]> vf = new ArrayList<>();
      if (starts == null) {
        for (int t = cut; t < in.length; t++) {
          vf.add(esn.step(st, in[t]));
          System.arraycopy(target[t], 0, st.lastOutput, 0, d);
        }
      }
      for (int k = 0; k < ridges.length; k++) {
        int at = ni * ridges.length + k;
        double[][] w;
        try {
          w = acc.solve(ridges[k]);
        } catch (IllegalArgumentException singular) {
          scores[at] = Double.NaN;
          continue;
        }
        if (starts != null) {
          esn.setReadout(w);
          scores[at] = starts.measure(esn, fr.threshold()).meanNrmse();
        } else {
          double[][] p = new double[vf.size()][];
          for (int i = 0; i < p.length; i++) {
            p[i] = Ridge.apply(w, vf.get(i));
          }
          scores[at] = ForecastMetrics.of(Arrays.copyOfRange(target, cut, in.length), p).nrmse();
        }
        // a diverging free run gives Inf or NaN: it is never chosen
        if (scores[at] < best) {
          best = scores[at];
          ridge = ridges[k];
          noise = noises[ni];
        }
      }
      progress.work("choosing ridge and noise", ni + 1, noises.length, t0);
    }
    if (best == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(fr.closedLoopSelection()
          ? "every --ridge and --noise value gave a singular system or a diverging free run: raise the "
              + "regularisation or the noise"
          : "every --ridge value gave a singular system: raise the regularisation");
    }
    return new Choice(ridge, noise, scores);
  }

  /**
   * Measures a forecasting model on a series: runs its training part (teacher-forced, from a zero state), then
   * predicts the test part one horizon ahead, then (horizon 1, {@code s.generate() > 0}) runs closed loop from
   * the end of training.
   */
  static ForecastReport evaluate(ReservoirModel model, double[][] raw, int trainLen, ReservoirSetup s,
      double buildSeconds, double fitSeconds, double ridge, double[] valNrmse, double noise) {
    return evaluate(model, raw, trainLen, s.generate(), buildSeconds, fitSeconds, ridge, valNrmse, s.ridges(),
        s.freeRun(), noise);
  }

  /**
   * Measures a loaded forecasting model on a series (raw units): steps before {@code warmup} only drive the
   * state, the rest is predicted one horizon ahead; {@code generate} closed-loop steps follow the warm-up.
   */
  public static ForecastReport evaluate(ReservoirModel model, double[][] raw, int warmup, int generate) {
    return evaluate(model, raw, warmup, generate, FreeRunSetup.NONE);
  }

  /**
   * {@link #evaluate(ReservoirModel, double[][], int, int)} plus the free-run test of {@code freeRun} (its
   * horizon, trials and threshold) over the steps after the warm-up.
   */
  public static ForecastReport evaluate(ReservoirModel model, double[][] raw, int warmup, int generate,
      FreeRunSetup freeRun) {
    int h = model.settings().horizon();
    if (warmup - h < 1 || warmup >= raw.length) {
      throw new IllegalArgumentException("the series has " + raw.length + " steps; the warm-up (" + warmup
          + ") must exceed the horizon (" + h + ") and leave steps to test");
    }
    if (freeRun.horizon() > 0 && h != 1) {
      throw new IllegalArgumentException("free runs need a one-step forecaster; this model predicts " + h
          + " steps ahead");
    }
    return evaluate(model, raw, warmup, generate, 0, 0, model.settings().ridge(), new double[0],
        new double[] {model.settings().ridge()}, freeRun, Double.NaN);
  }

  private static ForecastReport evaluate(ReservoirModel model, double[][] raw, int trainLen, int generate,
      double buildSeconds, double fitSeconds, double ridge, double[] valNrmse, double[] ridges, FreeRunSetup fr,
      double noise) {
    EchoStateNetwork esn = model.network();
    int h = model.settings().horizon();
    int steps = raw.length;
    double[][] u = model.normalize(raw);
    EchoStateNetwork.State st = esn.newState();
    esn.run(st, Arrays.copyOfRange(u, 0, trainLen - h));
    long r0 = System.nanoTime();
    double[][] pred = model.denormalize(esn.run(st, Arrays.copyOfRange(u, trainLen - h, steps - h)));
    double runSec = (System.nanoTime() - r0) / 1e9;
    double[][] truth = Arrays.copyOfRange(raw, trainLen, steps);
    ForecastMetrics test = ForecastMetrics.of(truth, pred);
    ForecastMetrics closed = null;
    double[][] closedTruth = new double[0][];
    double[][] closedPred = new double[0][];
    int g = Math.min(generate, steps - trainLen);
    if (g > 0 && h == 1) {
      EchoStateNetwork.State cs = esn.newState();
      esn.run(cs, Arrays.copyOf(u, trainLen - 1));
      closedPred = model.denormalize(esn.generate(cs, u[trainLen - 1], g));
      closedTruth = Arrays.copyOfRange(raw, trainLen, trainLen + g);
      closed = ForecastMetrics.of(closedTruth, closedPred);
    }
    FreeRun.Report free = null;
    if (fr.horizon() > 0 && h == 1) {
      if (steps - trainLen < fr.horizon()) {
        throw new IllegalArgumentException("the free-run horizon of " + fr.horizon() + " steps is longer than the "
            + "test part of the series (" + (steps - trainLen) + " steps): lower --free-run or lengthen the series");
      }
      free = FreeRun.measure(esn, u, trainLen, steps, fr.horizon(), fr.trials(), fr.threshold());
    }
    return new ForecastReport(test, closed, ridge, ridges, valNrmse, trainLen - h, truth.length, buildSeconds,
        fitSeconds,
        runSec / (truth.length / 1000.0), truth, pred, closedTruth, closedPred, noise, fr.noises(), fr.select(), free);
  }

  /** Trains an image classifier; the splits are raw (normalised here, the normalization kept in the model). */
  public static Trained<ClassifyReport> classify(DataSplits raw, ReservoirSetup s, Progress progress) {
    DataSplits d = raw.normalized();
    int cols = d.train().cols();
    int side = (int) Math.round(Math.sqrt(cols));
    if (side * side != cols) {
      throw new IllegalArgumentException("reservoir classifiers read square images; this dataset has " + cols
          + " features per row");
    }
    long t0 = System.nanoTime();
    EchoStateNetwork esn = null;
    RingReservoir ring = null;
    FeatureMap map;
    int neurons;
    if (s.family().equals("esn")) {
      esn = new EchoStateNetwork(s.seed(), s.layers(), side, d.train().classes(), false, null);
      map = new EsnImageFeatures(esn, side, side, s.samples());
      neurons = s.layers().stream().mapToInt(ReservoirSpec::units).sum();
    } else {
      ring = new RingReservoir(s.ring(), side, side, s.seed());
      map = ring;
      neurons = ring.neurons();
    }
    Dataset validation = s.ridges().length > 1 ? d.validation() : null;
    ImageReadout.Fit fit = ImageReadout.fit(map, d.train(), validation, s.ridges(), s.threads(), progress);
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    double acc = ImageReadout.accuracy(map, fit.weights(), d.test(), s.threads(), progress);
    double testSeconds = (System.nanoTime() - t1) / 1e9;
    ReservoirModel.Settings settings = new ReservoirModel.Settings("classify", 0, fit.ridge(), 0, new double[0],
        new double[0], d.normalization(), side, side, "ridge", s.samples(), new String[0]);
    ReservoirModel model = new ReservoirModel(s.family(), s.seed(), esn, ring, fit.weights(), settings);
    return new Trained<>(model, new ClassifyReport(acc, fit.ridge(), s.ridges(), fit.validationAccuracy(),
        map.featureCount(), neurons, d.train().rows(), d.test().rows(), fitSeconds, testSeconds));
  }
}
