package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.Progress;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;

/**
 * Trains a {@link ByteLm} on a {@link ByteCorpus}: each step draws {@code batch} windows of {@code seqLen} bytes at
 * positions from stream "lm.batches" of the config's seed (so a run is reproducible), takes one Adam step (linear
 * warm-up over the first 5% of steps, cosine decay to 10% of the rate), and every {@code evalEvery} steps and at
 * the end measures the held-out loss. Losses are nats per byte; perplexity is {@code e^loss} and bits per byte
 * {@code loss / ln 2} (a token is a byte).
 */
public final class LmTrainer {
  private LmTrainer() {
  }

  /**
   * Training settings.
   *
   * @param steps optimizer steps
   * @param batch windows per step
   * @param seqLen bytes per window (at most the model's context)
   * @param lr peak Adam learning rate
   * @param evalEvery steps between held-out evaluations (0: only at the end)
   * @param evalBytes at most this many held-out bytes per evaluation (0: all)
   * @param seed seed of the window positions
   */
  public record Config(int steps, int batch, int seqLen, double lr, int evalEvery, long evalBytes, long seed) {
    /** Validates. */
    public Config {
      if (steps < 1 || batch < 1 || seqLen < 2 || !(lr > 0) || evalEvery < 0 || evalBytes < 0) {
        throw new IllegalArgumentException("steps and batch must be >= 1, --seq-len >= 2 and the learning rate > 0");
      }
    }

    /** Bytes seen in training: steps x batch x seqLen. */
    public long tokens() {
      return (long) steps * batch * seqLen;
    }
  }

  /**
   * What a run measured.
   *
   * @param initialLoss held-out loss before training
   * @param validationLoss held-out loss at the end (nats per byte)
   * @param trainLoss mean training loss over the last 10% of steps
   * @param curve (step, training loss, held-out loss or NaN) at each evaluation
   * @param tokens training bytes seen
   * @param seconds wall time of the training steps (evaluation excluded)
   * @param trainableFraction trained values over the full model's values
   * @param betas learned beta per adapted matrix
   * @param lateTokensPerSecond training bytes per second over the second half of the steps this process ran (the
   *     JIT warmed up: the steady state)
   */
  public record Report(double initialLoss, double validationLoss, double trainLoss, List<double[]> curve,
      long tokens, double seconds, double trainableFraction, Map<String, Double> betas, double lateTokensPerSecond) {
    /** {@code e^loss} on the held-out text. */
    public double perplexity() {
      return Math.exp(validationLoss);
    }

    /** Bits per byte on the held-out text. */
    public double bitsPerByte() {
      return validationLoss / Math.log(2);
    }

    /** Median learned beta over the adapted matrices (NaN in full training). */
    public double medianBeta() {
      return Params.medianBeta(betas);
    }

    /** Training bytes per second. */
    public double tokensPerSecond() {
      return tokens / Math.max(1e-9, seconds);
    }
  }

  /**
   * Mean next-byte loss (nats) over {@code text}, cut into windows of {@code seqLen} that overlap by one byte so
   * every byte after the first is predicted exactly once, at most {@code maxBytes} of it (0: all).
   */
  public static double evaluate(ByteLm lm, byte[] text, int seqLen, long maxBytes) {
    int n = (int) Math.min(text.length, maxBytes <= 0 ? Long.MAX_VALUE : maxBytes);
    int len = Math.min(seqLen, n);
    if (len < 2) {
      throw new IllegalArgumentException("the held-out text has " + n + " bytes: nothing to predict");
    }
    double sum = 0;
    long count = 0;
    List<int[]> windows = new ArrayList<>();
    for (int start = 0; start + len <= n; start += len - 1) {
      windows.add(ByteCorpus.tokens(text, start, len));
    }
    for (int i = 0; i < windows.size(); i += 16) {
      int[][] b = windows.subList(i, Math.min(windows.size(), i + 16)).toArray(new int[0][]);
      double mean = lm.loss(b);
      sum += mean * b.length * (len - 1);
      count += (long) b.length * (len - 1);
    }
    return sum / count;
  }

