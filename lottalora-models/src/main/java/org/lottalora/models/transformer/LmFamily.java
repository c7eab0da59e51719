package org.lottalora.models.transformer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lottalora.core.LottaException;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.sweep.IntrinsicDimension;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.FamilyRuns;

/**
 * The LLaMA-style byte-level language model as a {@link Family} ({@link ByteLm}, {@link LmTrainer}): a preset shape
 * trained for a number of steps on a UTF-8 text whose last {@code val-fraction} is held out. Its metric is the
 * held-out loss (nats per byte, lower is better); the held-out next-byte accuracy is recorded beside it, so a
 * sweep's accuracy columns and the W_seed-removed ablation read as for the classifiers.
 */
public final class LmFamily implements Family {
  private static final Map<String, ByteCorpus> CORPORA = new ConcurrentHashMap<>();

  @Override
  public String id() {
    return "lm";
  }

  @Override
  public String description() {
    return "LLaMA-style byte-level language model (RMSNorm, RoPE, SwiGLU; attention adapted) on a UTF-8 text";
  }

  @Override
  public IntrinsicDimension.Metric metric() {
    return IntrinsicDimension.Metric.LOSS;
  }

  @Override
  public String reportNote() {
    return "This family is scored by held-out loss (nats per token, lower is better): read r* from the loss "
        + "rows. Its \"accuracy\" is held-out next-token accuracy, and \"test\" is the held-out text.";
  }

  @Override
  public List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", null, "UTF-8 text file to train on"),
        new FamilyOption("batch", "16", "windows per step"),
        new FamilyOption("lr", "3e-3", "peak Adam rate, warm-up then cosine"),
        new FamilyOption("preset", "tiny", "model shape: tiny, small, 3m, 30m, 300m, 600m, 900m"),
        new FamilyOption("steps", "200", "optimizer steps"),
        new FamilyOption("seq-len", "64", "bytes per window, at most the preset's context"),
        new FamilyOption("val-fraction", "0.1", "held-out tail of the text"),
        new FamilyOption("eval-bytes", "65536", "held-out bytes scored (0: all)"),
        new FamilyOption("attention", "adapter", "W_Q, W_K, W_V, W_O: adapter, full or frozen"),
        new FamilyOption("mlp", "frozen", "the MLP matrices: adapter, full or frozen"));
  }

  private static ByteCorpus corpus(RunSpec r) {
    double vf = FamilyRuns.doubleOption(r, "val-fraction");
    return CORPORA.computeIfAbsent(r.dataset() + "|" + vf, k -> ByteCorpus.read(Path.of(r.dataset()), vf));
  }

  private static ByteLm.Spec spec(RunSpec r) {
    ByteLm.Spec s = LmPreset.of(r.option("preset")).spec(r.seed(), FamilyRuns.init(r), FamilyRuns.adapter(r),
        FamilyRuns.targets(r));
    int seqLen = FamilyRuns.intOption(r, "seq-len");
    if (seqLen > s.context()) {
      throw new IllegalArgumentException("--seq-len " + seqLen + " is longer than preset " + r.option("preset")
          + "'s context of " + s.context() + "; use --seq-len " + s.context() + " or less");
    }
    return s;
  }

  @Override
  public void check(RunSpec r) {
    spec(r);
    corpus(r).checkWindow(FamilyRuns.intOption(r, "seq-len"));
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    ByteCorpus corpus = corpus(r);
    int seqLen = FamilyRuns.intOption(r, "seq-len");
    long evalBytes = FamilyRuns.intOption(r, "eval-bytes");
    int steps = FamilyRuns.intOption(r, "steps");
    ByteLm lm = new ByteLm(spec(r));
    LmTrainer.Config tc = new LmTrainer.Config(steps, r.batch(), seqLen, r.lr(), 0, evalBytes, r.seed());
    LmTrainer.Report rep = LmTrainer.train(lm, corpus, tc, progress);
    new LmModel(lm, r.option("preset"), r.dataset(), FamilyRuns.doubleOption(r, "val-fraction"), seqLen,
        rep.validationLoss()).save(artifact, LmTrainer.record(r.dataset(), corpus.train().length, tc, rep),
        DType.FLOAT32, null);
    LmModel.checkReload(lm, artifact, corpus.validation(), seqLen, true);
    double acc = accuracy(lm, corpus.validation(), seqLen, evalBytes);
    Double removed = FamilyRuns.withoutScaffold(r, lm.params(), lm::refresh,
        () -> accuracy(lm, corpus.validation(), seqLen, evalBytes));
    long trainable = LmTrainer.trainableValues(lm);
    return new RunResult(r.id(), r, acc, rep.validationLoss(), acc, steps, trainable, lm.spec().modelValues(),
        FamilyRuns.floats(rep.betas()), rep.seconds(), null, removed);
  }

  /**
   * Held-out next-byte accuracy over the windows {@link LmTrainer#evaluate} scores (each byte after the first
   * predicted once).
   */
  public static double accuracy(ByteLm lm, byte[] text, int seqLen, long maxBytes) {
    int n = (int) Math.min(text.length, maxBytes <= 0 ? Long.MAX_VALUE : maxBytes);
    int len = Math.min(seqLen, n);
    if (len < 2) {
      return Double.NaN; // nothing to predict (training refuses such a held-out text before this)
    }
    List<int[]> windows = new ArrayList<>();
    for (int start = 0; start + len <= n; start += len - 1) {
      windows.add(ByteCorpus.tokens(text, start, len));
    }
    long right = 0;
    long count = 0;
    for (int i = 0; i < windows.size(); i += 16) {
      int[][] b = windows.subList(i, Math.min(windows.size(), i + 16)).toArray(new int[0][]);
      float[][] z = lm.logits(b);
      for (int w = 0; w < b.length; w++) {
        for (int t = 0; t + 1 < len; t++) {
          float[] row = z[w * len + t];
          int best = 0;
          for (int k = 1; k < row.length; k++) {
            best = row[k] > row[best] ? k : best;
          }
          right += best == b[w][t + 1] ? 1 : 0;
          count++;
        }
      }
    }
    return count == 0 ? Double.NaN : right / (double) count;
  }

  @Override
  public boolean owns(Artifact a) {
    return a.hasModel() && a.getModel().getFamily().equals(LmModel.FAMILY);
  }

  @Override
  public Object load(ArtifactFile file, String where) {
    return LmModel.load(file, where);
  }
}
