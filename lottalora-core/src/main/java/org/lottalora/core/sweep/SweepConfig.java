package org.lottalora.core.sweep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.lottalora.core.train.ScaffoldSchedule;

/**
 * A sweep's grid and protocol: ranks x seeds x init families x alphas x scaling rules over one model and
 * dataset, plus (unless {@code full} is false) the fully trained baseline for every seed and init, all with
 * the same epochs, batch, learning rate and weight decay. Stored as {@code sweep.json} in the sweep folder; a
 * folder made by one config refuses another.
 *
 * @param dataset dataset name or CSV path
 * @param splitSeed seed of the train/validation split
 * @param maxTrain training rows (0: all)
 * @param family model family id
 * @param widths hidden widths
 * @param ranks LoRA ranks
 * @param seeds replicate seeds (backbone, adapter init and shuffling)
 * @param inits scaffold init specs
 * @param alphas LoRA alphas
 * @param rsLora scaling rules: false = alpha/r, true = alpha/sqrt(r)
 * @param full include the fully trained baseline
 * @param epochs epochs per run
 * @param batch batch size
 * @param lr peak learning rate
 * @param wd weight decay
 * @param schedules scaffold schedules of the adapter runs ({@link ScaffoldSchedule} texts; ["fixed"] if absent)
 * @param options the family's own settings ({@link RunSpec#options()}); empty for the dense families
 */
public record SweepConfig(String dataset, long splitSeed, int maxTrain, String family, int[] widths,
    List<Integer> ranks, List<Long> seeds, List<String> inits, List<Double> alphas, List<Boolean> rsLora,
    boolean full, int epochs, int batch, double lr, double wd, List<String> schedules,
    java.util.SortedMap<String, String> options) {

  /** A sweep without family options (the dense families). */
  public SweepConfig(String dataset, long splitSeed, int maxTrain, String family, int[] widths, List<Integer> ranks,
      List<Long> seeds, List<String> inits, List<Double> alphas, List<Boolean> rsLora, boolean full, int epochs,
      int batch, double lr, double wd, List<String> schedules) {
    this(dataset, splitSeed, maxTrain, family, widths, ranks, seeds, inits, alphas, rsLora, full, epochs, batch, lr,
        wd, schedules, null);
  }

  /** A sweep with the fixed scaffold. */
  public SweepConfig(String dataset, long splitSeed, int maxTrain, String family, int[] widths, List<Integer> ranks,
      List<Long> seeds, List<String> inits, List<Double> alphas, List<Boolean> rsLora, boolean full, int epochs,
      int batch, double lr, double wd) {
    this(dataset, splitSeed, maxTrain, family, widths, ranks, seeds, inits, alphas, rsLora, full, epochs, batch, lr,
        wd, List.of("fixed"));
  }

  /**
   * Validates the grid.
   *
   * @throws IllegalArgumentException naming the empty or invalid setting
   */
  public SweepConfig {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(family, "family");
    widths = widths.clone();
    ranks = List.copyOf(ranks);
    seeds = List.copyOf(seeds);
    inits = List.copyOf(inits);
    alphas = List.copyOf(alphas);
    rsLora = List.copyOf(rsLora);
    options = java.util.Collections.unmodifiableSortedMap(options == null ? new java.util.TreeMap<>()
        : new java.util.TreeMap<>(options));
    schedules = schedules == null ? List.of("fixed")
        : schedules.stream().map(x -> ScaffoldSchedule.parse(x).text()).toList();
    if (schedules.isEmpty()) {
      throw new IllegalArgumentException("empty grid: no scaffold schedules given");
    }
    if (ranks.isEmpty() && !full) {
      throw new IllegalArgumentException("empty grid: no ranks and no full baseline; give --ranks, e.g. 1,2,4,8");
    }
    for (String[] e : new String[][] {{"seeds", seeds.isEmpty() ? "" : "x"}, {"inits", inits.isEmpty() ? "" : "x"},
        {"alphas", alphas.isEmpty() ? "" : "x"}, {"scaling rules", rsLora.isEmpty() ? "" : "x"}}) {
      if (e[1].isEmpty()) {
        throw new IllegalArgumentException("empty grid: no " + e[0] + " given");
      }
    }
    for (int r : ranks) {
      if (r < 1) {
        throw new IllegalArgumentException("ranks must be at least 1, got " + r);
      }
    }
    for (double a : alphas) {
      if (!(a > 0) || !Double.isFinite(a)) {
        throw new IllegalArgumentException("alphas must be positive, got " + a);
      }
    }
    if (epochs < 1 || batch < 1 || !(lr > 0) || wd < 0 || maxTrain < 0) {
      throw new IllegalArgumentException("need epochs >= 1, batch >= 1, lr > 0, wd >= 0, max-train >= 0");
    }
    if (ranks.stream().distinct().count() != ranks.size() || seeds.stream().distinct().count() != seeds.size()) {
      throw new IllegalArgumentException("ranks and seeds must not repeat: " + ranks + ", " + seeds);
    }
  }

  /** Every run of the grid, baselines first, then by init, seed, rank, alpha, scaling rule. */
  public List<RunSpec> runs() {
    List<RunSpec> out = new ArrayList<>();
    List<Integer> sortedRanks = ranks.stream().sorted().toList();
    for (String init : inits) {
      for (long seed : seeds) {
        if (full) {
          out.add(run(true, 0, 1.0, false, seed, init, "fixed"));
        }
        for (int r : sortedRanks) {
          for (double a : alphas) {
            for (boolean rs : rsLora) {
              for (String sch : schedules) {
                out.add(run(false, r, a, rs, seed, init, sch));
              }
            }
          }
        }
      }
    }
    return out;
  }

  private RunSpec run(boolean isFull, int rank, double alpha, boolean rs, long seed, String init, String sch) {
    return new RunSpec(dataset, splitSeed, maxTrain, family, widths, isFull, rank, alpha, rs, seed, init, epochs,
        batch, lr, wd, sch, options);
  }

  /** The settings that differ from {@code other}, one "name: this vs that" each (empty when equal). */
  public List<String> differences(SweepConfig other) {
    List<String> d = new ArrayList<>();
    diff(d, "dataset", dataset, other.dataset);
    diff(d, "split seed", splitSeed, other.splitSeed);
    diff(d, "max train", maxTrain, other.maxTrain);
    diff(d, "family", family, other.family);
    diff(d, "widths", Arrays.toString(widths), Arrays.toString(other.widths));
    diff(d, "ranks", ranks, other.ranks);
    diff(d, "seeds", seeds, other.seeds);
    diff(d, "inits", inits, other.inits);
    diff(d, "alphas", alphas, other.alphas);
    diff(d, "scaling rules (rsLoRA)", rsLora, other.rsLora);
    diff(d, "full baseline", full, other.full);
    diff(d, "epochs", epochs, other.epochs);
    diff(d, "batch", batch, other.batch);
    diff(d, "lr", lr, other.lr);
    diff(d, "wd", wd, other.wd);
    diff(d, "scaffold schedules", schedules, other.schedules);
    diff(d, "family options", options, other.options);
    return d;
  }

  private static void diff(List<String> out, String name, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      out.add(name + ": " + a + " vs " + b);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SweepConfig c && differences(c).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(dataset, family, ranks, seeds, inits);
  }
}
