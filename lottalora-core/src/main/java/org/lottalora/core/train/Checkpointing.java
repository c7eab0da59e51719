package org.lottalora.core.train;

import java.nio.file.Path;

/**
 * Asks the {@link EpochLoop} running on this thread to save its state after every epoch or validation (and, with
 * {@code resume}, to continue from the state saved there): a scope a command opens around a family's training,
 * so that every family on the loop gets checkpoint and resume without a setting in its own records. The
 * {@code runKey} says what the run is (its settings); resuming with another key is refused.
 *
 * <pre>{@code
 * try (Checkpointing c = Checkpointing.open(Path.of("run.ckpt"), resume, "lr=3e-3 rank=8 ...")) {
 *   family.run(spec, out, progress);
 * }
 * }</pre>
 *
 * @param file where the state is saved
 * @param resume continue from the state in {@code file}
 * @param runKey what the run is, as the command saw it
 * @param every a loop counting steps saves every this many steps as well as at each validation (0: only there);
 *     an epoch loop saves after every epoch
 * @param stopAfter a loop counting steps stops, state saved, once this many steps ran in this call (0: runs to
 *     the end), for jobs run in slices (a time limit, a preemptible machine)
 */
public record Checkpointing(Path file, boolean resume, String runKey, int every, int stopAfter)
    implements AutoCloseable {
  private static final ThreadLocal<Checkpointing> CURRENT = new ThreadLocal<>();

  /** Checks the counts. */
  public Checkpointing {
    if (file == null || every < 0 || stopAfter < 0) {
      throw new IllegalArgumentException("a checkpoint needs a file, --checkpoint-every >= 0 and --stop-after >= 0");
    }
  }

  /**
   * Opens the scope on this thread: saves at each validation (every epoch), runs to the end.
   *
   * @throws IllegalArgumentException when {@code resume} is asked and {@code file} does not exist
   */
  public static Checkpointing open(Path file, boolean resume, String runKey) {
    return open(file, resume, runKey, 0, 0);
  }

  /**
   * Opens the scope on this thread, saving a step loop every {@code every} steps too and stopping it after
   * {@code stopAfter} steps of this call (0: neither).
   *
   * @throws IllegalArgumentException when {@code resume} is asked and {@code file} does not exist
   */
  public static Checkpointing open(Path file, boolean resume, String runKey, int every, int stopAfter) {
    if (resume && !java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--resume: no checkpoint at " + file + "; start the run with --checkpoint "
          + file + " (without --resume) first");
    }
    Checkpointing c = new Checkpointing(file, resume, runKey, every, stopAfter);
    CURRENT.set(c);
    return c;
  }

  /** The scope open on this thread, or null. */
  public static Checkpointing current() {
    return CURRENT.get();
  }

  @Override
  public void close() {
    CURRENT.remove();
  }
}
