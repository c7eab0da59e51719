package org.lottalora.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.lottalora.core.train.Checkpointing;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint FILE} and {@code --resume} for the commands whose family trains on the shared epoch loop: the
 * state is saved after every epoch, and a resumed run continues after the saved epoch to the same bits as a run
 * never stopped. The run key a checkpoint is checked against is the command's other options as given.
 */
final class CheckpointOptions {
  // options that do not change what is trained
  private static final Set<String> NOT_THE_RUN = Set.of("--checkpoint", "--resume", "--out", "-o", "--quiet",
      "--json", "--threads", "--sign", "--dtype", "--help");

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Save the run's state here after every epoch "
      + "(atomically: arrays, Adam moments, the best epoch so far), to continue it with --resume.")
  Path checkpoint;

  @Option(names = "--resume", description = "Continue the run saved in --checkpoint (same options); it ends with "
      + "the same bits as a run never stopped.")
  boolean resume;

  /**
   * Opens the checkpoint scope for this run (null without --checkpoint).
   *
   * @throws IllegalArgumentException for --resume without --checkpoint, or without a saved checkpoint
   */
  Checkpointing open(CommandLine.ParseResult pr) {
    if (checkpoint == null) {
      if (resume) {
        throw new IllegalArgumentException("--resume needs --checkpoint FILE (the file the run saved)");
      }
      return null;
    }
    TreeSet<String> key = new TreeSet<>();
    for (CommandLine.Model.OptionSpec o : pr.matchedOptions()) {
      if (!NOT_THE_RUN.contains(o.longestName())) {
        List<String> v = o.originalStringValues();
        key.add(o.longestName() + "=" + String.join(",", v));
      }
    }
    for (CommandLine.Model.PositionalParamSpec p : pr.matchedPositionals()) {
      key.add(p.paramLabel() + "=" + String.join(",", p.originalStringValues()));
    }
    return Checkpointing.open(checkpoint, resume, String.join(" ", key));
  }
}
