package org.lottalora.cli;

import java.nio.file.Path;
import org.lottalora.core.LottaException;
import org.lottalora.core.train.LossGuard;

/**
 * What every training command does when its run diverges, as {@code lottalora train} does: the trainer has put the
 * model back on its last good arrays; if those came from training (not the initial model) they are saved to
 * {@code --out}, and the command fails (exit 1) with the trainer's one line plus what was written.
 */
final class Divergence {
  private Divergence() {
  }

  /** Saves the last good model when there is one ({@code save}), and returns the one-line failure to throw. */
  static LottaException kept(LossGuard.Diverged e, Path out, Runnable save) {
    if (e.lastGood() == null) {
      return new LottaException(e.getMessage() + " (it failed before a first good epoch: nothing was written)", e);
    }
    save.run();
    return new LottaException(e.getMessage() + " (" + e.lastGood() + " saved to " + out + ")", e);
  }
}
