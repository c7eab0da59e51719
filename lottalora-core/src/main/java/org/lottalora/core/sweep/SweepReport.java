package org.lottalora.core.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.lottalora.core.LottaException;
import org.lottalora.core.sweep.IntrinsicDimension.Metric;
import org.lottalora.core.sweep.IntrinsicDimension.RStar;

/**
 * A sweep's report, rebuilt from its finished runs alone: {@code runs.csv} and {@code report.json} (every run,
 * every r*), {@code report.md} (the rank curve per group with the seed spread and recovery against full
 * training, r*(eps) per eps, the betas per layer) and the plots of {@link SweepPlots}.
 */
public final class SweepReport {
  private SweepReport() {}

  /**
   * Mean, spread and size of one cell of the rank curve.
   *
   * @param group init, alpha, scaling rule
   * @param rank the rank (0 for the full baseline)
   * @param n runs (seeds)
   * @param accMean mean test accuracy
   * @param accStd standard deviation over seeds (0 for one seed)
   * @param accMin lowest
   * @param accMax highest
   * @param lossMean mean test loss
   * @param trainableFraction trainable / model parameters
   * @param betas mean beta per layer
   * @param removedMean mean test accuracy with W_seed removed after training (NaN if not measured)
   */
  public record Cell(String group, int rank, int n, double accMean, double accStd, double accMin, double accMax,
      double lossMean, double trainableFraction, Map<String, Double> betas, double removedMean) {}

  /** The rank curve: one cell per group and rank, the baseline (rank 0) first, over successful runs. */
  public static List<Cell> curve(List<RunResult> results) {
    Map<String, TreeMap<Integer, List<RunResult>>> by = new LinkedHashMap<>();
    for (RunResult r : results) {
      if (r.failure() != null && !r.failure().startsWith("interrupted")) {
        continue;
      }
      String g = r.spec().full() ? "full, init " + r.spec().init() : IntrinsicDimension.group(r.spec());
      by.computeIfAbsent(g, k -> new TreeMap<>()).computeIfAbsent(r.spec().full() ? 0 : r.spec().rank(),
          k -> new ArrayList<>()).add(r);
    }
    List<Cell> out = new ArrayList<>();
    by.forEach((g, ranks) -> ranks.forEach((rank, rs) -> {
      double[] acc = rs.stream().mapToDouble(RunResult::testAccuracy).toArray();
      double mean = java.util.Arrays.stream(acc).average().orElse(Double.NaN);
      double var = java.util.Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / Math.max(1, acc.length - 1);
      Map<String, Double> betas = new TreeMap<>(java.util.Comparator.comparingInt(SweepReport::layerIndex)
          .thenComparing(s -> s));
      for (RunResult r : rs) {
        r.betas().forEach((k, v) -> betas.merge(k, v / (double) rs.size(), Double::sum));
      }
      out.add(new Cell(g, rank, rs.size(), mean, acc.length > 1 ? Math.sqrt(var) : 0,
          java.util.Arrays.stream(acc).min().orElse(Double.NaN), java.util.Arrays.stream(acc).max().orElse(Double.NaN),
          rs.stream().mapToDouble(RunResult::testLoss).average().orElse(Double.NaN),
          rs.get(0).trainableFraction(), betas, rs.stream().filter(r -> r.scaffoldRemovedAccuracy() != null)
              .mapToDouble(RunResult::scaffoldRemovedAccuracy).average().orElse(Double.NaN)));
    }));
    return out;
  }

