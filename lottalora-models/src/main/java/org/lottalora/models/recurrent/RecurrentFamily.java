package org.lottalora.models.recurrent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.models.FamilyRuns;

/**
 * The recurrent cells as {@link Family}s ({@link RecurrentNetwork}, {@link RecurrentTrainer}): {@link Cfc} (closed-form
 * continuous-time) and {@link Lstm}, each with its input and recurrent matrices adapted over the frozen scaffold, on
 * an image dataset read row by row or a sequence CSV, scored by test accuracy at the best validation epoch.
 */
public abstract sealed class RecurrentFamily implements Family permits RecurrentFamily.Cfc, RecurrentFamily.Lstm {
  private static final Map<String, SequenceData> DATA = new ConcurrentHashMap<>();
  private final String cell;

  private RecurrentFamily(String cell) {
    this.cell = cell;
  }

  /** The CfC cell. */
  public static final class Cfc extends RecurrentFamily {
    /** The registry's instance. */
    public Cfc() {
      super("cfc");
    }
  }

  /** The LSTM cell. */
  public static final class Lstm extends RecurrentFamily {
    /** The registry's instance. */
    public Lstm() {
      super("lstm");
    }
  }

  @Override
  public String id() {
    return cell;
  }

  @Override
  public String description() {
    return cell.equals("cfc") ? "closed-form continuous-time RNN (CfC) on sequences or image rows"
        : "LSTM on sequences or image rows";
  }

  @Override
  public List<FamilyOption> options() {
    List<FamilyOption> o = new ArrayList<>(List.of(new FamilyOption("dataset", "digits", "an image dataset read row "
        + "by row (digits, fashion-mnist, mnist) or a sequence CSV"),
        new FamilyOption("split-seed", "0", "seed of the split"),
        new FamilyOption("max-train", "0", "at most this many training sequences (0: all)"),
        new FamilyOption("epochs", "10", "epochs"), new FamilyOption("batch", "64", "sequences per step"),
        new FamilyOption("lr", "0.01", "Adam learning rate"), new FamilyOption("wd", "1e-4", "decoupled weight decay"),
        new FamilyOption("hidden", "32", "state size")));
    if (cell.equals("cfc")) {
      o.add(new FamilyOption("units", "32", "CfC backbone width"));
    }
    return o;
  }

  private static SequenceData data(RunSpec r) {
    return DATA.computeIfAbsent(r.dataset() + "|" + r.splitSeed() + "|" + r.maxTrain(),
        k -> SequenceData.load(r.dataset(), r.splitSeed(), r.maxTrain(), false, true, null));
  }

  private RecurrentNetwork.Spec spec(RunSpec r, SequenceData d) {
    return new RecurrentNetwork.Spec(cell, d.train().features(), FamilyRuns.intOption(r, "hidden"),
        cell.equals("cfc") ? FamilyRuns.intOption(r, "units") : FamilyRuns.intOption(r, "hidden"),
        Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes())), r.seed(),
        FamilyRuns.init(r), FamilyRuns.adapter(r), r.full());
  }

  @Override
  public void check(RunSpec r) {
    new RecurrentNetwork(spec(r, data(r)), Map.of());
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    SequenceData d = data(r);
    RecurrentNetwork.Spec s = spec(r, d);
    RecurrentNetwork net = new RecurrentNetwork(s, Map.of());
    RecurrentTrainer.Config tc = new RecurrentTrainer.Config(r.epochs(), r.batch(), r.lr(), r.wd(), false,
        r.splitSeed());
    RecurrentTrainer.Report rep = RecurrentTrainer.train(net, d.train(), d.validation(), d.test(), tc, progress);
    new RecurrentModel(net, d.text(), r.splitSeed(), r.maxTrain(), false, d.train().steps(), d.mean(), d.std())
        .save(artifact, RecurrentTrainer.record(d.text(), d.train().size(), r.splitSeed(), tc, rep), null);
    RecurrentModel.checkReload(artifact, rep.test(), d.test());
    Double removed = null;
    if (!r.full()) {
      removed = RecurrentTrainer.evaluate(new RecurrentNetwork(s, FamilyRuns.withoutScaffold(net.trained())),
          d.test()).accuracy();
    }
    return new RunResult(r.id(), r, rep.test().accuracy(), rep.test().loss(), rep.validation().accuracy(),
        rep.bestEpoch(), net.trainableValues(), net.modelValues(), rep.betas(), rep.seconds(), null, removed);
  }

  @Override
  public boolean owns(Artifact a) {
    return RecurrentModel.isRecurrent(a) && a.getModel().getFamily().equals(cell);
  }

  @Override
  public Object load(ArtifactFile file, String where) {
    return RecurrentModel.load(file, where);
  }
}
