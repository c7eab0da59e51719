package org.lottalora.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.format.ArtifactCodec;

/**
 * The CLI by verb: {@code train --family F}, {@code eval MODEL} and {@code predict MODEL} take every family. The
 * dense families (linear, mlp, cnn, and cfc on images) run in {@link TrainCommand}, {@link EvalCommand} and
 * {@link PredictCommand} themselves; for a family of the hand-written engines the verb runs that family's own
 * command ({@code vit train}, {@code graph eval}, ...) with the same options, {@code --dataset} read as the
 * family's {@code --data}. The family comes from {@code --family} for train and from the artifact for eval and
 * predict. An option the family's command does not take is refused in one line naming the family
 * ({@link #unknownOption}).
 */
final class VerbRouter {
  /** Where each engine family's verbs live: the command words put in front of the remaining arguments. */
  private static final Map<String, String[]> TRAIN = Map.of("vit", new String[] {"vit", "train"},
      "text", new String[] {"text", "train"}, "lm", new String[] {"lm", "train"},
      "gcn", new String[] {"graph", "train", "--model", "gcn"}, "gin", new String[] {"graph", "train", "--model", "gin"},
      "lstm", new String[] {"sequence", "train", "--cell", "lstm"});
  private static final Map<String, String[]> EVAL = Map.of("vit", new String[] {"vit", "eval"},
      "text", new String[] {"text", "eval"}, "lm", new String[] {"lm", "eval"},
      "gcn", new String[] {"graph", "eval"}, "gin", new String[] {"graph", "eval"});
  private static final Map<String, String[]> PREDICT = Map.of("vit", new String[] {"vit", "predict"},
      "text", new String[] {"text", "predict"}, "lm", new String[] {"generate"},
      "gcn", new String[] {"graph", "predict"}, "gin", new String[] {"graph", "predict"});

  /** The family whose own command a verb was routed to in this run (null: not routed). */
  static volatile String routedFamily;

  private VerbRouter() {}

  /** The arguments to run: {@code args} itself, or the family command's form of them. */
  static String[] route(String[] args) {
    routedFamily = null;
    if (args.length < 2) {
      return args;
    }
    String verb = args[0];
    if (verb.equals("train")) {
      String family = familyOption(args);
      if (family == null || !TRAIN.containsKey(family)) {
        return args; // a dense family, cfc, or an unknown id: TrainCommand answers (and lists the valid ids)
      }
      return rewrite(TRAIN.get(family), args, family, true);
    }
    if (verb.equals("eval") || verb.equals("predict")) {
      String family = artifactFamily(args);
      Map<String, String[]> table = verb.equals("eval") ? EVAL : PREDICT;
      if (family == null || !table.containsKey(family)) {
        return args;
      }
      return rewrite(table.get(family), args, family, false);
    }
    return args;
  }

  private static String[] rewrite(String[] head, String[] args, String family, boolean dropFamily) {
    List<String> out = new ArrayList<>(List.of(head));
    boolean prompt = head[0].equals("generate"); // the LM predicts a continuation: its INPUT is generate's --prompt
    int positional = 0;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (prompt && !a.startsWith("-") && (i == 1 || !args[i - 1].startsWith("-")) && positional++ == 1) {
        out.add("--prompt");
      }
      if (dropFamily && a.equals("--family")) {
        i++;
        continue;
      }
      if (dropFamily && a.startsWith("--family=")) {
        continue;
      }
      out.add(a.equals("--dataset") ? "--data" : a.startsWith("--dataset=") ? "--data=" + a.substring(10) : a);
    }
    routedFamily = family;
    return out.toArray(new String[0]);
  }

  private static String familyOption(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--family") && i + 1 < args.length) {
        return args[i + 1].toLowerCase(java.util.Locale.ROOT);
      }
      if (args[i].startsWith("--family=")) {
        return args[i].substring(9).toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  // the registry family of the verb's MODEL (its first positional argument), or null when it is not a readable
  // artifact: the verb's own command then reports what is wrong with it
  private static String artifactFamily(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("-")) {
        return null; // options before MODEL: leave it to the verb's own command
      }
      Path p = Path.of(args[i]);
      if (!Files.isRegularFile(p)) {
        return null;
      }
      try {
        return FamilyRegistry.of(ArtifactCodec.open(p)).map(Family::id).orElse(null);
      } catch (RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * Refuses, in one line, an artifact of a registered family that {@code verb} cannot run (a family added outside
   * this build, which has no command of its own): loading it as a dense model would fail with a less useful error.
   */
  static void refuseContractOnly(org.lottalora.format.ArtifactFile f, String verb) {
    Family fam = contractOnly(f);
    if (fam != null) {
      throw new IllegalArgumentException("family " + fam.id() + " has no `" + verb + "` of its own: load it with "
          + "Lotta.load(path) in Java; `lottalora train --family " + fam.id() + "` and `lottalora sweep` report its "
          + "test metrics");
    }
  }

  /**
   * The family of {@code f} when it is one that the verbs reach only through the contract (a family added outside
   * this build, without a command of its own), else null.
   */
  static Family contractOnly(org.lottalora.format.ArtifactFile f) {
    Family fam = FamilyRegistry.of(f).orElse(null);
    return fam != null && !(fam instanceof org.lottalora.models.ModelFamily) && !EVAL.containsKey(fam.id())
        && !org.lottalora.models.recurrent.RecurrentModel.isRecurrent(f.artifact()) ? fam : null;
  }

  /**
   * The one-line refusal of an option the routed family does not take, naming the family and the options its
   * command takes; null when this run was not routed.
   */
  static String unknownOption(picocli.CommandLine.UnmatchedArgumentException ex) {
    if (routedFamily == null) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (picocli.CommandLine.Model.OptionSpec o : ex.getCommandLine().getCommandSpec().options()) {
      if (!o.usageHelp() && !o.versionHelp()) {
        names.add(o.longestName().equals("--data") ? "--dataset" : o.longestName());
      }
    }
    String what = ex.getUnmatched().stream().anyMatch(u -> u.startsWith("-")) ? String.join(" ", ex.getUnmatched())
        : "the argument '" + String.join(" ", ex.getUnmatched()) + "'";
    return "family " + routedFamily + " does not take " + what + "; it takes "
        + String.join(", ", names);
  }
}
