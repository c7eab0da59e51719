package org.lottalora.core.train;

import java.nio.file.Path;

/**
 * Asks the {@link EpochLoop} running on this thread to save its state after every epoch (and, with
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
 */
public record Checkpointing(Path file, boolean resume, String runKey) implements AutoCloseable {
  private static final ThreadLocal<Checkpointing> CURRENT = new ThreadLocal<>();

  /**
   * Opens the scope on this thread.
   *
   * @throws IllegalArgumentException when {@code resume} is asked and {@code file} does not exist
   */
  public static Checkpointing open(Path file, boolean resume, String runKey) {
    if (resume && !java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--resume: no checkpoint at " + file + "; start the run with --checkpoint "
          + file + " (without --resume) first");
    }
    Checkpointing c = new Checkpointing(file, resume, runKey);
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
