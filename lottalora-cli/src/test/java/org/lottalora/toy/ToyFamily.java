package org.lottalora.toy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.Softmax;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.EngineArtifacts;
import org.lottalora.models.FamilyArtifact;
import org.lottalora.models.FamilyRuns;
import org.lottalora.models.sweep.RunTask;

/**
 * A family added the way a user would add one: this package and one line in
 * {@code META-INF/services/org.lottalora.core.family.Family}, nothing else in the toolkit. Softmax regression
 * through one adapted random layer ({@code logits = (x W'^T + b) / temperature}, {@code W' = beta W_seed + s B A}),
 * trained with Adam in mini-batches, the best validation epoch kept; its artifact is written and read by
 * {@link FamilyArtifact} with its one own setting, {@code temperature}.
 */
public class ToyFamily implements Family {
  @Override
  public String id() {
    return "toy";
  }

  @Override
  public String description() {
    return "toy: softmax regression through one adapted random layer";
  }

  @Override
  public List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", "digits", "image dataset"),
        new FamilyOption("split-seed", "0", "split seed"), new FamilyOption("max-train", "0", "rows (0: all)"),
        new FamilyOption("epochs", "3", "epochs"), new FamilyOption("batch", "32", "rows per step"),
        new FamilyOption("lr", "1e-2", "Adam rate"), new FamilyOption("temperature", "1", "logits divided by it"));
  }

  /** The toy model: its one layer, the temperature, the input normalisation, and the trained arrays. */
  public record ToyModel(AdaptedDense layer, List<Param> params, float temperature, Backbone backbone) {
    /** Class probabilities of normalised rows. */
    public float[][] probabilities(float[][] x) {
      float[][] z = layer.forward(x);
      for (int i = 0; i < z.length; i++) {
        for (int k = 0; k < z[i].length; k++) {
          z[i][k] /= temperature;
        }
        z[i] = Softmax.of(z[i]);
      }
      return z;
    }

    /** Accuracy on a normalised dataset. */
    public double accuracy(Dataset d) {
      float[][] p = probabilities(rows(d));
      int right = 0;
      for (int i = 0; i < p.length; i++) {
        right += argMax(p[i]) == d.labels()[i] ? 1 : 0;
      }
      return right / (double) p.length;
    }
  }

  static List<TensorSpec> tensors(int in, int classes, InitSpec init) {
    return AdaptedDense.tensors("toy.0", in, classes, init);
  }

  static ToyModel build(int in, int classes, long seed, InitSpec init, AdapterConfig ac, boolean full, float t,
      Backbone bb) {
    Backbone b = bb != null ? bb : Backbone.regenerate(seed, tensors(in, classes, init));
    List<Param> params = new ArrayList<>();
    AdaptedDense layer = new AdaptedDense("toy.0", in, classes, b, ac, full, params);
    layer.refresh(); // the merged weight the first forward reads
    return new ToyModel(layer, params, t, b);
  }

  @Override
  public void check(RunSpec r) {
    DataSplits d = RunTask.data(r);
    FamilyRuns.adapter(r);
    if (!(FamilyRuns.doubleOption(r, "temperature") > 0)) {
      throw new IllegalArgumentException("--temperature must be > 0, got " + r.option("temperature"));
    }
    d.train();
  }

  @Override
  public RunResult run(RunSpec r, Path artifact, Progress progress) {
    check(r);
    DataSplits d = RunTask.data(r).normalized();
    int in = d.train().cols();
    int classes = RunTask.classes(d);
    float t = (float) FamilyRuns.doubleOption(r, "temperature");
    AdapterConfig ac = FamilyRuns.adapter(r);
    ToyModel m = build(in, classes, r.seed(), FamilyRuns.init(r), ac, r.full(), t, null);
    long t0 = System.nanoTime();
    float[][] x = rows(d.train());
    int step = 0;
    double bestVal = -1;
    int bestEpoch = 0;
    Map<String, float[]> best = Params.copy(m.params());
    for (int epoch = 1; epoch <= r.epochs(); epoch++) {
      int[] order = Dataset.permutation(x.length, r.seed(), "toy.epoch." + epoch);
      for (int s = 0; s < order.length; s += r.batch()) {
        int n = Math.min(r.batch(), order.length - s);
        float[][] xb = new float[n][];
        for (int i = 0; i < n; i++) {
          xb[i] = x[order[s + i]];
        }
        float[][] p = m.probabilities(xb);
        float[][] dz = new float[n][];
        for (int i = 0; i < n; i++) {
          dz[i] = p[i].clone();
          dz[i][d.train().labels()[order[s + i]]] -= 1f;
          for (int k = 0; k < classes; k++) {
            dz[i][k] /= n * t;
          }
        }
        for (Param q : m.params()) {
          Arrays.fill(q.g, 0f);
        }
        m.layer().accumulate(dz, xb);
        m.layer().finish();
        Adam.step(m.params(), r.lr(), r.wd(), ++step);
        m.layer().refresh();
      }
      double val = m.accuracy(d.validation());
      if (val > bestVal) {
        bestVal = val;
        bestEpoch = epoch;
        best = Params.copy(m.params());
      }
      progress.work("toy epochs", epoch, r.epochs(), t0);
    }
    Params.restore(m.params(), best, "this toy model");
    m.layer().refresh();
    double acc = m.accuracy(d.test());
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, String> settings = new LinkedHashMap<>(r.options());
    settings.put("dataset", r.dataset()); // what evaluate() scores the artifact on
    settings.put("split-seed", Long.toString(r.splitSeed()));
    settings.put("max-train", Integer.toString(r.maxTrain()));
    Map<String, float[]> values = Params.copy(m.params());
    FamilyArtifact.write(artifact, new FamilyArtifact.Header(id(), settings, in, classes, r.full(), r.seed(),
        FamilyRuns.init(r), ac), m.backbone(), values,
        name -> EngineArtifacts.shapeFromBackbone(m.backbone(), name, values.get(name).length),
        org.lottalora.core.train.TrainingRecord.ofRun(r, d.train().rows(), org.lottalora.core.train.TrainingRecord.Outcome
            .of(acc, bestVal, bestEpoch, seconds), Params.betas(m.params())),
        (long) in * classes + classes, DType.FLOAT32, null);
    ToyModel back = (ToyModel) load(org.lottalora.format.ArtifactCodec.open(artifact), artifact.toString());
    FamilyRuns.checkReload(acc, back.accuracy(d.test()), artifact);
    Double removed = FamilyRuns.withoutScaffold(r, m.params(), m.layer()::refresh, () -> m.accuracy(d.test()));
    float[][] p = m.probabilities(rows(d.test()));
    return new RunResult(r.id(), r, acc, FamilyRuns.meanNll(p, d.test().labels(), null), bestVal, bestEpoch,
        Params.count(m.params()), (long) in * classes + classes, FamilyRuns.floats(Params.betas(m.params())), seconds,
        null, removed);
  }

  @Override
  public java.util.Optional<Map<String, Double>> evaluate(ArtifactFile f, String where) {
    FamilyArtifact.Header h = FamilyArtifact.header(f, where, id());
    RunSpec data = new RunSpec(h.settings().get("dataset"), Long.parseLong(h.settings().get("split-seed")),
        Integer.parseInt(h.settings().get("max-train")), id(), new int[0], h.full(), 1, 1, false, h.seed(), "normal",
        1, 1, 1e-3, 0, "fixed");
    Dataset test = RunTask.data(data).normalized().test();
    ToyModel m = (ToyModel) load(f, where);
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("test_accuracy", m.accuracy(test));
    out.put("test_loss", FamilyRuns.meanNll(m.probabilities(rows(test)), test.labels(), null));
    return java.util.Optional.of(out);
  }

  @Override
  public boolean owns(Artifact a) {
    return FamilyArtifact.holds(a, id());
  }

  @Override
  public Object load(ArtifactFile f, String where) {
    FamilyArtifact.Header h = FamilyArtifact.header(f, where, id());
    Backbone bb = FamilyArtifact.backbone(f, h, tensors(h.inputDim(), h.classes(), h.init()), where);
    ToyModel m = build(h.inputDim(), h.classes(), h.seed(), h.init(), h.adapter(), h.full(),
        Float.parseFloat(h.settings().get("temperature")), bb);
    Params.restore(m.params(), FamilyArtifact.trained(f, Params.copy(m.params()), where, "this toy model"),
        "this toy model");
    m.layer().refresh();
    return m;
  }

  static float[][] rows(Dataset d) {
    float[][] x = new float[d.rows()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = Arrays.copyOfRange(d.features(), i * d.cols(), (i + 1) * d.cols());
    }
    return x;
  }

  static int argMax(float[] v) {
    int b = 0;
    for (int k = 1; k < v.length; k++) {
      b = v[k] > v[b] ? k : b;
    }
    return b;
  }
}