  /**
   * The learning rate at {@code step} (from 1) of {@code steps}: the one schedule, warm-up over the first 5% of
   * steps, then cosine to 10% of the peak.
   */
  static double rate(double lr, int step, int steps) {
    return new CosineSchedule(lr, Math.max(1, steps / 20), steps, true, 0.1).at(step - 1);
  }

  /**
   * Where a run saves its state and how often, and whether it continues from the state saved there.
   *
   * @param path the checkpoint file (rewritten atomically)
   * @param every steps between saves
   * @param resume continue from {@code path} (which must exist and match the run)
   * @param stopAfter stop (after saving) once this many steps ran in this call; 0 runs to the end. For jobs run in
   *     slices (a preemptible machine, a time limit)
   */
  public record Checkpointing(java.nio.file.Path path, int every, boolean resume, int stopAfter) {
    /** Validates. */
    public Checkpointing {
      if (path == null || every < 1 || stopAfter < 0) {
        throw new IllegalArgumentException("a checkpoint needs a file, --checkpoint-every >= 1 and --stop-after >= 0");
      }
    }
  }

  /** Trains {@code lm} in place. */
  public static Report train(ByteLm lm, ByteCorpus corpus, Config c, Progress progress) {
    return train(lm, corpus, c, progress, null);
  }

