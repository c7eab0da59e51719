package org.lottalora.core.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.lottalora.core.train.ScaffoldSchedule;

/**
 * One run of a sweep, as pure data: everything that determines its result. Its {@link #id()} is derived from
 * that content, so the same run always lands in the same folder and a resumed sweep recognises it.
 *
 * @param dataset dataset name or CSV path
 * @param splitSeed seed of the train/validation split
 * @param maxTrain training rows used (0: all)
 * @param family model family id
 * @param widths hidden widths
 * @param full the fully trained baseline (rank, alpha and scaling unused)
 * @param rank LoRA rank
 * @param alpha LoRA alpha
 * @param rsLora scale by alpha/sqrt(r) instead of alpha/r
 * @param seed backbone seed (also the adapter-init and shuffle seed, so one number names a replicate)
 * @param init scaffold init spec, canonical text
 * @param epochs epochs
 * @param batch batch size
 * @param lr peak learning rate
 * @param wd weight decay
 * @param schedule scaffold schedule ({@link ScaffoldSchedule} text; "fixed" for full runs and when absent)
 * @param options the family's own settings by option name, defaults filled in (e.g. {@code preset=tiny,
 *     steps=200} for the LM; empty for the dense families, whose shape is {@code widths}); see
 *     {@link org.lottalora.core.family.Family#options()}
 */
public record RunSpec(String dataset, long splitSeed, int maxTrain, String family, int[] widths, boolean full,
    int rank, double alpha, boolean rsLora, long seed, String init, int epochs, int batch, double lr, double wd,
    String schedule, java.util.SortedMap<String, String> options) {

  /** Copies the widths and options; normalizes the schedule. */
  public RunSpec {
    widths = widths.clone();
    schedule = full || schedule == null ? "fixed" : ScaffoldSchedule.parse(schedule).text();
    options = java.util.Collections.unmodifiableSortedMap(options == null ? new java.util.TreeMap<>()
        : new java.util.TreeMap<>(options));
  }

  /** A run without family options (the dense families). */
  public RunSpec(String dataset, long splitSeed, int maxTrain, String family, int[] widths, boolean full, int rank,
      double alpha, boolean rsLora, long seed, String init, int epochs, int batch, double lr, double wd,
      String schedule) {
    this(dataset, splitSeed, maxTrain, family, widths, full, rank, alpha, rsLora, seed, init, epochs, batch, lr, wd,
        schedule, null);
  }

  /** The family option {@code name} (every run of a family has them all: defaults are filled in). */
  public String option(String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("run of family " + family + " has no option '" + name + "'");
    }
    return v;
  }

  /** A run with the fixed scaffold. */
  public RunSpec(String dataset, long splitSeed, int maxTrain, String family, int[] widths, boolean full, int rank,
      double alpha, boolean rsLora, long seed, String init, int epochs, int batch, double lr, double wd) {
    this(dataset, splitSeed, maxTrain, family, widths, full, rank, alpha, rsLora, seed, init, epochs, batch, lr, wd,
        "fixed");
  }

  /** Every field, in a fixed order and format: what the id hashes. */
  public String canonical() {
    return String.format(Locale.ROOT, "dataset=%s;split=%d;max_train=%d;family=%s;widths=%s;full=%b;rank=%d;"
        + "alpha=%s;rslora=%b;seed=%d;init=%s;epochs=%d;batch=%d;lr=%s;wd=%s", dataset, splitSeed, maxTrain,
        family, Arrays.toString(widths), full, full ? 0 : rank, full ? 0 : alpha, !full && rsLora, seed, init,
        epochs, batch, lr, wd) + (schedule.equals("fixed") ? "" : ";schedule=" + schedule) // old ids stay
        + (options.isEmpty() ? "" : ";options=" + options);
  }

  /** A readable, unique folder name: e.g. {@code r8-s0-normal-3f2a9c01}, {@code full-s1-normal-...}. */
  public String id() {
    String init0 = init.contains(":") ? init.substring(0, init.indexOf(':')) : init;
    return (full ? "full" : "r" + rank) + "-s" + seed + "-" + init0
        + (schedule.equals("fixed") ? "" : "-" + schedule.replace(":", "")) + "-" + hash().substring(0, 8);
  }

  /** For people: {@code rank 8, seed 0, init normal}. */
  public String label() {
    return (full ? "full" : "rank " + rank) + ", seed " + seed + ", init " + init
        + (full || (alpha == 1 && !rsLora) ? "" : ", alpha " + alpha + (rsLora ? " rsLoRA" : ""))
        + (schedule.equals("fixed") ? "" : ", scaffolds " + schedule);
  }

  private String hash() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunSpec r && canonical().equals(r.canonical());
  }

  @Override
  public int hashCode() {
    return canonical().hashCode();
  }

  @Override
  public String toString() {
    return canonical();
  }
}