  static int layerIndex(String layer) {
    String[] p = layer.split("\\.");
    try {
      return p.length > 1 ? Integer.parseInt(p[1]) : Integer.MAX_VALUE;
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  /**
   * Writes runs.csv, report.json, report.md and the plots into the sweep folder.
   *
   * @param accEps accuracy tolerances for r* (fractions: 0.01 = one point)
   * @param lossEps loss tolerances for r* (nats)
   * @return the Markdown report and the r* values it holds
   */
  public static Written write(SweepStore store, List<Double> accEps, List<Double> lossEps, List<Pca.Count> pca,
      double wallSeconds, String machine) {
    List<RunResult> results = store.results();
    if (results.isEmpty()) {
      throw new LottaException(store.dir() + " has no finished runs yet; run the sweep first");
    }
    List<RStar> rstars = new ArrayList<>();
    accEps.forEach(e -> rstars.addAll(IntrinsicDimension.of(results, Metric.ACCURACY, e)));
    lossEps.forEach(e -> rstars.addAll(IntrinsicDimension.of(results, Metric.LOSS, e)));
    List<Cell> curve = curve(results);
    String md = markdown(store, results, curve, rstars, pca, wallSeconds, machine);
    try {
      Files.writeString(store.dir().resolve("report.md"), md);
      Files.writeString(store.dir().resolve("runs.csv"), csv(results));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("config", store.config());
      json.put("runs", results);
      json.put("curve", curve);
      json.put("r_star", rstars.stream().map(r -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", r.group());
        m.put("metric", r.metric().name().toLowerCase(Locale.ROOT));
        m.put("eps", r.eps());
        m.put("r_star_of_mean", r.ofMean());
        m.put("reached", r.ofMean() != null);
        m.put("per_seed", r.perSeed());
        m.put("full_mean", r.fullMean());
        m.put("ranks_tried", r.ranks());
        return m;
      }).toList());
      json.put("pca", pca);
      json.put("wall_seconds", wallSeconds);
      json.put("machine", machine);
      Files.writeString(store.dir().resolve("report.json"), SweepStore.JSON.writeValueAsString(json));
      SweepPlots.write(store.dir(), curve, rstars);
    } catch (IOException e) {
      throw new LottaException("cannot write the report into " + store.dir() + ": " + e.getMessage(), e);
    }
    return new Written(md, List.copyOf(rstars));
  }

  /**
   * What {@link #write} produced.
   *
   * @param markdown the report.md text
   * @param rStars r*(eps) of every group and tolerance
   */
  public record Written(String markdown, List<RStar> rStars) {}

  static String csv(List<RunResult> results) {
    StringBuilder sb = new StringBuilder("id,dataset,family,widths,full,rank,alpha,rslora,seed,init,epochs,batch,lr,"
        + "wd,test_accuracy,test_loss,best_val_accuracy,best_epoch,trainable_params,model_params,"
        + "trainable_fraction,wall_seconds,failure,betas\n");
    for (RunResult r : results) {
      RunSpec s = r.spec();
      sb.append(String.join(",", r.id(), quote(s.dataset()), s.family(),
          java.util.Arrays.stream(s.widths()).mapToObj(Integer::toString).collect(Collectors.joining("-")),
          Boolean.toString(s.full()), s.full() ? "" : Integer.toString(s.rank()), Double.toString(s.alpha()),
          Boolean.toString(s.rsLora()), Long.toString(s.seed()), quote(s.init()), Integer.toString(s.epochs()),
          Integer.toString(s.batch()), Double.toString(s.lr()), Double.toString(s.wd()),
          Double.toString(r.testAccuracy()), Double.toString(r.testLoss()), Double.toString(r.bestValAccuracy()),
          Integer.toString(r.bestEpoch()), Long.toString(r.trainableParams()), Long.toString(r.modelParams()),
          Double.toString(r.trainableFraction()), Double.toString(r.wallSeconds()),
          quote(r.failure() == null ? "" : r.failure()),
          quote(r.betas().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(" "))))).append('\n');
    }
    return sb.toString();
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  static String markdown(SweepStore store, List<RunResult> results, List<Cell> curve, List<RStar> rstars,
      List<Pca.Count> pca, double wallSeconds, String machine) {
    SweepConfig c = store.config();
    StringBuilder sb = new StringBuilder();
    sb.append("# Sweep report: ").append(c.family()).append(' ')
        .append(java.util.Arrays.stream(c.widths()).mapToObj(Integer::toString).collect(Collectors.joining("-")))
        .append(" on ").append(c.dataset()).append("\n\n");
    boolean bySteps = c.options().containsKey("steps"); // such a family takes steps, not epochs
    sb.append(String.format(Locale.ROOT, "%d of %d runs finished; %sbatch %d, lr %s, %ssplit seed %d%s. "
        + "Sweep wall time %s. %s%n%n", results.size(), c.runs().size(), bySteps ? "" : c.epochs() + " epochs, ",
        c.batch(), c.lr(), bySteps ? "" : "wd " + c.wd() + ", ", c.splitSeed(),
        c.maxTrain() > 0 ? ", " + c.maxTrain() + " training rows" : "",
        wallSeconds > 0 ? String.format(Locale.ROOT, "%.0f s", wallSeconds) : "not recorded", machine));
    if (!c.options().isEmpty()) {
      sb.append("Family settings: ").append(c.options().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", "))).append(".\n\n");
    }
    org.lottalora.core.family.Family fam = org.lottalora.core.family.FamilyRegistry.all().get(c.family());
    if (fam != null && fam.reportNote() != null) {
      sb.append(fam.reportNote()).append("\n\n");
    }
    Map<String, Double> fullMean = new LinkedHashMap<>();
    for (Cell cell : curve) {
      if (cell.rank() == 0) {
        fullMean.put(cell.group().replace("full, ", ""), cell.accMean());
      }
    }
    sb.append("## Test accuracy by rank (mean over seeds, std, min-max)\n\n");
    sb.append("| group | rank | seeds | accuracy | std | min-max | recovery vs full | test loss | trainable | "
        + "W_seed removed after training |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Cell cell : curve) {
      String init = cell.group().startsWith("full") ? cell.group().replace("full, ", "")
          : cell.group().substring(0, cell.group().indexOf(", alpha"));
      Double full = fullMean.get(init);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.4f-%.4f | %s | %.4f | %.2f%% | %s |%n",
          cell.group(), cell.rank() == 0 ? "full" : Integer.toString(cell.rank()), cell.n(), cell.accMean(),
          cell.accStd(), cell.accMin(), cell.accMax(), full == null ? "-" : String.format(Locale.ROOT, "%.1f%%",
              100 * cell.accMean() / full), cell.lossMean(), 100 * cell.trainableFraction(),
          Double.isNaN(cell.removedMean()) ? "-" : String.format(Locale.ROOT, "%.4f", cell.removedMean())));
    }
    sb.append("\n## Intrinsic dimension r*(eps)\n\n");
    sb.append("Smallest rank whose adapters come within eps of full training: accuracy `acc(r) >= acc_full - eps`"
        + " (eps in accuracy points), loss `loss(r) <= loss_full + eps` (nats). \"Mean curve\" compares the mean "
        + "over seeds with the mean baseline; per seed, each seed with its own baseline.\n\n");
    sb.append("| group | metric | eps | r* (mean curve) | per seed |\n|---|---|---|---|---|\n");
    for (RStar r : rstars) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.group(),
          r.metric().name().toLowerCase(Locale.ROOT), r.metric() == Metric.ACCURACY
              ? String.format(Locale.ROOT, "%.1f points", 100 * r.eps()) : String.format(Locale.ROOT, "%.3f nats",
                  r.eps()), r.ofMean() == null ? "not reached within ranks " + r.ranks().get(0) + "-"
                      + r.ranks().get(r.ranks().size() - 1) : Integer.toString(r.ofMean()),
          r.perSeed().entrySet().stream().map(e -> "s" + e.getKey() + ": " + (e.getValue() == null ? "not reached"
              : e.getValue())).collect(Collectors.joining(", "))));
    }
    if (!pca.isEmpty()) {
      List<Double> shares = List.copyOf(pca.get(0).components().keySet());
      sb.append("\n### PCA, beside r*\n\nPrincipal components needed to explain a share of the variance: of the "
          + "inputs, of each hidden layer's activations under the fully trained model, and of each layer's weight "
          + "change W_full - W_init (squared singular values), per full-training seed.\n\n");
      sb.append("| matrix | seed | dims | ").append(shares.stream().map(x -> String.format(Locale.ROOT,
          "%.0f%% of variance", 100 * x)).collect(Collectors.joining(" | "))).append(" |\n|---|---|---|")
          .append("---|".repeat(shares.size())).append('\n');
      for (Pca.Count p : pca) {
        sb.append("| ").append(p.what()).append(" | ").append(p.seed() < 0 ? "-" : Long.toString(p.seed()))
            .append(" | ").append(p.dims()).append(" | ").append(shares.stream().map(x -> Integer.toString(
                p.components().get(x))).collect(Collectors.joining(" | "))).append(" |\n");
      }
    }
    sb.append("\n## Learned beta per layer (mean over seeds)\n\n");
    List<String> layers = curve.stream().flatMap(x -> x.betas().keySet().stream()).distinct()
        .sorted(java.util.Comparator.comparingInt(SweepReport::layerIndex)).toList();
    if (!layers.isEmpty()) {
      sb.append("| group | rank | ").append(String.join(" | ", layers)).append(" |\n|---|---|")
          .append("---|".repeat(layers.size())).append('\n');
      for (Cell cell : curve) {
        if (cell.rank() == 0) {
          continue;
        }
        sb.append("| ").append(cell.group()).append(" | ").append(cell.rank()).append(" | ");
        sb.append(layers.stream().map(l -> cell.betas().containsKey(l) ? String.format(Locale.ROOT, "%.3f",
            cell.betas().get(l)) : "-").collect(Collectors.joining(" | "))).append(" |\n");
      }
    }
    sb.append("\nPlots: `accuracy_vs_rank.png/.svg`, `beta_vs_rank.png/.svg`, `accuracy_vs_trainable.png/.svg`")
        .append(c.inits().size() > 1 ? ", `init_families.png/.svg`" : c.schedules().size() > 1 || c.alphas().size() > 1
            || c.rsLora().size() > 1 ? ", `by_group.png/.svg`" : "").append(". Every run: `runs.csv`, ")
        .append("`report.json`; artifacts under `runs/<id>/model.lotta`.\n");
    return sb.toString();
  }
}
