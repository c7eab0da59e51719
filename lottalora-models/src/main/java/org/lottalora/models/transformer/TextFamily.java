package org.lottalora.models.transformer;

import java.nio.file.Path;
import java.util.List;
import org.lottalora.core.engine.Params;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.FamilyRuns;

/**
 * The Transformer text classifier as a {@link Family} ({@link TextClassifier}, {@link TextTrainer}): bytes of each
 * text through an encoder whose attention matrices are adapted, on a {@code text,label} CSV split 70 / 15 / 15,
 * scored by test accuracy at the best validation epoch.
 */
public final class TextFamily implements Family {
  @Override
  public String id() {
    return "text";
  }

  @Override
  public String description() {
    return "Transformer text classifier over bytes (attention adapted) on a text,label CSV";
  }

  @Override
  public List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", null, "text,label CSV (UTF-8)"),
        new FamilyOption("split-seed", "0", "seed of the split"), new FamilyOption("epochs", "5", "epochs"),
        new FamilyOption("batch", "32", "texts per step"), new FamilyOption("lr", "3e-3", "peak Adam rate"),
        new FamilyOption("wd", "1e-4", "decoupled weight decay"),
        new FamilyOption("max-len", "128", "context in bytes (longer texts are cut)"),
        new FamilyOption("width", "64", "model width"), new FamilyOption("heads", "4", "attention heads"),
        new FamilyOption("layers", "2", "blocks"), new FamilyOption("mlp-hidden", "128", "MLP width"),
        new FamilyOption("attention", "adapter", "W_Q, W_K, W_V, W_O: adapter, full or frozen"),
        new FamilyOption("mlp", "frozen", "the MLP matrices: adapter, full or frozen"));
  }

  private static TextCsv data(RunSpec r) {
    return TextCsv.read(Path.of(r.dataset()), FamilyRuns.intOption(r, "max-len"), true, null);
  }

  private static TextClassifier.Spec spec(RunSpec r, TextCsv d) {
    return new TextClassifier.Spec(FamilyRuns.intOption(r, "max-len"), FamilyRuns.intOption(r, "width"),
        FamilyRuns.intOption(r, "heads"), FamilyRuns.intOption(r, "layers"), FamilyRuns.intOption(r, "mlp-hidden"),
        d.classes().size(), r.seed(), FamilyRuns.init(r), FamilyRuns.adapter(r),
        FamilyRuns.targets(r));
  }

  @Override
  public void check(RunSpec r) {
    TextCsv d = data(r);
    spec(r, d);
    TextTrainer.split(d.size(), r.splitSeed());
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    TextCsv d = data(r);
    TextClassifier m = new TextClassifier(spec(r, d));
    TextTrainer.Config tc = new TextTrainer.Config(r.epochs(), r.batch(), r.lr(), r.wd(), r.splitSeed());
    TextTrainer.Report rep = TextTrainer.train(m, d, tc, progress);
    int[][] parts = TextTrainer.split(d.size(), r.splitSeed());
    new TextModel(m, d.classes(), r.dataset(), r.splitSeed(), true).save(artifact,
        TextTrainer.record(r.dataset(), parts[0].length, tc, rep), DType.FLOAT32, null);
    int[] test = parts[2];
    FamilyRuns.checkReload(rep.testAccuracy(), TextTrainer.accuracy(TextModel.load(artifact).model(), d, test),
        artifact);
    int[][] tokens = new int[test.length][];
    int[] labels = new int[test.length];
    for (int i = 0; i < test.length; i++) {
      tokens[i] = d.tokens().get(test[i]);
      labels[i] = d.labels()[test[i]];
    }
    double loss = FamilyRuns.meanNll(m.probabilities(tokens), labels, null);
    Double removed = FamilyRuns.withoutScaffold(r, m.params(), m::refresh, () -> TextTrainer.accuracy(m, d, test));
    long trainable = Params.count(m.params());
    return new RunResult(r.id(), r, rep.testAccuracy(), loss, rep.validationAccuracy(), rep.bestEpoch(), trainable,
        FamilyRuns.modelValues(trainable, rep.trainableFraction()), FamilyRuns.floats(rep.betas()), rep.seconds(),
        null, removed);
  }

  @Override
  public boolean owns(Artifact a) {
    return a.hasModel() && a.getModel().getFamily().equals(TextModel.FAMILY);
  }

  @Override
  public Object load(ArtifactFile file, String where) {
    return TextModel.load(file, where);
  }
}
