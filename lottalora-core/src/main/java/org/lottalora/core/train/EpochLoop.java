package org.lottalora.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongToDoubleFunction;
import org.lottalora.core.data.Dataset;

/**
 * The one training loop of the hand-written engines' families (ViT, text encoder, GCN, GIN, recurrent cells, the
 * Decision Transformer, and by steps the byte LM). By epochs ({@link Settings}): each epoch a
 * seeded permutation of the training examples in batches, a backward pass per batch, the optimizer step at the
 * schedule's rate, then the validation metric; the best epoch's arrays are kept (strictly better only, so ties keep
 * the earlier epoch) and restored at the end; training stops early after {@code patience} epochs without
 * improvement; a non-finite loss restores the best arrays and stops with {@link LossGuard}'s one-line error naming
 * the step; an {@link Interruption} (Ctrl-C) stops after the current step with the best epoch's arrays restored, for
 * the caller to save. Progress shows the epoch, how far, the rate and the ETA, and one line per epoch. Inside a
 * {@link Checkpointing} scope the state after every epoch (arrays, Adam moments, the kept arrays, counters) is saved
 * ({@link EpochCheckpoint}), and a resumed run continues after the saved epoch with the same bits as a run never
 * stopped. A family supplies only what one batch and one validation mean ({@link Task}).
 *
 * <p>By steps ({@link Settings#steps}), for a family that samples its batches (the LM's windows): step {@code k}
 * trains on {@link Task#draw}{@code (k)}, validation runs every {@code evalEvery} steps and after the last, and the
 * same rules hold per validation instead of per epoch (keep-best, patience, NaN stop, progress; Ctrl-C validates
 * the step it stopped at, so the arrays trained since the last validation are a candidate too); a
 * checkpoint is saved at each validation and every {@link Checkpointing#every} steps, and
 * {@link Checkpointing#stopAfter} ends a call after that many steps, saved, for jobs run in slices.
 *
 * <p>Inside a {@link Resampling} scope the loop also resamples the scaffold ({@link ScaffoldSchedule}) through the
 * task's {@link ScaffoldSwitch}: per epoch or interval, or per step over K scaffolds with the gradients combined from
 * the task's {@link Task#params}; validation, the kept arrays and the end state are on scaffold 0.
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

    /**
     * After a checkpoint put the values and moments of {@link #params} back: brings what the family derives from
     * them up to date. The default puts the arrays back through {@link #restore}, by their names.
     */
    default void paramsRestored() {
      Map<String, float[]> v = new java.util.LinkedHashMap<>();
      for (org.lottalora.core.engine.Param p : params()) {
        v.put(p.name, p.v.clone());
      }
      restore(v);
    }

    /** Called before each epoch's first batch (from 1), also on resuming: where a family draws per-epoch data. */
    default void startEpoch(int epoch) {}

    /**
     * By steps: the training examples of step {@code step} (from 1), a function of the step alone so that a resumed
     * run draws what an uninterrupted one would.
     */
    default int[] draw(int step) {
      throw new IllegalStateException("this family trains by epochs; it draws no batches of its own");
    }

    /** How progress shows a validation value. */
    default String describe(double validation) {
      return String.format(Locale.ROOT, "validation %.4f", validation);
    }

    /**
     * Whether the family asks the loop to stop before its next step (as Ctrl-C does through {@link Interruption}),
     * e.g. a stop requested from another thread on one run of several: the loop keeps the best epoch so far.
     */
    default boolean stopRequested() {
      return false;
    }

    /**
     * The switch between the network's scaffolds, for {@link Resampling} (null, the default: the family cannot
     * resample, and a resampling run is refused).
     */
    default ScaffoldSwitch scaffolds() {
      return null;
    }

    /**
     * Whether the family shows its own progress (the dense trainer's bar and epoch lines): the loop then prints only
     * its resume and interruption lines.
     */
    default boolean ownsProgress() {
      return false;
    }
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
   * @param steps by steps: the optimizer steps of the run (0: by epochs)
   * @param evalEvery by steps: steps between validations (0: only after the last)
   */
  public record Settings(String name, int epochs, int batch, IntFunction<String> order, long orderSeed,
      LongToDoubleFunction rate, boolean scoreFirst, int patience, boolean epochLines, int steps, int evalEvery) {
    /** Settings by epochs. */
    public Settings(String name, int epochs, int batch, IntFunction<String> order, long orderSeed,
        LongToDoubleFunction rate, boolean scoreFirst, int patience, boolean epochLines) {
      this(name, epochs, batch, order, orderSeed, rate, scoreFirst, patience, epochLines, 0, 0);
    }

    /**
     * Settings by steps: {@code steps} optimizer steps of {@code batch} examples the task draws, a validation every
     * {@code evalEvery} steps (0: only after the last), {@code patience} validations without improvement before
     * stopping early (0: never).
     */
    public static Settings steps(String name, int steps, int evalEvery, int batch, LongToDoubleFunction rate,
        boolean scoreFirst, int patience) {
      if (steps < 1 || evalEvery < 0) {
        throw new IllegalArgumentException("need steps >= 1 and an evaluation interval >= 0, got " + steps + ", "
            + evalEvery);
      }
      int validations = evalEvery == 0 ? 1 : (steps + evalEvery - 1) / evalEvery;
      return new Settings(name, validations, batch, e -> name, 0, rate, scoreFirst, patience, true, steps, evalEvery);
    }

    /** Settings with a progress line per epoch. */
    public Settings(String name, int epochs, int batch, IntFunction<String> order, long orderSeed,
        LongToDoubleFunction rate, boolean scoreFirst, int patience) {
      this(name, epochs, batch, order, orderSeed, rate, scoreFirst, patience, true);
    }

    /** Checks the counts. */
    public Settings {
      if (epochs < 1 || batch < 1 || patience < 0 || steps < 0 || evalEvery < 0) {
        throw new IllegalArgumentException("need epochs >= 1, batch >= 1 and patience >= 0, got " + epochs + ", "
            + batch + ", " + patience);
      }
    }

    /** Steps of a full run. */
    public long steps(int examples) {
      return steps > 0 ? steps : (long) epochs * ((examples + batch - 1) / batch);
    }

    /** By steps: whether step {@code step} ends with a validation. */
    boolean validatesAt(int step) {
      return step == steps || (evalEvery > 0 && step % evalEvery == 0);
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
   * @param losses mean training loss of each epoch run (by steps: of each validation interval)
   * @param tailLoss by steps: mean training loss over the last 10% of the steps (NaN by epochs)
   * @param stopped by steps: {@link Checkpointing#stopAfter} ended this call before the last step (state saved)
   */
  public record Outcome(double bestValidation, int bestEpoch, double trainSeconds, long examplesSeen,
      List<Double> history, double[] epochRates, boolean interrupted, List<Double> losses, double tailLoss,
      boolean stopped) {}

  /** Runs the loop; the task's arrays end as the best epoch's (by steps: the best validation's). */
  public static Outcome run(Task t, Settings s, Progress progress) {
    ScaffoldSwitch scaffolds = resampler(t, s);
    try {
      return s.steps() > 0 ? runSteps(t, s, progress, scaffolds) : runEpochs(t, s, progress, scaffolds);
    } finally {
      if (scaffolds != null) {
        scaffolds.use(0); // the model's own scaffold, whatever stopped the run
      }
    }
  }

  /** The task's scaffold switch when a {@link Resampling} scope asks for one; null otherwise. */
  private static ScaffoldSwitch resampler(Task t, Settings s) {
    ScaffoldSchedule sched = Resampling.current();
    if (sched.kind() == ScaffoldSchedule.Kind.FIXED) {
      return null;
    }
    if (t.scaffolds() == null) {
      throw new IllegalArgumentException("scaffold schedule " + sched.text() + " does not apply to " + s.name()
          + ", which trains on its one scaffold");
    }
    boolean perStep = sched.kind() == ScaffoldSchedule.Kind.CYCLE || sched.kind() == ScaffoldSchedule.Kind.SUBBATCH;
    if (perStep && t.params() == null) {
      throw new IllegalArgumentException("scaffold schedule " + sched.text() + " needs " + s.name() + "'s gradients "
          + "to average over scaffolds; use epoch");
    }
    if (sched.kind() == ScaffoldSchedule.Kind.SUBBATCH && Math.min(s.batch(), s.steps() > 0 ? s.batch()
        : t.examples()) < sched.k()) {
      throw new IllegalArgumentException("scaffold schedule " + sched.text() + " splits each batch into " + sched.k()
          + " parts, but " + s.name() + " steps on batches of " + Math.min(s.batch(), s.steps() > 0 ? s.batch()
          : t.examples()) + (t.examples() == 1 ? " (one full batch)" : "") + "; use cycle:" + sched.k()
          + " or a larger --batch");
    }
    if (perStep) {
      t.scaffolds().keep(sched.k()); // regenerated once, not at every step
    }
    return t.scaffolds();
  }

  /**
   * One step's backward under a per-step schedule: {@code cycle:K} runs the batch through scaffolds 0..K-1 and
   * averages the K gradients; {@code subbatch:K} runs part j of the batch through scaffold j and weighs each part's
   * mean gradient by its share. The combined gradient is left in the params' {@code g}; returns the combined loss
   * (or the first non-finite one).
   */
  private static double multiScaffold(Task t, int[] idx, ScaffoldSwitch scaffolds, float[][] acc) {
    ScaffoldSchedule sched = Resampling.current();
    List<org.lottalora.core.engine.Param> ps = t.params();
    for (float[] a : acc) {
      java.util.Arrays.fill(a, 0f);
    }
    int k = sched.k();
    int n = idx.length;
    double loss = 0;
    for (int j = 0; j < k; j++) {
      int[] part = idx;
      double w = 1.0 / k;
      if (sched.kind() == ScaffoldSchedule.Kind.SUBBATCH) {
        int from = (int) ((long) n * j / k);
        int to = (int) ((long) n * (j + 1) / k);
        if (to == from) {
          continue;
        }
        part = java.util.Arrays.copyOfRange(idx, from, to);
        w = (to - from) / (double) n; // the batch mean: each part's mean weighted by its share
      }
      scaffolds.use(j);
      double l = t.backward(part);
      if (!Double.isFinite(l)) {
        return l;
      }
      loss += w * l;
      float fw = (float) w;
      for (int p = 0; p < ps.size(); p++) {
        float[] g = ps.get(p).g;
        float[] a = acc[p];
        for (int i = 0; i < g.length; i++) {
          a[i] += fw * g[i];
        }
      }
    }
    for (int p = 0; p < ps.size(); p++) {
      System.arraycopy(acc[p], 0, ps.get(p).g, 0, acc[p].length);
    }
    return loss;
  }

  /** Gradient buffers for {@link #multiScaffold} (null when the schedule takes one scaffold per step). */
  private static float[][] gradientBuffers(Task t, ScaffoldSwitch scaffolds) {
    ScaffoldSchedule.Kind kind = Resampling.current().kind();
    if (scaffolds == null || (kind != ScaffoldSchedule.Kind.CYCLE && kind != ScaffoldSchedule.Kind.SUBBATCH)) {
      return null;
    }
    float[][] acc = new float[t.params().size()][];
    for (int p = 0; p < acc.length; p++) {
      acc[p] = new float[t.params().get(p).g.length];
    }
    return acc;
  }

  /**
   * The run's checkpoint fingerprint inside a {@link Checkpointing} scope (null outside one), for both modes.
   *
   * @throws IllegalArgumentException when the task cannot checkpoint (no {@link Task#params})
   */
  private static String fingerprint(Task t, Settings s, int examples, Checkpointing ck) {
    if (ck == null) {
      return null;
    }
    if (t.params() == null) {
      throw new IllegalArgumentException(s.name() + " cannot save checkpoints: drop --checkpoint");
    }
    return EpochCheckpoint.fingerprint(s, examples, t.params(), ck.runKey());
  }

  private static Outcome runEpochs(Task t, Settings s, Progress progress, ScaffoldSwitch scaffolds) {
    int n = t.examples();
    float[][] acc = gradientBuffers(t, scaffolds);
    Checkpointing ck = Checkpointing.current();
    String fingerprint = fingerprint(t, s, n, ck);
    EpochCheckpoint from = ck != null && ck.resume() ? EpochCheckpoint.read(ck.file()) : null;
    double bestVal;
    int bestEpoch = 0;
    Map<String, float[]> best;
    List<Double> history = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    long trainNanos = 0;
    long seen = 0;
    int step = 0;
    int sinceBest = 0;
    int first = 1;
    if (from != null) { // the state after the checkpoint's epoch: go on with the next one
      from.restoreInto(t.params(), fingerprint, ck.file(), t::paramsRestored);
      bestVal = from.bestValidation();
      bestEpoch = from.bestEpoch();
      best = from.best();
      history.addAll(from.history());
      rates.addAll(from.rates());
      losses.addAll(from.losses());
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
      if (scaffolds != null && acc == null) {
        scaffolds.use(epoch - 1); // epoch e trains on scaffold e - 1
      }
      int[] order = Dataset.permutation(n, s.orderSeed(), s.order().apply(epoch));
      long e0 = System.nanoTime();
      double lossSum = 0;
      int batches = 0;
      String what = String.format(Locale.ROOT, "%s epoch %d/%d", s.name(), epoch, s.epochs());
      for (int start = 0; start < n; start += s.batch()) {
        if (Interruption.requested() || t.stopRequested()) { // before the step: a finished epoch is validated
          interrupted = true;
          progress.say(String.format(Locale.ROOT, "%s: interrupted at epoch %d step %d; keeping %s", s.name(),
              epoch, step, bestEpoch > 0 ? "the best epoch, " + bestEpoch : "the initial arrays"));
          break;
        }
        int[] idx = java.util.Arrays.copyOfRange(order, start, Math.min(n, start + s.batch()));
        double loss = acc == null ? t.backward(idx) : multiScaffold(t, idx, scaffolds, acc);
        if (!Double.isFinite(loss)) {
          t.restore(best); // the best epoch so far: never leave NaN arrays behind
          LossGuard.check(loss, step + 1, bestEpoch > 0 ? "epoch " + bestEpoch : null);
        }
        t.update(s.rate().applyAsDouble(step), ++step);
        lossSum += loss;
        batches++;
        seen += idx.length;
        if (s.epochLines() && !t.ownsProgress()) {
          progress.work(what, Math.min(n, start + s.batch()), n, e0);
        }
      }
      if (interrupted) {
        break; // the unfinished epoch is not validated: the best finished one is kept
      }
      long spent = System.nanoTime() - e0;
      trainNanos += spent;
      rates.add(n / Math.max(1e-9, spent / 1e9));
      if (scaffolds != null) {
        scaffolds.use(0); // validate (and keep) on the model's own scaffold
      }
      double val = t.validate();
      history.add(val);
      losses.add(lossSum / batches);
      boolean better = val > bestVal;
      if (better) {
        bestVal = val;
        bestEpoch = epoch;
        best = t.snapshot();
        sinceBest = 0;
      }
      if (t.ownsProgress()) {
        // the family printed its own epoch line in validate()
      } else if (s.epochLines()) {
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
            history, rates, ParamState.capture(t.params()), best, losses, new double[0]).write(ck.file());
      }
      if (!better && s.patience() > 0 && sinceBest >= s.patience()) {
        break; // the history shows how many epochs ran
      }
    }
    t.restore(best);
    return new Outcome(bestVal, bestEpoch, trainNanos / 1e9, seen, history,
        rates.stream().mapToDouble(Double::doubleValue).toArray(), interrupted, losses, Double.NaN, false);
  }

  /** The loop by steps (see the class comment); {@code bestEpoch} is the kept validation's step. */
  private static Outcome runSteps(Task t, Settings s, Progress progress, ScaffoldSwitch scaffolds) {
    int total = s.steps();
    float[][] acc = gradientBuffers(t, scaffolds);
    Checkpointing ck = Checkpointing.current();
    String fingerprint = fingerprint(t, s, 0, ck);
    EpochCheckpoint from = ck != null && ck.resume() ? EpochCheckpoint.read(ck.file()) : null;
    double bestVal;
    int bestStep = 0;
    Map<String, float[]> best;
    List<Double> history = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    long trainNanos = 0;
    long seen = 0;
    int sinceBest = 0;
    int first = 1;
    // the unfinished validation interval and the last 10% of steps: loss sum, steps, nanos, examples; tail sum, count
    double[] pending = new double[6];
    if (from != null) {
      from.restoreInto(t.params(), fingerprint, ck.file(), t::paramsRestored);
      bestVal = from.bestValidation();
      bestStep = from.bestEpoch();
      best = from.best();
      history.addAll(from.history());
      rates.addAll(from.rates());
      losses.addAll(from.losses());
      trainNanos = from.trainNanos();
      seen = from.seen();
      sinceBest = from.sinceBest();
      first = from.step() + 1;
      if (from.pending().length == pending.length) {
        pending = from.pending().clone();
      }
      progress.say(String.format(Locale.ROOT, "%s: resumed from %s after step %d of %d", s.name(), ck.file(),
          from.step(), total));
    } else {
      bestVal = s.scoreFirst() ? t.validate() : Double.NEGATIVE_INFINITY;
      best = t.snapshot();
    }
    int end = ck == null || ck.stopAfter() == 0 ? total : (int) Math.min(total, first - 1L + ck.stopAfter());
    int tailFrom = total - Math.max(1, total / 10) + 1;
    long t0 = System.nanoTime();
    boolean interrupted = false;
    boolean stoppedEarly = from != null && s.patience() > 0 && sinceBest >= s.patience();
    int step = first - 1;
    while (step < end && !interrupted && !stoppedEarly) {
      step++;
      if (scaffolds != null && acc == null) {
        // interval k (of --eval-every steps, or a tenth of the run) trains on scaffold k - 1
        scaffolds.use((step - 1) / (s.evalEvery() > 0 ? s.evalEvery() : Math.max(1, total / 10)));
      }
      int[] idx = t.draw(step);
      long a = System.nanoTime();
      double loss = acc == null ? t.backward(idx) : multiScaffold(t, idx, scaffolds, acc);
      if (!Double.isFinite(loss)) {
        t.restore(best); // the best validation so far: never leave NaN arrays behind
        LossGuard.check(loss, step, bestStep > 0 ? "step " + bestStep : null);
      }
      t.update(s.rate().applyAsDouble(step - 1), step);
      long spent = System.nanoTime() - a;
      trainNanos += spent;
      seen += idx.length;
      pending[0] += loss;
      pending[1]++;
      pending[2] += spent;
      pending[3] += idx.length;
      if (step >= tailFrom) {
        pending[4] += loss;
        pending[5]++;
      }
      boolean interruptedNow = Interruption.requested() || t.stopRequested(); // the arrays of this step are a
      // candidate too
      boolean validates = s.validatesAt(step) || interruptedNow;
      boolean better = false;
      if (validates) {
        if (scaffolds != null) {
          scaffolds.use(0);
        }
        double val = t.validate();
        history.add(val);
        losses.add(pending[0] / pending[1]);
        rates.add(pending[3] / Math.max(1e-9, pending[2] / 1e9));
        better = val > bestVal;
        if (better) {
          bestVal = val;
          bestStep = step;
          best = t.snapshot();
          sinceBest = 0;
        } else if (s.patience() > 0) {
          sinceBest++;
        }
        progress.say(String.format(Locale.ROOT, "%s step %d/%d  loss %.4f  %s  %.0f examples/s%s", s.name(), step,
            total, pending[0] / pending[1], t.describe(val), rates.get(rates.size() - 1), better ? " *" : ""));
        java.util.Arrays.fill(pending, 0, 4, 0);
        stoppedEarly = !better && s.patience() > 0 && sinceBest >= s.patience();
      } else {
        progress.work(s.name() + " steps", step - first + 1, end - first + 1, t0);
      }
      interrupted = interruptedNow;
      if (ck != null && (validates || (ck.every() > 0 && step % ck.every() == 0) || step == end || interrupted)) {
        // the state after this step, before the arrays go back to the best
        new EpochCheckpoint(fingerprint, history.size(), step, bestVal, bestStep, sinceBest, seen, trainNanos,
            history, rates, ParamState.capture(t.params()), best, losses, pending.clone()).write(ck.file());
      }
      if (interrupted) {
        progress.say(String.format(Locale.ROOT, "%s: interrupted at step %d; keeping %s", s.name(), step,
            bestStep > 0 ? "the best validation, step " + bestStep : "the initial arrays"));
      }
    }
    boolean stopped = !interrupted && !stoppedEarly && step < total;
    if (!stopped) {
      t.restore(best);
    }
    return new Outcome(bestVal, bestStep, trainNanos / 1e9, seen, history,
        rates.stream().mapToDouble(Double::doubleValue).toArray(), interrupted, losses,
        pending[5] == 0 ? Double.NaN : pending[4] / pending[5], stopped);
  }
}
