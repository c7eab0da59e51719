package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.models.decision.Behaviour;
import org.lottalora.models.decision.Environment;
import org.lottalora.models.decision.ReferenceScores;
import org.lottalora.models.decision.Trajectories;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lottalora dt dataset}: writes an offline dataset of a built-in task as a trajectory CSV, and reports the
 * behaviour policy's own score; or, with {@code --check FILE}, reads a user's trajectory file and reports it (the
 * same checks training makes).
 */
@Command(name = "dataset", mixinStandardHelpOptions = true,
    description = "Generate an offline dataset (episodes of a scripted behaviour policy with D4RL-style noise "
        + "levels) as a trajectory CSV, and report the behaviour policy's normalized score; or check a trajectory "
        + "file with --check.")
final class DtDatasetCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--env", defaultValue = "cartpole", description = "Task: cartpole or pendulum (default: "
      + "${DEFAULT-VALUE}).")
  String env;

  @Option(names = "--quality", defaultValue = "medium", description = "random, medium-replay, medium, "
      + "medium-expert or expert (default: ${DEFAULT-VALUE}).")
  String quality;

  @Option(names = "--episodes", defaultValue = "100", description = "Episodes (default: ${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the resets and noise (default: "
      + "${DEFAULT-VALUE}); the same as train's --data-seed for a generated dataset.")
  long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write the CSV (.gz: gzip).")
  Path out;

  @Option(names = "--check", paramLabel = "FILE", description = "Read a trajectory CSV instead and report it.")
  Path check;

  @Option(names = "--references", description = "Recompute the reference returns (random and expert policies, "
      + "100 episodes) that normalized scores use, beside the stored ones.")
  boolean references;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    Trajectories t;
    if (check != null) {
      if (out != null) {
        throw new IllegalArgumentException("--check reads a file; --out writes one: give one of them");
      }
      for (String o : new String[] {"--quality", "--episodes", "--seed"}) {
        if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
          throw new IllegalArgumentException("--check reads a file as it is; drop " + o + " (it is for generating)");
        }
      }
      boolean envGiven = spec.commandLine().getParseResult().hasMatchedOption("--env");
      t = Trajectories.read(check, envGiven ? env : null);
    } else {
      if (out == null) {
        throw new IllegalArgumentException("give --out FILE for the dataset (or --check FILE to read one)");
      }
      Environment e = Environment.of(env);
      Behaviour.of(e, quality, 0, Math.max(1, episodes));
      ArtifactCodec.checkWritable(out);
      t = Trajectories.generate(e, quality, episodes, seed);
      t.write(out);
    }
    Environment e = t.env();
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("env", e.id());
      j.put("file", String.valueOf(check != null ? check : out));
      j.put("description", t.description());
      j.put("episodes", t.episodes().size());
      j.put("steps", t.steps());
      j.put("mean_return", t.meanReturn());
      j.put("best_return", t.bestReturn());
      j.put("normalized_score", e.normalizedScore(t.meanReturn()));
      j.put("reference_random", e.randomScore());
      j.put("reference_expert", e.expertScore());
      if (references) {
        j.put("measured_random", ReferenceScores.random(e));
        j.put("measured_expert", ReferenceScores.expert(e));
      }
      o.println(Json.write(j));
    } else {
      o.println((check != null ? check : out) + "  " + t.describe());
      o.printf(Locale.ROOT, "normalized score = 100 * (return - %.2f) / (%.2f - %.2f)  (random and expert "
          + "reference returns of %s)%n", e.randomScore(), e.expertScore(), e.randomScore(), e.id());
      if (references) {
        o.printf(Locale.ROOT, "references recomputed: random %.2f, expert %.2f over %d episodes%n",
            ReferenceScores.random(e), ReferenceScores.expert(e), ReferenceScores.EPISODES);
      }
    }
    o.flush();
    return 0;
  }
}
