package org.lottalora.core.family;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lottalora.core.sweep.IntrinsicDimension;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;

/**
 * The contract every model family implements, so that one registry ({@link FamilyRegistry}), one sweep runner
 * and one set of CLI verbs serve them all. A family says which settings it takes ({@link #options()}: the shared
 * ones of {@link FamilyOption#SHARED} it uses plus its own, each with its default), checks a run before anything
 * trains ({@link #check}), trains one run from its {@link RunSpec} alone (the seed regenerates the scaffold, so the
 * spec is the whole recipe), writes the artifact, reloads it and compares its predictions with the model it just
 * trained ({@link #run}), and recognises and loads its own artifacts ({@link #owns}, {@link #load}). Its metric is
 * accuracy unless {@link #metric()} says otherwise (the LM is scored by held-out loss).
 *
 * <p>Families are found with {@link java.util.ServiceLoader}: adding one means a package with a class that
 * implements this interface and one line naming it in {@code META-INF/services/org.lottalora.core.family.Family}.
 */
public interface Family {
  /** The registry id, lower case (e.g. {@code lm}); what {@code --family} takes and what a sweep records. */
  String id();

  /** One line for {@code --help} and the family listing. */
  String description();

  /**
   * The settings this family takes, in help order: those of {@link FamilyOption#SHARED} it uses (with its own
   * defaults) and its own (e.g. {@code preset}, {@code steps}). Everything else is refused by {@link #resolve}.
   */
  List<FamilyOption> options();

  /** The metric r* is read from first: accuracy (higher is better), or loss for families without classes. */
  default IntrinsicDimension.Metric metric() {
    return IntrinsicDimension.Metric.ACCURACY;
  }

  /**
   * Checks a run before any run of its grid trains: builds what can be built without training (the data's shape,
   * the model at the run's rank), so that a bad grid fails at once.
   *
   * @throws IllegalArgumentException naming the problem and the fix
   */
  void check(RunSpec run);

  /**
   * Trains one run, writes its artifact to {@code artifact} (atomically), reloads it and checks that it predicts
   * exactly as the trained model did, and returns the run's result: test metrics at the best validation point,
   * parameter counts, betas, and the test accuracy with the scaffold removed (every beta set to 0; null for full
   * runs).
   *
   * @throws org.lottalora.core.train.LossGuard.Diverged when training diverges (the run's result records it)
   */
  RunResult run(RunSpec run, Path artifact, Progress progress);

  /** Whether {@code artifact} was written by this family. */
  boolean owns(Artifact artifact);

  /**
   * Loads an artifact this family {@link #owns}: regenerates the scaffold from its seed, checks fingerprints and
   * trained tensors, and returns the family's model type.
   */
  Object load(ArtifactFile file, String where);

  /**
   * Scores an artifact of this family on the data it records (its test split), for {@code lottalora eval}: metric
   * name to value (e.g. {@code test_accuracy}, {@code test_loss}), or empty when the family has no evaluation of
   * its own (the built-in families answer through their own commands; a family without one overrides this).
   */
  default java.util.Optional<Map<String, Double>> evaluate(ArtifactFile file, String where) {
    return java.util.Optional.empty();
  }

  /**
   * As {@link #evaluate(ArtifactFile, String)} with settings a user gave ({@code --set NAME=VALUE}, e.g. a
   * Decision Transformer's target return); a family that takes none refuses any, naming them.
   */
  default java.util.Optional<Map<String, Double>> evaluate(ArtifactFile file, String where,
      Map<String, String> settings) {
    if (!settings.isEmpty()) {
      throw new IllegalArgumentException("family " + id() + "'s evaluation takes no settings; drop --set "
          + String.join(", --set ", settings.keySet()));
    }
    return evaluate(file, where);
  }

  /**
   * Predictions of an artifact of this family for an input file, for {@code lottalora predict MODEL INPUT}: one
   * map per prediction (JSON-ready values), or empty when the family has no prediction of its own (the built-in
   * dense and engine families answer through their own commands). {@code settings} are the user's
   * {@code --set NAME=VALUE} pairs.
   *
   * @throws IllegalArgumentException for a bad setting, or {@code LottaException} for a bad input file, in one
   *     line naming the input, the place in it and the problem
   */
  default java.util.Optional<List<Map<String, Object>>> predict(ArtifactFile file, String where, Path input,
      Map<String, String> settings) {
    return java.util.Optional.empty();
  }

  /** What the accuracy column of a run holds, for people (e.g. "normalized score / 100" for the rollouts). */
  default String scoreName() {
    return "test accuracy";
  }

  /**
   * A sentence for a sweep report on how this family is scored when that is not plain test accuracy (e.g. held-out
   * loss, rollouts' normalized return), or null.
   */
  default String reportNote() {
    return null;
  }

  /**
   * The settings a user gave (option name to text), checked against {@link #options()} and completed with the
   * defaults.
   *
   * @throws IllegalArgumentException in one line naming the family, the option it does not take and those it
   *     does, or an option it needs that was not given
   */
  default Map<String, String> resolve(Map<String, String> given) {
    Map<String, FamilyOption> known = new LinkedHashMap<>();
    for (FamilyOption o : options()) {
      known.put(o.name(), o);
    }
    for (String name : given.keySet()) {
      if (!known.containsKey(name)) {
        throw new IllegalArgumentException("family " + id() + " does not take --" + name + "; it takes "
            + String.join(", ", known.keySet().stream().map(n -> "--" + n).toList()));
      }
    }
    Map<String, String> out = new TreeMap<>();
    for (FamilyOption o : known.values()) {
      String v = given.containsKey(o.name()) ? given.get(o.name()) : o.defaultText();
      if (v == null) {
        throw new IllegalArgumentException("family " + id() + " needs --" + o.name() + " (" + o.help() + ")");
      }
      out.put(o.name(), v);
    }
    return out;
  }

  /** The family's own options (those not in {@link FamilyOption#SHARED}), resolved from {@code all}. */
  default TreeMap<String, String> own(Map<String, String> all) {
    TreeMap<String, String> m = new TreeMap<>(all);
    m.keySet().removeAll(FamilyOption.SHARED);
    return m;
  }

  /** Names of the shared settings this family takes. */
  default List<String> sharedSettings() {
    List<String> out = new ArrayList<>();
    for (FamilyOption o : options()) {
      if (FamilyOption.SHARED.contains(o.name())) {
        out.add(o.name());
      }
    }
    return out;
  }
}
