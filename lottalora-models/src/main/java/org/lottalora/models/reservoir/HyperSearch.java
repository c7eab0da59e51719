package org.lottalora.models.reservoir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.LottaException;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.format.AtomicFile;

/**
 * Hyperparameter search for an echo state network on a forecasting task, over spectral radius, leak rate,
 * input scaling and ridge, by random search (seeded draws, log-uniform for input scaling and ridge) or grid.
 * The loss is the validation NRMSE: the series given is split 75/25 and the later part is never used for
 * fitting; with {@code --select closed-loop} it is the NRMSE of free runs over steps 1..{@code --free-run} on that
 * quarter instead (a noise list, if given, is chosen from inside each trial). Every finished trial is written to {@code <dir>/trials/<n>.json} at once, so an interrupted search
 * resumes where it stopped; {@code <dir>/search.json} pins the search's settings and a resume with different
 * ones is refused.
 */
public final class HyperSearch {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final double VALIDATION_SPLIT = 0.75;

  private HyperSearch() {
  }

  /** A closed range, searched on a log scale when {@code log}. */
  public record Range(double lo, double hi, boolean log) {
    /** Validates the range. */
    public Range {
      if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi) || (log && !(lo > 0))) {
        throw new IllegalArgumentException("bad search range " + lo + ":" + hi + (log ? " (log ranges need lo > 0)"
            : ""));
      }
    }

    /** Parses {@code lo:hi}. */
    public static Range parse(String option, String text, boolean log) {
      String[] p = text.split(":");
      try {
        if (p.length == 1) {
          double v = Double.parseDouble(p[0]);
          return new Range(v, v, log);
        }
        if (p.length == 2) {
          return new Range(Double.parseDouble(p[0]), Double.parseDouble(p[1]), log);
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new IllegalArgumentException(option + " must be lo:hi or one value, got '" + text + "'");
    }

    double at(double u) {
      return log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
    }
  }

  /** What is searched and how. */
  public record Config(String mode, int trials, int gridPoints, long seed, Range spectralRadius, Range leakRate,
      Range inputScaling, Range ridge, ReservoirSetup base, String series) {
    /** Validates the mode and counts. */
    public Config {
      mode = mode.toLowerCase(Locale.ROOT);
      if (!mode.equals("random") && !mode.equals("grid")) {
        throw new IllegalArgumentException("unknown --mode '" + mode + "'; valid: random, grid");
      }
      if (trials < 1 || gridPoints < 1) {
        throw new IllegalArgumentException("--trials and --grid-points must be >= 1");
      }
      if (base.layers().size() != 1) {
        throw new IllegalArgumentException("the search tunes one reservoir layer; give one --units value");
      }
    }
  }

  /** One finished trial. */
  public record Trial(int index, double spectralRadius, double leakRate, double inputScaling, double ridge,
      double validationNrmse, double seconds, String failure) {
  }

  /** The search's outcome: all trials (in order) and the best. */
  public record Result(List<Trial> trials, Trial best, int resumed) {
  }

  /** Points of the search in a fixed order (random draws from the seed's stream, or the grid). */
  public static List<double[]> points(Config c) {
    List<double[]> out = new ArrayList<>();
    Range[] r = {c.spectralRadius(), c.leakRate(), c.inputScaling(), c.ridge()};
    if (c.mode().equals("random")) {
      Stream s = new Stream(c.seed(), "reservoir.search");
      long w = 0;
      for (int t = 0; t < c.trials(); t++) {
        double[] p = new double[4];
        for (int k = 0; k < 4; k++) {
          p[k] = r[k].at(Stream.uniform(s.word(w++)));
        }
        out.add(p);
      }
    } else {
      int g = c.gridPoints();
      int[] n = new int[4];
      for (int k = 0; k < 4; k++) {
        n[k] = r[k].lo() == r[k].hi() ? 1 : g;
      }
      for (int a = 0; a < n[0]; a++) {
        for (int b = 0; b < n[1]; b++) {
          for (int i = 0; i < n[2]; i++) {
            for (int d = 0; d < n[3]; d++) {
              int[] idx = {a, b, i, d};
              double[] p = new double[4];
              for (int k = 0; k < 4; k++) {
                p[k] = r[k].at(n[k] == 1 ? 0 : idx[k] / (double) (n[k] - 1));
              }
              out.add(p);
            }
          }
        }
      }
    }
    return out;
  }

  /** Runs (or resumes) the search in {@code dir} on {@code series}. */
  public static Result run(Config c, TimeSeries series, Path dir, Progress progress) {
    List<double[]> pts = points(c);
    Path trialsDir = dir.resolve("trials");
    try {
      Files.createDirectories(trialsDir);
      Path pin = dir.resolve("search.json");
      String pinned = JSON.writeValueAsString(describe(c));
      if (Files.exists(pin)) {
        if (!JSON.readTree(Files.readString(pin)).equals(JSON.readTree(pinned))) {
          throw new IllegalArgumentException(dir + " holds a search with other settings (" + pin + "); use a new "
              + "--dir or the same settings to resume");
        }
      } else {
        AtomicFile.writeString(pin, pinned);
      }
    } catch (IOException e) {
      throw new LottaException("cannot use search folder " + dir + ": " + e.getMessage(), e);
    }
    List<Trial> trials = new ArrayList<>();
    int resumed = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < pts.size(); i++) {
      Path f = trialsDir.resolve(i + ".json");
      if (Files.exists(f)) {
        try {
          trials.add(JSON.readValue(f.toFile(), Trial.class));
          resumed++;
          continue;
        } catch (IOException e) {
          throw new LottaException(f + " is not a readable trial record (" + e.getMessage() + "); delete it to "
              + "rerun that trial");
        }
      }
      double[] p = pts.get(i);
      Trial tr = trial(i, p, c, series);
      try {
        AtomicFile.writeString(f, JSON.writeValueAsString(tr));
      } catch (IOException e) {
        throw new LottaException("cannot write " + f + ": " + e.getMessage(), e);
      }
      trials.add(tr);
      progress.work("search trials", i + 1, pts.size(), t0);
    }
    Trial best = trials.stream().filter(t -> t.failure() == null && Double.isFinite(t.validationNrmse()))
        .min(Comparator.comparingDouble(Trial::validationNrmse)).orElse(null);
    return new Result(trials, best, resumed);
  }

  private static Trial trial(int i, double[] p, Config c, TimeSeries series) {
    ReservoirSetup b = c.base();
    ReservoirSpec l = b.layers().get(0).withSpectralRadius(p[0]).withLeakRate(p[1]).withInputScaling(p[2]);
    FreeRunSetup fr = b.freeRun();
    ReservoirSetup s = new ReservoirSetup("esn", b.seed(), List.of(l), null, b.washout(), new double[] {p[3]},
        b.horizon(), b.inputToReadout(), b.fit(), b.samples(), VALIDATION_SPLIT, 0, b.threads(), fr);
    long t0 = System.nanoTime();
    try {
      var r = ReservoirTrainer.forecast(series, s, Progress.silent()).report();
      // closed-loop objective: the free runs' error over steps 1..horizon on the held-out quarter; a diverging
      // run (Inf or NaN) is recorded as such and never the best
      double loss = fr.closedLoopSelection() ? r.freeRun().meanNrmse() : r.test().nrmse();
      return new Trial(i, p[0], p[1], p[2], p[3], loss, (System.nanoTime() - t0) / 1e9, null);
    } catch (IllegalArgumentException e) {
      return new Trial(i, p[0], p[1], p[2], p[3], Double.NaN, (System.nanoTime() - t0) / 1e9, e.getMessage());
    }
  }

  private static java.util.Map<String, Object> describe(Config c) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("mode", c.mode());
    m.put("trials", c.trials());
    m.put("grid_points", c.gridPoints());
    m.put("seed", c.seed());
    m.put("spectral_radius", c.spectralRadius());
    m.put("leak_rate", c.leakRate());
    m.put("input_scaling", c.inputScaling());
    m.put("ridge", c.ridge());
    m.put("units", c.base().layers().get(0).units());
    m.put("density", c.base().layers().get(0).density());
    m.put("reservoir_seed", c.base().seed());
    m.put("washout", c.base().washout());
    m.put("horizon", c.base().horizon());
    m.put("series", c.series());
    // settings added after the first release are pinned only when set, so older searches still resume
    FreeRunSetup fr = c.base().freeRun();
    if (fr.closedLoopSelection() || fr.noises().length > 1 || fr.noises()[0] > 0) {
      m.put("objective", fr.select());
      m.put("free_run", fr.horizon());
      m.put("free_run_trials", fr.trials());
      m.put("noise", fr.noises());
    }
    ReservoirSpec l = c.base().layers().get(0);
    if (l.bernoulliInputs() || l.inputDensity() != 1.0 || l.biasScaling() != 0) {
      m.put("input_init", l.inputInit());
      m.put("input_density", l.inputDensity());
      m.put("bias_scaling", l.biasScaling());
    }
    return m;
  }

  /** Writes the landscape plots (loss against each parameter) into {@code dir}. */
  public static void plots(Result r, Path dir) {
    String[] names = {"spectral_radius", "leak_rate", "input_scaling", "ridge"};
    for (int k = 0; k < 4; k++) {
      List<double[]> pts = new ArrayList<>();
      for (Trial t : r.trials()) {
        if (t.failure() == null && Double.isFinite(t.validationNrmse())) {
          double x = k == 0 ? t.spectralRadius() : k == 1 ? t.leakRate() : k == 2 ? t.inputScaling() : t.ridge();
          pts.add(new double[] {x, t.validationNrmse()});
        }
      }
      if (!pts.isEmpty()) {
        ReservoirPlots.landscape(dir.resolve("landscape-" + names[k]), names[k], pts, k >= 2);
      }
    }
  }
}
