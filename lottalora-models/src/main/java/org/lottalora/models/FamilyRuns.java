package org.lottalora.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.lottalora.core.LottaException;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Param;
import org.lottalora.core.sweep.RunSpec;

/**
 * What the hand-engine families' {@link org.lottalora.core.family.Family#run} implementations share: the adapter
 * a run asks for, its settings read as numbers with errors that name the option, the paper's "W_seed removed"
 * ablation (every beta set to 0, the model scored, the betas put back), the mean test cross-entropy, and the
 * reload check that an artifact predicts exactly as the model that wrote it.
 */
public final class FamilyRuns {
  private FamilyRuns() {}

  /**
   * The adapter of a run: its rank, alpha and scaling rule (alpha/r, or alpha/sqrt(r) with rsLoRA), beta learned,
   * the adapter init seeded by the run's seed (one number names a replicate, as in the dense sweep). The scaffold
   * schedule is checked here (a bad one fails the grid's preflight) and run by the one loop through
   * {@link org.lottalora.core.train.Resampling}.
   *
   * @throws IllegalArgumentException for a schedule that does not parse
   */
  public static AdapterConfig adapter(RunSpec r) {
    org.lottalora.core.train.ScaffoldSchedule.parse(r.schedule());
    return r.full() ? new AdapterConfig(1, 1.0, false, true, 0, false, r.seed())
        : new AdapterConfig(r.rank(), r.alpha(), r.rsLora(), true, 0, false, r.seed());
  }

  /**
   * The Transformer matrices' modes a run asks for ({@code attention}, {@code mlp}: adapter, full or frozen); a full
   * run trains every matrix.
   *
   * @throws IllegalArgumentException on an unknown mode, or a full run with a mode other than full
   */
  public static org.lottalora.models.transformer.Targets targets(RunSpec r) {
    org.lottalora.core.engine.MatrixMode a = org.lottalora.core.engine.MatrixMode.parse(r.option("attention"));
    org.lottalora.core.engine.MatrixMode m = org.lottalora.core.engine.MatrixMode.parse(r.option("mlp"));
    if (r.full()) {
      return org.lottalora.models.transformer.Targets.FULL;
    }
    return new org.lottalora.models.transformer.Targets(a, m);
  }

  /** The run's scaffold init. */
  public static InitSpec init(RunSpec r) {
    return InitSpec.parse(r.init());
  }

  /** An integer option of the run, with an error naming it. */
  public static int intOption(RunSpec r, String name) {
    String v = r.option(name);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
    }
  }

  /** A decimal option of the run, with an error naming it. */
  public static double doubleOption(RunSpec r, String name) {
    String v = r.option(name);
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  /** Comma-separated widths, each at least 1, with an error naming the option. */
  public static int[] widths(RunSpec r, String name) {
    String v = r.option(name);
    try {
      int[] w = java.util.Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
      for (int x : w) {
        if (x < 1) {
          throw new NumberFormatException();
        }
      }
      return w;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes positive widths separated by commas (e.g. 64,64), "
          + "got '" + v + "'");
    }
  }

  /**
   * The score with the scaffold removed: every {@code .beta} parameter set to 0 while {@code score} runs, then put
   * back; {@code refresh} recomputes what the model derives from its arrays (merged weights) after each change.
   * Null for full runs (no beta).
   */
  public static Double withoutScaffold(RunSpec r, List<Param> params, Runnable refresh, DoubleSupplier score) {
    if (r.full()) {
      return null;
    }
    Map<Param, Float> kept = new LinkedHashMap<>();
    for (Param p : params) {
      if (p.name.endsWith(".beta")) {
        kept.put(p, p.v[0]);
        p.v[0] = 0f;
      }
    }
    try {
      refresh.run();
      return kept.isEmpty() ? null : score.getAsDouble();
    } finally {
      kept.forEach((p, v) -> p.v[0] = v);
      refresh.run();
    }
  }

  /**
   * A copy of trained arrays by name with every beta set to 0: the arrays of the same model with the scaffold
   * removed, for the families that rebuild a network from its arrays (graph, recurrent).
   */
  public static Map<String, float[]> withoutScaffold(Map<String, float[]> trained) {
    Map<String, float[]> v = new LinkedHashMap<>();
    trained.forEach((k, a) -> v.put(k, k.endsWith(".beta") ? new float[a.length] : a.clone()));
    return v;
  }

  /** Betas as the sweep records them (float per adapted matrix). */
  public static Map<String, Float> floats(Map<String, Double> betas) {
    Map<String, Float> m = new LinkedHashMap<>();
    betas.forEach((k, v) -> m.put(k, v.floatValue()));
    return m;
  }

  /** Mean cross-entropy (nats) of rows of probabilities against labels, over the rows {@code idx} (null: all). */
  public static double meanNll(float[][] probs, int[] labels, int[] idx) {
    int n = idx == null ? probs.length : idx.length;
    double sum = 0;
    for (int k = 0; k < n; k++) {
      int i = idx == null ? k : idx[k];
      sum -= Math.log(Math.max(probs[i][labels[i]], 1e-12f));
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** The dense model's value count from the trainable count and fraction a trainer reports. */
  public static long modelValues(long trainable, double fraction) {
    return fraction > 0 ? Math.round(trainable / fraction) : trainable;
  }

  /**
   * Fails when the reloaded artifact does not score as the trained model did: an artifact that does not predict
   * what its trainer saw must never be handed out.
   */
  public static void checkReload(double trained, double reloaded, java.nio.file.Path artifact) {
    if (Double.compare(trained, reloaded) != 0) {
      throw new LottaException("the reloaded model scores " + reloaded + " against " + trained + " before saving: "
          + "this is a bug; " + artifact + " is not to be trusted");
    }
  }
}
