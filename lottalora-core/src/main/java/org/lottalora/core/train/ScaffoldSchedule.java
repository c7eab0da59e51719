package org.lottalora.core.train;

import java.util.Locale;

/**
 * Which frozen scaffold the adapters see while they train (the paper's "meta-LoRA" resampling, Table 4).
 * Scaffold 0 is the model's own backbone (its seed); scaffold j > 0 is the same architecture regenerated from
 * a seed derived from (seed, j). Validation, test and the saved artifact always use scaffold 0, so each
 * schedule is judged by how well the adapters it trained work on the model's own scaffold.
 *
 * <ul>
 *   <li>{@code fixed}: scaffold 0 throughout (standard LottaLoRA);</li>
 *   <li>{@code epoch}: a new scaffold each epoch (epoch e trains on scaffold e - 1);</li>
 *   <li>{@code cycle:k}: every optimizer step runs the same batch through scaffolds 0..k-1 and applies the
 *       mean of the k gradients;</li>
 *   <li>{@code subbatch:k}: every batch is split into k parts, part j through scaffold j, one step on the
 *       combined gradient.</li>
 * </ul>
 *
 * @param kind the schedule
 * @param k scaffolds per step (cycle, subbatch); 1 otherwise
 */
public record ScaffoldSchedule(Kind kind, int k) {
  /** The schedules. */
  public enum Kind { FIXED, EPOCH, CYCLE, SUBBATCH }

  /** Standard LottaLoRA: one scaffold. */
  public static final ScaffoldSchedule FIXED = new ScaffoldSchedule(Kind.FIXED, 1);

  /** Validates k. */
  public ScaffoldSchedule {
    boolean many = kind == Kind.CYCLE || kind == Kind.SUBBATCH;
    if (many ? k < 2 || k > 64 : k != 1) {
      throw new IllegalArgumentException("bad scaffold schedule " + kind + " with k=" + k + ": k is 1 for fixed and "
          + "epoch, 2..64 for cycle and subbatch");
    }
  }

  /**
   * Parses {@code fixed}, {@code epoch}, {@code cycle:K} or {@code subbatch:K}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static ScaffoldSchedule parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.equals("fixed")) {
        return FIXED;
      }
      if (t.equals("epoch")) {
        return new ScaffoldSchedule(Kind.EPOCH, 1);
      }
      if (t.startsWith("cycle:")) {
        return new ScaffoldSchedule(Kind.CYCLE, Integer.parseInt(t.substring(6)));
      }
      if (t.startsWith("subbatch:")) {
        return new ScaffoldSchedule(Kind.SUBBATCH, Integer.parseInt(t.substring(9)));
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("unknown scaffold schedule '" + s + "'; use fixed, epoch, cycle:K or "
        + "subbatch:K (K scaffolds per step, 2..64)");
  }

  /** The text form {@link #parse} reads. */
  public String text() {
    return switch (kind) {
      case FIXED -> "fixed";
      case EPOCH -> "epoch";
      case CYCLE -> "cycle:" + k;
      case SUBBATCH -> "subbatch:" + k;
    };
  }

  /** The seed of scaffold {@code j} of a model with backbone seed {@code seed} (scaffold 0 is the seed itself). */
  public static long seedOf(long seed, int j) {
    return j == 0 ? seed : seed ^ (0x9E3779B97F4A7C15L * j + 0x632BE59BD9B4E019L);
  }
}
