package org.lottalora.models.transformer;

import java.nio.file.Path;
import java.util.List;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
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
import org.lottalora.models.sweep.RunTask;

/**
 * The ViT as a {@link Family}: patches of an image dataset through a Transformer encoder whose attention and MLP
 * matrices carry adapters over the frozen scaffold ({@link Vit}, {@link VitTrainer}), scored by test accuracy at
 * the best validation epoch.
 */
public final class VitFamily implements Family {
  @Override
  public String id() {
    return "vit";
  }

  @Override
  public String description() {
    return "Vision Transformer on an image dataset (patches, CLS token, attention + MLP adapted)";
  }

  @Override
  public List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", "digits", "image dataset: digits, fashion-mnist, mnist"),
        new FamilyOption("split-seed", "0", "seed of the split and batch order"),
        new FamilyOption("max-train", "0", "at most this many training images (0: all)"),
        new FamilyOption("epochs", "5", "epochs"), new FamilyOption("batch", "64", "images per step"),
        new FamilyOption("lr", "3e-3", "peak Adam rate, cosine decay"),
        new FamilyOption("wd", "1e-4", "decoupled weight decay"),
        new FamilyOption("patch", "0", "patch side dividing the image side (0: a quarter of it)"),
        new FamilyOption("width", "64", "model width"), new FamilyOption("heads", "4", "attention heads"),
        new FamilyOption("layers", "4", "blocks"), new FamilyOption("mlp-hidden", "128", "MLP width"),
        new FamilyOption("attention", "adapter", "W_Q, W_K, W_V, W_O: adapter, full or frozen"),
        new FamilyOption("mlp", "adapter", "the MLP matrices: adapter, full or frozen"));
  }

  @Override
  public void check(RunSpec r) {
    DataSplits d = RunTask.data(r);
    spec(r, d.train());
  }

  private static Vit.Spec spec(RunSpec r, Dataset train) {
    int side = (int) Math.round(Math.sqrt(train.cols()));
    if (side * side != train.cols()) {
      throw new IllegalArgumentException(r.dataset() + " has " + train.cols() + " features, not a square image");
    }
    int patch = FamilyRuns.intOption(r, "patch");
    int p = patch > 0 ? patch : Math.max(1, side / 4);
    DataSplits d = RunTask.data(r);
    return new Vit.Spec(side, p, FamilyRuns.intOption(r, "width"), FamilyRuns.intOption(r, "heads"),
        FamilyRuns.intOption(r, "layers"), FamilyRuns.intOption(r, "mlp-hidden"), RunTask.classes(d), r.seed(),
        FamilyRuns.init(r), FamilyRuns.adapter(r), FamilyRuns.targets(r));
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    DataSplits raw = RunTask.data(r);
    DataSplits d = raw.normalized();
    Vit vit = new Vit(spec(r, d.train()));
    VitTrainer.Config tc = new VitTrainer.Config(r.epochs(), r.batch(), r.lr(), r.wd(), r.splitSeed());
    VitTrainer.Report rep = VitTrainer.train(vit, d, tc, progress);
    new VitModel(vit, r.dataset(), r.splitSeed(), r.maxTrain(), d.normalization()).save(artifact,
        VitTrainer.record(r.dataset(), d.train().rows(), r.splitSeed(), tc, rep),
        DType.FLOAT32, null);
    FamilyRuns.checkReload(rep.testAccuracy(), VitTrainer.accuracy(VitModel.load(artifact).vit(), d.test()),
        artifact);
    Dataset test = d.test();
    int[] all = java.util.stream.IntStream.range(0, test.rows()).toArray();
    double loss = FamilyRuns.meanNll(vit.probabilities(VitTrainer.rows(test, all)), test.labels(), null);
    Double removed = FamilyRuns.withoutScaffold(r, vit.params(), vit::refresh, () -> VitTrainer.accuracy(vit, test));
    long trainable = Params.count(vit.params());
    return new RunResult(r.id(), r, rep.testAccuracy(), loss, rep.validationAccuracy(), rep.bestEpoch(), trainable,
        FamilyRuns.modelValues(trainable, rep.trainableFraction()), FamilyRuns.floats(vit.betas()), rep.seconds(),
        null, removed);
  }

  @Override
  public boolean owns(Artifact a) {
    return a.hasModel() && a.getModel().getFamily().equals(VitModel.FAMILY);
  }

  @Override
  public Object load(ArtifactFile file, String where) {
    return VitModel.load(file, where);
  }
}
