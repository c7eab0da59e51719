package org.lottalora.core.train;

import org.lottalora.core.LottaException;

/**
 * The one rule every trainer follows when the training loss stops being a number: stop at once, with one line that
 * names the step and the fix ({@code loss became NaN at step 123; the last good model is kept; lower --lr}), and
 * keep the last good arrays (each trainer restores its best-so-far snapshot before the failure leaves it), so that
 * no model with NaN or infinite weights is ever written. A trainer calls {@link #check} with each batch's loss before
 * it applies that batch's update: an update from a non-finite loss would spread NaN to every trained array.
 */
public final class LossGuard {
  private LossGuard() {
  }

  /**
   * Does nothing for a finite {@code loss}; otherwise throws {@link Diverged} naming {@code step} (1-based, counted
   * over the whole run).
   */
  public static void check(double loss, long step) {
    check(loss, step, null);
  }

  /**
   * As {@link #check(double, long)}, telling the caller which state the model was put back on: {@code lastGood}
   * names it ("epoch 3", "step 200"), or is null when that is the initial model (nothing worth saving).
   */
  public static void check(double loss, long step, String lastGood) {
    if (!Double.isFinite(loss)) {
      throw new Diverged(loss, step, lastGood);
    }
  }

  /**
   * A run stopped by a non-finite loss. A {@link LottaException}: the CLI prints its one line and exits 1; the
   * trainer that threw it has already put its model back on the last good arrays.
   */
  public static final class Diverged extends LottaException {
    private static final long serialVersionUID = 1L;
    private final long step;
    private final String lastGood;

    /** The failure at {@code step} with loss {@code loss}; {@code lastGood} as in {@link LossGuard#check}. */
    public Diverged(double loss, long step, String lastGood) {
      super("loss became " + loss + " at step " + step + "; the last good model is kept; lower --lr");
      this.step = step;
      this.lastGood = lastGood;
    }

    /** The step whose loss was not finite (1-based). */
    public long step() {
      return step;
    }

    /**
     * The state the model was put back on ("epoch 3", "step 200"), or null for the initial model: a command saves
     * the model only when this is not null, and says which state it saved.
     */
    public String lastGood() {
      return lastGood;
    }
  }
}
