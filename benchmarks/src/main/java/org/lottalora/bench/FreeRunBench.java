package org.lottalora.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.data.series.MackeyGlass;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.models.reservoir.FreeRunSetup;
import org.lottalora.models.reservoir.Reservoir;
import org.lottalora.models.reservoir.ReservoirSetup;
import org.lottalora.models.reservoir.ReservoirSpec;
import org.lottalora.models.reservoir.ReservoirTrainer;
import org.lottalora.models.reservoir.SpectralRadius;

/**
 * Free-running Mackey-Glass (tau 17) forecasts over many reservoir seeds and series realisations, the protocol
 * of Jaeger's NRMSE84: train teacher-forced on {@code train} steps (the first {@code washout} dropped), then
 * from 100 start points over the following {@code test} steps run free for {@code horizon} steps and pool the
 * error at the last one. Every run is one JSON line on stdout; a summary line per configuration closes the
 * output (median, quartiles, min and max over all runs). Mode {@code build} times building a reservoir with
 * the exact dense eigenvalue solver against the sparse Arnoldi estimate.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.FreeRunBench units=400
 * train=3000 test=1000 washout=1000 seeds=10 series=3 sr=0.8 lr=1 ridge=1e-10,1e-8,1e-6 noise=0,1e-4
 * select=closed-loop preset=gaussian}, or {@code ... FreeRunBench build units=1000 reps=3}.
 */
