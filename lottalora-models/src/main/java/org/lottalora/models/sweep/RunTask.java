package org.lottalora.models.sweep;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.family.FamilyRegistry;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.models.LottaModel;
import org.lottalora.models.MergedModel;

/**
 * One sweep run as a self-contained task: its {@link RunSpec} in, its artifact and {@link RunResult} out, no
 * state shared with other runs except a read-only cache of loaded datasets. The same seed drives the backbone,
 * the adapter init and the batch order, so a run is reproducible from its spec alone (and could be shipped to
 * another machine unchanged).
 */
public final class RunTask {
  private static final Map<String, DataSplits> DATA = new ConcurrentHashMap<>();

  private RunTask() {}

  /** The model spec of a run on data with these sizes. */
  public static ModelSpec modelSpec(RunSpec r, int inputDim, int classes) {
    AdapterConfig ac = r.full() ? new AdapterConfig(1, 1.0, false, true, 0, false, r.seed())
        : new AdapterConfig(r.rank(), r.alpha(), r.rsLora(), true, 0, false, r.seed());
    return new ModelSpec(r.family(), inputDim, classes, r.widths(), 0.0, r.seed(), InitSpec.parse(r.init()), ac,
        r.full());
  }

  /** The run's data (loaded once per dataset, split seed and size; shared read-only). */
  public static DataSplits data(RunSpec r) {
    return DATA.computeIfAbsent(r.dataset() + "|" + r.splitSeed() + "|" + r.maxTrain(), k -> {
      DataSplits d = Datasets.load(r.dataset(), new Datasets.Options(null, true, r.splitSeed()));
      return r.maxTrain() > 0 ? d.limit(r.maxTrain()) : d;
    });
  }

  /** Classes of a split set. */
  public static int classes(DataSplits d) {
    return Math.max(d.train().classes(), Math.max(d.validation().classes(), d.test().classes()));
  }

  /** Trains the run with its family ({@link FamilyRegistry}), saves its artifact, and returns its result. */
  public static RunResult run(RunSpec r, Path artifact) {
    org.lottalora.core.family.Family f = FamilyRegistry.get(r.family());
    if (f instanceof org.lottalora.models.ModelFamily) { // the dense trainer runs its schedules itself
      return f.run(r, artifact, Progress.silent());
    }
    // a family on the one loop resamples through it: the scope tells the loop the run's schedule
    try (org.lottalora.core.train.Resampling s = org.lottalora.core.train.Resampling.open(
        org.lottalora.core.train.ScaffoldSchedule.parse(r.schedule()))) {
      return f.run(r, artifact, Progress.silent());
    }
  }

  /**
   * A dense (SameDiff) family's run: trains, saves its artifact to {@code artifact}, and returns its result with
   * the test accuracy of the same model with W_seed set to 0.
   */
  public static RunResult runDense(RunSpec r, Path artifact, Progress progress) {
    DataSplits d = data(r);
    ModelSpec spec = modelSpec(r, d.train().cols(), classes(d));
    LottaModel m = LottaModel.create(spec);
    TrainConfig tc = new TrainConfig(r.epochs(), r.batch(), r.lr(), r.wd(), 0, true, 0, r.seed());
    TrainReport rep = m.train(d, tc, org.lottalora.core.train.ScaffoldSchedule.parse(r.schedule()), progress);
    double loss = testLoss(m, d.test());
    m.saveAndCheck(artifact, m.provenance(r.dataset(), tc, r.splitSeed(), rep, 1), LottaModel.SaveOptions.defaults(),
        d.test());
    Double removed = r.full() ? null : MergedModel.withoutScaffold(m).accuracy(d.test());
    return new RunResult(r.id(), r, rep.testAccuracy(), loss, rep.bestValAccuracy(), rep.bestEpoch(),
        rep.trainableParams(), rep.modelParams(), rep.betas(), rep.wallSeconds(), rep.failure(), removed);
  }

  /** Mean cross-entropy (nats) of the model on a raw dataset. */
  static double testLoss(LottaModel m, Dataset raw) {
    Dataset d = raw.normalized(m.normalization());
    float[] p = m.graph().probabilities(d.features(), d.rows()); // no per-row copies: the batch as it is
    int classes = m.spec().classes();
    double sum = 0;
    for (int i = 0; i < d.rows(); i++) {
      sum -= Math.log(Math.max(p[i * classes + d.labels()[i]], 1e-12f));
    }
    return d.rows() == 0 ? 0 : sum / d.rows();
  }

}
