package org.lottalora.core.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The task's intrinsic dimension as the paper defines it: r*(eps) is the smallest rank whose adapters come
 * within eps of full training, on accuracy ({@code acc(r) >= acc_full - eps}) or on loss
 * ({@code loss(r) <= loss_full + eps}). Computed per seed (against that seed's baseline) and on the mean curve
 * over seeds (against the mean baseline), per group of runs that share init, alpha and scaling rule. When no
 * rank tried reaches the target, r* is absent and reported as "not reached within the ranks tried".
 */
public final class IntrinsicDimension {
  private IntrinsicDimension() {}

  /** Which metric eps applies to. */
  public enum Metric { ACCURACY, LOSS }

  /**
   * r*(eps) of one group.
   *
   * @param group init, alpha and scaling rule the runs share
   * @param metric accuracy or loss
   * @param eps the tolerance (accuracy as a fraction: 0.01 is one point; loss in nats)
   * @param perSeed r* of each seed's curve against its own baseline; null where not reached
   * @param ofMean r* of the mean curve against the mean baseline; null if not reached
   * @param fullMean the mean baseline metric
   * @param ranks the ranks tried
   */
  public record RStar(String group, Metric metric, double eps, Map<Long, Integer> perSeed, Integer ofMean,
      double fullMean, List<Integer> ranks) {
    /** Smallest per-seed r* (null if no seed reached it). */
    public Integer min() {
      return perSeed.values().stream().filter(Objects::nonNull).min(Integer::compare).orElse(null);
    }

    /** Largest per-seed r* (null if some seed never reached it, or none did). */
    public Integer max() {
      return perSeed.containsValue(null) ? null
          : perSeed.values().stream().max(Integer::compare).orElse(null);
    }

    /** For people: "4 (per seed: 4, 8, 4)" or "not reached within ranks 1-32 (per seed: ...)". */
    public String describe() {
      String range = ranks.isEmpty() ? "" : ranks.get(0) + "-" + ranks.get(ranks.size() - 1);
      String mean = ofMean == null ? "not reached within ranks " + range : Integer.toString(ofMean);
      if (perSeed.size() <= 1) {
        return mean;
      }
      return mean + " (per seed: " + perSeed.values().stream().map(v -> v == null ? "not reached" : v.toString())
          .collect(java.util.stream.Collectors.joining(", ")) + ")";
    }
  }

  /** The group key of a run: init, alpha, scaling rule. */
  public static String group(RunSpec s) {
    return "init " + s.init() + (s.full() ? "" : ", alpha " + s.alpha() + (s.rsLora() ? ", rsLoRA" : ", alpha/r"))
        + (s.schedule().equals("fixed") ? "" : ", scaffolds " + s.schedule());
  }

  /**
   * r*(eps) for every group of adapter runs that has a full baseline with the same init.
   *
   * @throws IllegalArgumentException if eps is negative or not finite
   */
  public static List<RStar> of(List<RunResult> results, Metric metric, double eps) {
    if (!(eps >= 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
    }
    Map<String, List<RunResult>> groups = new LinkedHashMap<>();
    Map<String, Map<Long, Double>> fullByInit = new LinkedHashMap<>();
    for (RunResult r : results) {
      if (r.failure() != null && !r.failure().startsWith("interrupted")) {
        continue; // a diverged run has no meaningful metric
      }
      if (r.spec().full()) {
        fullByInit.computeIfAbsent(r.spec().init(), k -> new TreeMap<>()).put(r.spec().seed(), value(r, metric));
      } else {
        groups.computeIfAbsent(group(r.spec()), k -> new ArrayList<>()).add(r);
      }
    }
    List<RStar> out = new ArrayList<>();
    for (Map.Entry<String, List<RunResult>> g : groups.entrySet()) {
      String init = g.getValue().get(0).spec().init();
      Map<Long, Double> full = fullByInit.get(init);
      if (full == null || full.isEmpty()) {
        continue;
      }
      double fullMean = full.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      Map<Long, TreeMap<Integer, Double>> curves = new TreeMap<>();
      TreeSet<Integer> ranks = new TreeSet<>();
      for (RunResult r : g.getValue()) {
        curves.computeIfAbsent(r.spec().seed(), k -> new TreeMap<>()).put(r.spec().rank(), value(r, metric));
        ranks.add(r.spec().rank());
      }
      Map<Long, Integer> perSeed = new LinkedHashMap<>();
      TreeMap<Integer, double[]> sums = new TreeMap<>();
      for (Map.Entry<Long, TreeMap<Integer, Double>> c : curves.entrySet()) {
        double base = full.getOrDefault(c.getKey(), fullMean);
        perSeed.put(c.getKey(), first(c.getValue(), base, metric, eps));
        c.getValue().forEach((rank, v) -> {
          double[] s = sums.computeIfAbsent(rank, k -> new double[2]);
          s[0] += v;
          s[1]++;
        });
      }
      TreeMap<Integer, Double> mean = new TreeMap<>();
      sums.forEach((rank, s) -> mean.put(rank, s[0] / s[1]));
      out.add(new RStar(g.getKey(), metric, eps, perSeed, first(mean, fullMean, metric, eps), fullMean,
          List.copyOf(ranks)));
    }
    return out;
  }

  static double value(RunResult r, Metric m) {
    return m == Metric.ACCURACY ? r.testAccuracy() : r.testLoss();
  }

  /** The smallest rank of the curve that meets the target; null if none does. */
  static Integer first(TreeMap<Integer, Double> curve, double full, Metric m, double eps) {
    for (Map.Entry<Integer, Double> e : curve.entrySet()) {
      boolean ok = m == Metric.ACCURACY ? e.getValue() >= full - eps - 1e-12 : e.getValue() <= full + eps + 1e-12;
      if (ok) {
        return e.getKey();
      }
    }
    return null;
  }
}
