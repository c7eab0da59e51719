package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.train.CosineSchedule;
import org.lottalora.core.train.EpochLoop;
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
   * @param validationLoss held-out loss of the kept model, the best evaluation's (nats per byte)
   * @param trainLoss mean training loss over the last 10% of steps (a run interrupted before them: over the last
   *     evaluation interval)
   * @param curve (step, mean training loss since the previous evaluation, held-out loss) at each evaluation
   * @param tokens training bytes seen
   * @param seconds wall time of the training steps (evaluation excluded)
   * @param trainableFraction trained values over the full model's values
   * @param betas learned beta per adapted matrix
   * @param lateTokensPerSecond training bytes per second over the second half of the steps this process ran (the
   *     JIT warmed up: the steady state)
   * @param bestStep the step of the kept evaluation
   * @param interrupted whether Ctrl-C ended the run early (the best evaluation so far is kept)
   */
  public record Report(double initialLoss, double validationLoss, double trainLoss, List<double[]> curve,
      long tokens, double seconds, double trainableFraction, Map<String, Double> betas, double lateTokensPerSecond,
      int bestStep, boolean interrupted) {
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
   * Trains {@code lm} in place on the one training loop by steps ({@link EpochLoop}): step {@code k} draws its
   * windows from stream "lm.batches", validation (the held-out loss) runs every {@code evalEvery} steps and after the
   * last, the best validation's arrays are kept (so a run whose held-out loss rose at the end ships the better
   * model), a NaN loss stops with the last good arrays, Ctrl-C keeps the best, and its state is saved as {@code ck}
   * says (null: never; also when a command opened a {@link org.lottalora.core.train.Checkpointing} scope): a resumed
   * run ends with the same bits as one never stopped.
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
    String runKey = lm.spec() + " " + c + " text " + corpus.train().length + "+" + corpus.validation().length
        + " " + java.util.Arrays.hashCode(corpus.train());
    if (ck == null) {
      return run(lm, corpus, c, progress, runKey);
    }
    if (ck.resume() && !java.nio.file.Files.isRegularFile(ck.path())) {
      throw new IllegalArgumentException("--resume: no checkpoint at " + ck.path() + "; start the run with "
          + "--checkpoint " + ck.path() + " (without --resume) first");
    }
    try (org.lottalora.core.train.Checkpointing scope = org.lottalora.core.train.Checkpointing.open(ck.path(),
        ck.resume(), runKey, ck.every(), ck.stopAfter())) {
      return run(lm, corpus, c, progress, runKey);
    } catch (org.lottalora.core.LottaException e) {
      if (e.getMessage() != null && e.getMessage().contains("belongs to another run")) {
        throw new IllegalArgumentException(ck.path() + " was saved by another run (model, text or settings "
            + "differ); resume with the same options, or start afresh without --resume");
      }
      throw e;
    }
  }

  private static Report run(ByteLm lm, ByteCorpus corpus, Config c, Progress progress, String runKey) {
    double initial = evaluate(lm, corpus.validation(), c.seqLen(), c.evalBytes());
    Stream positions = new Stream(c.seed(), "lm.batches");
    List<Param> params = lm.params();
    int span = corpus.train().length - c.seqLen() + 1;
    long[] late = new long[3]; // this process's first step, then the second half's nanoseconds and steps
    EpochLoop.Task task = new EpochLoop.Task() {
      private org.lottalora.core.train.ScaffoldSwitch scaffolds;

      @Override
      public org.lottalora.core.train.ScaffoldSwitch scaffolds() { // made on first use: only resampling runs pay
        if (scaffolds == null) {
          scaffolds = lm.scaffoldSwitch();
        }
        return scaffolds;
      }

      private long started;

      @Override
      public int examples() {
        return c.batch();
      }

      @Override
      public int[] draw(int step) {
        if (late[0] == 0) {
          late[0] = step;
        }
        started = System.nanoTime();
        int[] at = new int[c.batch()];
        for (int b = 0; b < c.batch(); b++) {
          long k = (long) (step - 1) * c.batch() + b;
          at[b] = (int) Math.min(span - 1, (long) (Stream.uniform(positions.word(k)) * span));
        }
        return at;
      }

      @Override
      public double backward(int[] at) {
        int[][] batch = new int[at.length][];
        for (int b = 0; b < at.length; b++) {
          batch[b] = ByteCorpus.tokens(corpus.train(), at[b], c.seqLen());
        }
        return lm.backward(batch);
      }

      @Override
      public void update(double lr, int step) {
        Adam.step(params, lr, 0, step);
        lm.refresh();
        if (step >= late[0] + (c.steps() - late[0] + 1) / 2) {
          late[1] += System.nanoTime() - started;
          late[2]++;
        }
      }

      @Override
      public double validate() {
        return -evaluate(lm, corpus.validation(), c.seqLen(), c.evalBytes());
      }

      @Override
      public String describe(double validation) {
        return String.format(java.util.Locale.ROOT, "held-out loss %.4f (%.3f bits/byte)", -validation,
            -validation / Math.log(2));
      }

      @Override
      public Map<String, float[]> snapshot() {
        return lm.trained();
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        lm.restore(arrays);
      }

      @Override
      public List<Param> params() {
        return params;
      }
    };
    // the initial model is not a candidate: the loop keeps the best validation of the trained ones
    EpochLoop.Outcome o = EpochLoop.run(task, EpochLoop.Settings.steps("lm", c.steps(), c.evalEvery(), c.batch(),
        step -> rate(c.lr(), (int) step + 1, c.steps()), false, 0), progress);
    if (o.stopped()) {
      org.lottalora.core.train.Checkpointing scope = org.lottalora.core.train.Checkpointing.current();
      progress.say("stopped after step " + (o.examplesSeen() / c.batch()) + " of " + c.steps()
          + "; continue with --resume from " + scope.file());
      return null;
    }
    List<double[]> curve = new ArrayList<>();
    for (int k = 0; k < o.history().size(); k++) {
      boolean last = k == o.history().size() - 1;
      int at = last && o.interrupted() ? (int) (o.examplesSeen() / c.batch())
          : c.evalEvery() == 0 ? c.steps() : Math.min(c.steps(), (k + 1) * c.evalEvery());
      curve.add(new double[] {at, o.losses().get(k), -o.history().get(k)});
    }
    double trainLoss = Double.isNaN(o.tailLoss()) && !o.losses().isEmpty() ? o.losses().get(o.losses().size() - 1)
        : o.tailLoss(); // interrupted before the last 10% of steps: the last evaluation interval's mean
    return new Report(initial, -o.bestValidation(), trainLoss, curve, o.examplesSeen() * c.seqLen(),
        o.trainSeconds(), trainableValues(lm) / (double) lm.spec().modelValues(), betas(lm),
        (double) late[2] * c.batch() * c.seqLen() / Math.max(1e-9, late[1] / 1e9), o.bestEpoch(), o.interrupted());
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