public final class FreeRunBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FreeRunBench() {
  }

  /** Entry point: key=value settings (see the class comment). */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    boolean build = false;
    for (String s : args) {
      if (s.equals("build")) {
        build = true;
        continue;
      }
      String[] kv = s.split("=", 2);
      a.put(kv[0], kv[1]);
    }
    if (build) {
      build(Integer.parseInt(a.getOrDefault("units", "1000")), Integer.parseInt(a.getOrDefault("reps", "3")),
          Double.parseDouble(a.getOrDefault("density", "0.1")));
      return;
    }
    int units = Integer.parseInt(a.getOrDefault("units", "400"));
    int train = Integer.parseInt(a.getOrDefault("train", "3000"));
    int test = Integer.parseInt(a.getOrDefault("test", "1000"));
    int washout = Integer.parseInt(a.getOrDefault("washout", "1000"));
    int seeds = Integer.parseInt(a.getOrDefault("seeds", "10"));
    int seriesCount = Integer.parseInt(a.getOrDefault("series", "3"));
    int horizon = Integer.parseInt(a.getOrDefault("horizon", "84"));
    int trials = Integer.parseInt(a.getOrDefault("trials", "100"));
    double sr = Double.parseDouble(a.getOrDefault("sr", "0.8"));
    double lr = Double.parseDouble(a.getOrDefault("lr", "1"));
    double density = Double.parseDouble(a.getOrDefault("density", "0.1"));
    double inputScaling = Double.parseDouble(a.getOrDefault("input_scaling", "1"));
    String preset = a.getOrDefault("preset", "gaussian");
    double[] ridges = numbers(a.getOrDefault("ridge", "1e-10,1e-9,1e-8,1e-7,1e-6,1e-5,1e-4"));
    double[] noises = numbers(a.getOrDefault("noise", "0"));
    String select = a.getOrDefault("select", "closed-loop");
    boolean rpy = preset.equals("reservoirpy");
    double inputDensity = Double.parseDouble(a.getOrDefault("input_density", rpy ? "0.1" : "1"));
    double biasScaling = Double.parseDouble(a.getOrDefault("bias_scaling", rpy ? "1" : "0"));
    ReservoirSpec spec = new ReservoirSpec(units, sr, density, lr, inputScaling, inputDensity, biasScaling, "tanh",
        0, rpy ? "bernoulli" : "gaussian");
    FreeRunSetup fr = new FreeRunSetup(noises, select, horizon, trials, 0.4);
    int total = train + test;
    List<Double> nrmse = new ArrayList<>();
    List<Double> oneStep = new ArrayList<>();
    List<Double> valid = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int s = 1; s <= seriesCount; s++) {
      TimeSeries ts = MackeyGlass.generate(total, 1000 + s);
      for (int seed = 0; seed < seeds; seed++) {
        ReservoirSetup setup = new ReservoirSetup("esn", seed, List.of(spec), null, washout, ridges, 1, false,
            "ridge", 1, train / (double) total, 0, 1, fr);
        long r0 = System.nanoTime();
        var r = ReservoirTrainer.forecast(ts, setup, Progress.silent()).report();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("units", units);
        j.put("train", train);
        j.put("series_seed", 1000 + s);
        j.put("seed", seed);
        j.put("preset", preset);
        j.put("sr", sr);
        j.put("lr", lr);
        j.put("input_scaling", inputScaling);
        j.put("select", select);
        j.put("ridge", r.ridge());
        j.put("noise", r.noise());
        j.put("one_step_nrmse", r.test().nrmse());
        j.put("one_step_nrmse_range", r.test().nrmseRange());
        j.put("nrmse_h", r.freeRun().nrmse());
        j.put("nrmse_h_range", r.freeRun().nrmseRange());
        j.put("mean_nrmse_1_h", r.freeRun().meanNrmse());
        j.put("valid_steps_median", r.freeRun().validStepsMedian());
        j.put("horizon", horizon);
        j.put("trials", r.freeRun().trials());
        j.put("build_seconds", r.buildSeconds());
        j.put("seconds", (System.nanoTime() - r0) / 1e9);
        System.out.println(JSON.writeValueAsString(j));
        nrmse.add(r.freeRun().nrmse());
        oneStep.add(r.test().nrmse());
        valid.add(r.freeRun().validStepsMedian());
      }
    }
    Map<String, Object> sum = new LinkedHashMap<>();
    sum.put("summary", true);
    sum.putAll(a);
    sum.put("runs", nrmse.size());
    sum.put("nrmse_h", stats(nrmse));
    sum.put("one_step_nrmse", stats(oneStep));
    sum.put("valid_steps_median", stats(valid));
    sum.put("seconds", (System.nanoTime() - t0) / 1e9);
    System.out.println(JSON.writeValueAsString(sum));
  }

  private static void build(int units, int reps, double density) throws Exception {
    ReservoirSpec spec = new ReservoirSpec(units, 1.25, density, 0.3, 1, 1, 0, "tanh", 0);
    for (int rep = 0; rep < reps; rep++) {
      long seed = rep;
      long a0 = System.nanoTime();
      float[] raw = Backbone.regenerate(seed, Reservoir.tensorSpecs(spec, 0, 1, 0), 1).get(Reservoir.name(0, "W"));
      double exactRho = SpectralRadius.of(raw, units);
      new Reservoir(spec, 0, 1, 0, seed, exactRho);
      double exactSec = (System.nanoTime() - a0) / 1e9;
      long b0 = System.nanoTime();
      Reservoir fast = new Reservoir(spec, 0, 1, 0, seed, Double.NaN);
      double fastSec = (System.nanoTime() - b0) / 1e9;
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("units", units);
      j.put("density", density);
      j.put("seed", seed);
      j.put("exact_build_seconds", exactSec);
      j.put("arnoldi_build_seconds", fastSec);
      j.put("exact_rho", exactRho);
      j.put("arnoldi_rho", fast.rhoRaw());
      j.put("relative_difference", Math.abs(fast.rhoRaw() - exactRho) / exactRho);
      System.out.println(JSON.writeValueAsString(j));
    }
  }

  private static Map<String, Object> stats(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median", quantile(s, 0.5));
    m.put("q1", quantile(s, 0.25));
    m.put("q3", quantile(s, 0.75));
    m.put("min", s[0]);
    m.put("max", s[s.length - 1]);
    m.put("mean_log10", Arrays.stream(s).map(Math::log10).average().orElse(Double.NaN));
    return m;
  }

  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static double[] numbers(String s) {
    return Arrays.stream(s.split(",")).mapToDouble(x -> Double.parseDouble(x.trim())).toArray();
  }
}
