package org.lottalora.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongToDoubleFunction;
import org.lottalora.core.data.Dataset;

/**
 * The one epoch loop of the hand-written engines' families (ViT, text encoder, GIN, recurrent cells): each epoch a
 * seeded permutation of the training examples in batches, a backward pass per batch, the optimizer step at the
 * schedule's rate, then the validation metric; the best epoch's arrays are kept (strictly better only, so ties keep
 * the earlier epoch) and restored at the end; training stops early after {@code patience} epochs without
 * improvement; a non-finite loss restores the best arrays and stops with {@link LossGuard}'s one-line error naming
 * the step; an {@link Interruption} (Ctrl-C) stops after the current step with the best epoch's arrays restored, for
 * the caller to save. Progress shows the epoch, how far, the rate and the ETA, and one line per epoch. Inside a
 * {@link Checkpointing} scope the state after every epoch (arrays, Adam moments, the kept arrays, counters) is saved
 * ({@link EpochCheckpoint}), and a resumed run continues after the saved epoch with the same bits as a run never
 * stopped. A family supplies only what one batch and one validation mean ({@link Task}).
 */
public final class EpochLoop {
  private EpochLoop() {}

  /** What a family plugs into the loop. */
  public interface Task {
    /** Training examples per epoch. */
    int examples();

    /** Forward and backward over the examples {@code batch} (indices into the training set); the batch's loss. */
    double backward(int[] batch);

    /** The optimizer step ({@code step} counts from 1) at learning rate {@code lr}, then any derived state. */
    void update(double lr, int step);

    /** The validation metric; higher is better. */
    double validate();

    /** A copy of the trained arrays. */
    Map<String, float[]> snapshot();

    /** Puts a {@link #snapshot} back. */
    void restore(Map<String, float[]> arrays);

    /**
     * The trained arrays with their optimizer moments, in a fixed order, for checkpoints ({@link Checkpointing});
     * null (the default) when the family cannot checkpoint.
     */
    default List<org.lottalora.core.engine.Param> params() {
      return null;
    }

    /** Called before each epoch's first batch (from 1), also on resuming: where a family draws per-epoch data. */
    default void startEpoch(int epoch) {}
  }

  /**
   * How to loop.
   *
   * @param name what progress calls the run (e.g. "vit")
   * @param epochs epochs
   * @param batch examples per step
   * @param order the permutation stream of an epoch (from 1), e.g. {@code e -> "vit.epoch." + e}
   * @param orderSeed the permutations' seed
   * @param rate the learning rate at a step (from 0)
   * @param scoreFirst validate before training, so that an epoch must beat the untrained model to be kept
   * @param patience epochs without improvement before stopping early (0: never)
   * @param epochLines one progress line per epoch (loss, validation, best mark); false for one-step epochs (a
   *     full-batch family), whose progress is the epoch count
   */
  public record Settings(String name, int epochs, int batch, IntFunction<String> order, long orderSeed,
      LongToDoubleFunction rate, boolean scoreFirst, int patience, boolean epochLines) {
    /** Settings with a progress line per epoch. */
    public Settings(String name, int epochs, int batch, IntFunction<String> order, long orderSeed,
        LongToDoubleFunction rate, boolean scoreFirst, int patience) {
      this(name, epochs, batch, order, orderSeed, rate, scoreFirst, patience, true);
    }

    /** Checks the counts. */
    public Settings {
      if (epochs < 1 || batch < 1 || patience < 0) {
        throw new IllegalArgumentException("need epochs >= 1, batch >= 1 and patience >= 0, got " + epochs + ", "
            + batch + ", " + patience);
      }
    }

    /** Steps of a full run. */
    public long steps(int examples) {
      return (long) epochs * ((examples + batch - 1) / batch);
    }
  }

  /**
   * What the loop did.
   *
   * @param bestValidation the kept epoch's validation metric
   * @param bestEpoch the kept epoch (0: the untrained model, with {@code scoreFirst})
   * @param trainSeconds time in training steps (validation excluded)
   * @param examplesSeen training examples stepped through
   * @param history the validation metric after each epoch run
   * @param epochRates training examples per second of each epoch run
   * @param interrupted whether an {@link Interruption} ended the run early
   */
  public record Outcome(double bestValidation, int bestEpoch, double trainSeconds, long examplesSeen,
      List<Double> history, double[] epochRates, boolean interrupted) {}