  /**
   * Trains {@code lm} in place, saving its state as {@code ck} says (null: never) and continuing from a saved state
   * when asked: the resumed run ends with the same bits as one never stopped.
   *
   * @return the report, or null when {@code ck.stopAfter()} stopped the run before its last step
   * @throws IllegalArgumentException when the checkpoint is missing or belongs to another model, text or setting
   */
  public static Report train(ByteLm lm, ByteCorpus corpus, Config c, Progress progress, Checkpointing ck) {
    if (c.seqLen() > lm.spec().context()) {
      throw new IllegalArgumentException("--seq-len " + c.seqLen() + " is longer than the model's context of "
          + lm.spec().context() + "; use --seq-len " + lm.spec().context() + " or less");
    }
    corpus.checkWindow(c.seqLen());
    String fingerprint = lm.spec() + " " + c + " text " + corpus.train().length + "+" + corpus.validation().length
        + " " + java.util.Arrays.hashCode(corpus.train());
    double initial = evaluate(lm, corpus.validation(), c.seqLen(), c.evalBytes());
    Stream positions = new Stream(c.seed(), "lm.batches");
    List<double[]> curve = new ArrayList<>();
    List<Param> params = lm.params();
    int span = corpus.train().length - c.seqLen() + 1;
    double tail = 0;
    int tailCount = 0;
    double recent = 0;
    long trainNanos = 0;
    int first = 1;
    if (ck != null && ck.resume()) {
      LmCheckpoint saved = LmCheckpoint.read(ck.path());
      if (!saved.fingerprint().equals(fingerprint)) {
        throw new IllegalArgumentException(ck.path() + " was saved by another run (model, text or settings differ); "
            + "resume with the same options, or start afresh without --resume");
      }
      saved.restore(lm);
      first = saved.step() + 1;
      recent = saved.recent();
      tail = saved.tail();
      tailCount = saved.tailCount();
      trainNanos = saved.trainNanos();
      curve.addAll(saved.curve());
      progress.say("resumed after step " + saved.step() + " of " + c.steps() + " from " + ck.path());
    }
    long start = System.nanoTime();
    long lateNanos = 0;
    int lateSteps = 0;
    int lateFrom = first + (c.steps() - first + 1) / 2;
    // the last good arrays: the start (or the resumed checkpoint), then each evaluation with a finite held-out loss
    Map<String, float[]> good = lm.trained();
    int goodStep = first - 1; // 0: the initial model
    double val = curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1)[2];
    int end = ck == null || ck.stopAfter() == 0 ? c.steps() : Math.min(c.steps(), first - 1 + ck.stopAfter());
    for (int step = first; step <= end; step++) {
      long t0 = System.nanoTime();
      int[][] batch = new int[c.batch()][];
      for (int b = 0; b < c.batch(); b++) {
        long k = (long) (step - 1) * c.batch() + b;
        int at = (int) Math.min(span - 1, (long) (Stream.uniform(positions.word(k)) * span));
        batch[b] = ByteCorpus.tokens(corpus.train(), at, c.seqLen());
      }
      double loss = lm.backward(batch);
      if (!Double.isFinite(loss)) {
        lm.restore(good); // never leave NaN arrays in a model the caller may save
        org.lottalora.core.train.LossGuard.check(loss, step, goodStep > 0 ? "step " + goodStep : null);
      }
      Adam.step(params, rate(c.lr(), step, c.steps()), 0, step);
      lm.refresh();
      long spent = System.nanoTime() - t0;
      trainNanos += spent;
      if (step >= lateFrom) {
        lateNanos += spent;
        lateSteps++;
      }
      recent = step == 1 ? loss : 0.9 * recent + 0.1 * loss;
      if (step > c.steps() - Math.max(1, c.steps() / 10)) {
        tail += loss;
        tailCount++;
      }
      boolean last = step == c.steps();
      if (last || (c.evalEvery() > 0 && step % c.evalEvery() == 0)) {
        val = evaluate(lm, corpus.validation(), c.seqLen(), c.evalBytes());
        curve.add(new double[] {step, recent, val});
        if (Double.isFinite(val)) {
          good = lm.trained();
          goodStep = step;
        }
        progress.say(String.format(java.util.Locale.ROOT, "step %d/%d  train loss %.4f  held-out loss %.4f (%.3f "
            + "bits/byte)  %.0f bytes/s", step, c.steps(), recent, val, val / Math.log(2),
            (double) step * c.batch() * c.seqLen() / (trainNanos / 1e9)));
      } else {
        progress.work("lm steps", step - first + 1, c.steps() - first + 1, start);
      }
      if (ck != null && (step % ck.every() == 0 || step == end)) {
        LmCheckpoint.of(fingerprint, step, recent, tail, tailCount, trainNanos, curve, lm).save(ck.path());
      }
    }
    if (end < c.steps()) {
      progress.say("stopped after step " + end + " of " + c.steps() + "; continue with --resume from " + ck.path());
      return null;
    }
    return new Report(initial, val, tail / tailCount, curve, c.tokens(), trainNanos / 1e9,
        trainableValues(lm) / (double) lm.spec().modelValues(), betas(lm),
        (double) lateSteps * c.batch() * c.seqLen() / Math.max(1e-9, lateNanos / 1e9));
  }

  /**
   * The artifact's training record of a run on {@code dataset} ({@code bytes} training bytes) with {@code c}:
   * a step schedule (the window positions' seed as its shuffle seed); {@code r} null: the schedule only. The held-out
   * loss is the LM config's own field.
   */
  public static org.lottalora.core.train.TrainingRecord record(String dataset, long bytes, Config c, Report r) {
    return org.lottalora.core.train.TrainingRecord.of(dataset, bytes, org.lottalora.core.train.TrainingRecord.Schedule
        .steps(c.steps(), c.batch(), c.lr(), 0, c.seed(), 0), r == null ? null
        : new org.lottalora.core.train.TrainingRecord.Outcome(Double.NaN, Double.NaN, Double.NaN, 0, r.curve().size(),
            r.seconds(), r.tokensPerSecond(), ""),
        r == null ? Map.of() : r.betas());
  }

  /** Values the run trains. */
  public static long trainableValues(ByteLm lm) {
    return Params.count(lm.params());
  }

  /** Learned beta per adapted matrix, by layer prefix. */
  public static Map<String, Double> betas(ByteLm lm) {
    return Params.betas(lm.params());
  }
}
