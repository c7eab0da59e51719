package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.models.decision.DtFamily;
import org.lottalora.models.decision.DtModel;
import org.lottalora.models.decision.Rollout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora dt rollout}: plays a Decision Transformer's task at each of several target returns, the
 * return-conditioning check (a higher target should give a higher return, up to what the data showed).
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Roll a Decision Transformer out in its task at each target return and report the achieved "
        + "return and normalized score: the return-conditioning check.")
final class DtRolloutCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A dt artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--targets", split = ",", paramLabel = "R", description = "Target returns (default: the one "
      + "it was trained to aim at).")
  List<Double> targets;

  @Option(names = "--episodes", defaultValue = "10", description = "Episodes per target (default: "
      + "${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial states (default: "
      + "${DEFAULT-VALUE}).")
  long seed;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (episodes < 1) {
      throw new IllegalArgumentException("--episodes must be >= 1, got " + episodes);
    }
    threads.apply();
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    if (!new DtFamily().owns(f.artifact())) {
      throw new IllegalArgumentException(model + " is not a Decision Transformer (family '"
          + f.artifact().getModel().getFamily() + "'): dt rollout takes models of `train --family dt`");
    }
    DtModel m = (DtModel) new DtFamily().load(f, model.toString());
    List<Double> ts = targets == null ? List.of(m.defaultTarget()) : targets;
    List<Map<String, Object>> rows = new ArrayList<>();
    PrintWriter o = spec.commandLine().getOut();
    if (!json) {
      o.printf(Locale.ROOT, "%s on %s, %d episodes per target (seed %d)%n", model, m.environment().id(), episodes,
          seed);
      o.printf(Locale.ROOT, "%12s %12s %8s %11s%n", "target", "return", "std", "normalized");
    }
    for (double t : ts) {
      Rollout.Result r = m.rollout(t, episodes, seed, json ? org.lottalora.core.train.Progress.silent()
          : org.lottalora.core.train.Progress.stderr());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("target", t);
      row.put("mean_return", r.meanReturn());
      row.put("return_std", r.std());
      row.put("normalized_score", r.normalizedScore());
      rows.add(row);
      if (!json) {
        o.printf(Locale.ROOT, "%12.1f %12.1f %8.1f %11.1f%n", t, r.meanReturn(), r.std(), r.normalizedScore());
        o.flush();
      }
    }
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("env", m.environment().id());
      j.put("episodes", episodes);
      j.put("seed", seed);
      j.put("rollouts", rows);
      o.println(Json.write(j));
    }
    o.flush();
    return 0;
  }
}