  /** Runs the loop; the task's arrays end as the best epoch's. */
  public static Outcome run(Task t, Settings s, Progress progress) {
    int n = t.examples();
    Checkpointing ck = Checkpointing.current();
    String fingerprint = null;
    if (ck != null) {
      if (t.params() == null) {
        throw new IllegalArgumentException(s.name() + " cannot save checkpoints: drop --checkpoint");
      }
      fingerprint = EpochCheckpoint.fingerprint(s, n, t.params(), ck.runKey());
    }
    EpochCheckpoint from = ck != null && ck.resume() ? EpochCheckpoint.read(ck.file()) : null;
    double bestVal;
    int bestEpoch = 0;
    Map<String, float[]> best;
    List<Double> history = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    long trainNanos = 0;
    long seen = 0;
    int step = 0;
    int sinceBest = 0;
    int first = 1;
    if (from != null) { // the state after the checkpoint's epoch: go on with the next one
      from.restoreInto(t.params(), fingerprint, ck.file(), t::restore);
      bestVal = from.bestValidation();
      bestEpoch = from.bestEpoch();
      best = from.best();
      history.addAll(from.history());
      rates.addAll(from.rates());
      trainNanos = from.trainNanos();
      seen = from.seen();
      step = from.step();
      sinceBest = from.sinceBest();
      first = from.epoch() + 1;
      progress.say(String.format(Locale.ROOT, "%s: resumed from %s after epoch %d of %d (best so far: epoch %d)",
          s.name(), ck.file(), from.epoch(), s.epochs(), bestEpoch));
    } else {
      bestVal = s.scoreFirst() ? t.validate() : Double.NEGATIVE_INFINITY;
      best = t.snapshot();
    }
    long t0 = System.nanoTime();
    boolean interrupted = false;
    boolean stoppedEarly = from != null && s.patience() > 0 && sinceBest >= s.patience();
    for (int epoch = first; epoch <= s.epochs() && !interrupted && !stoppedEarly; epoch++) {
      t.startEpoch(epoch);
      int[] order = Dataset.permutation(n, s.orderSeed(), s.order().apply(epoch));
      long e0 = System.nanoTime();
      double lossSum = 0;
      int batches = 0;
      String what = String.format(Locale.ROOT, "%s epoch %d/%d", s.name(), epoch, s.epochs());
      for (int start = 0; start < n; start += s.batch()) {
        int[] idx = java.util.Arrays.copyOfRange(order, start, Math.min(n, start + s.batch()));
        double loss = t.backward(idx);
        if (!Double.isFinite(loss)) {
          t.restore(best); // the best epoch so far: never leave NaN arrays behind
          LossGuard.check(loss, step + 1, bestEpoch > 0 ? "epoch " + bestEpoch : null);
        }
        t.update(s.rate().applyAsDouble(step), ++step);
        lossSum += loss;
        batches++;
        seen += idx.length;
        if (s.epochLines()) {
          progress.work(what, Math.min(n, start + s.batch()), n, e0);
        }
        if (Interruption.requested()) {
          interrupted = true;
          progress.say(String.format(Locale.ROOT, "%s: interrupted at epoch %d step %d; keeping %s", s.name(),
              epoch, step, bestEpoch > 0 ? "the best epoch, " + bestEpoch : "the initial arrays"));
          break;
        }
      }
      if (interrupted) {
        break; // the unfinished epoch is not validated: the best finished one is kept
      }
      long spent = System.nanoTime() - e0;
      trainNanos += spent;
      rates.add(n / Math.max(1e-9, spent / 1e9));
      double val = t.validate();
      history.add(val);
      boolean better = val > bestVal;
      if (better) {
        bestVal = val;
        bestEpoch = epoch;
        best = t.snapshot();
        sinceBest = 0;
      }
      if (s.epochLines()) {
        progress.say(String.format(Locale.ROOT, "%s epoch %d/%d  loss %.4f  validation %.4f%s", s.name(), epoch,
            s.epochs(), lossSum / batches, val, better ? " *" : ""));
      } else {
        progress.work(s.name() + " epochs", epoch, s.epochs(), t0);
      }
      if (!better && s.patience() > 0) {
        sinceBest++;
      }
      if (ck != null) { // the state after this epoch, before the arrays go back to the best
        new EpochCheckpoint(fingerprint, epoch, step, bestVal, bestEpoch, sinceBest, seen, trainNanos,
            history, rates, ParamState.capture(t.params()), best).write(ck.file());
      }
      if (!better && s.patience() > 0 && sinceBest >= s.patience()) {
        break; // the history shows how many epochs ran
      }
    }
    t.restore(best);
    return new Outcome(bestVal, bestEpoch, trainNanos / 1e9, seen, history,
        rates.stream().mapToDouble(Double::doubleValue).toArray(), interrupted);
  }
}
