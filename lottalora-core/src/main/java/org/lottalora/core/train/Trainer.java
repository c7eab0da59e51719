package org.lottalora.core.train;

import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.SoftmaxCrossEntropy;
import org.lottalora.core.graph.PlanEngine;
import org.lottalora.core.util.NdArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerVariables;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Trains the trainable tensors of a {@link ModelGraph}: AdamW under a {@link CosineSchedule} over a seeded
 * batch order, validation after every epoch, the best-validation weights kept and restored at the end. A
 * non-finite loss stops the run at once; the best weights so far are kept and the report names the failure.
 *
 * <p>Graphs with a plan (MLP, linear, Plain-N CNN and their variants) train on the compute engine
 * ({@link PlanEngine}) with the engine's {@link Adam} on the one training loop every family shares
 * ({@link EpochLoop}: this trainer supplies a batch's step under the scaffold schedule and a validation, and so gets
 * the loop's checkpoint and resume inside a {@link Checkpointing} scope); any other graph trains through SameDiff's
 * own {@code fit} (Adam with decoupled weight decay), much slower in M2.1 but general.
 */
public final class Trainer {
  private final TrainConfig config;
  private final Progress progress;
  private float[] batchBuffer; // every batch's features, read into one array (NdArrays.readInto)
  private volatile boolean stopRequested;
  private ScaffoldSchedule scaffoldSchedule = ScaffoldSchedule.FIXED;
  private Scaffolds scaffolds;
  private List<int[]> gating;

  /** A trainer printing progress to {@code progress}. */
  public Trainer(TrainConfig config, Progress progress) {
    this.config = config;
    this.progress = progress;
  }

  /**
   * Trains under a scaffold resampling schedule (dense models only), switching scaffolds through
   * {@code scaffolds}; returns this trainer.
   */
  public Trainer withScaffolds(ScaffoldSchedule schedule, Scaffolds scaffolds) {
    this.scaffoldSchedule = java.util.Objects.requireNonNull(schedule);
    this.scaffolds = scaffolds;
    return this;
  }

  /**
   * Seed gating: one shared set of adapters trained through scaffold j with labels mapped by {@code maps.get(j)}
   * (e.g. a class subset's labels kept and every other class sent to one out-of-class label); every step runs
   * the batch through all scaffolds and applies the mean gradient. Validation and the reported test accuracy
   * are the mean over scaffolds of the mapped accuracy. Returns this trainer.
   */
  public Trainer withGating(Scaffolds scaffolds, List<int[]> maps) {
    if (maps.size() < 2) {
      throw new IllegalArgumentException("seed gating needs at least 2 scaffolds, got " + maps.size());
    }
    this.gating = List.copyOf(maps);
    return withScaffolds(new ScaffoldSchedule(ScaffoldSchedule.Kind.CYCLE, maps.size()), scaffolds);
  }

  /** The mean over gated scaffolds of the accuracy against mapped labels, or plain accuracy without gating. */
  private double accuracy(ModelGraph graph, Dataset d) {
    if (gating == null) {
      return graph.accuracy(d);
    }
    double sum = 0;
    for (int j = 0; j < gating.size(); j++) {
      scaffolds.use(j);
      sum += ModelGraph.accuracy(graph.predict(d), mapped(d.labels(), gating.get(j)));
    }
    scaffolds.use(0);
    return sum / gating.size();
  }

  /**
   * Asks a running {@link #fit} to stop after the current step (from another thread, e.g. a Ctrl-C hook):
   * it returns a report whose failure says so, with the best weights so far restored.
   */
  public void requestStop() {
    stopRequested = true;
  }

  /** Trains {@code graph} on {@code data.train()}, selects on validation, reports test accuracy. */
  public TrainReport fit(ModelGraph graph, DataSplits data) {
    long t0 = System.nanoTime();
    Dataset train = data.train();
    SameDiff sd = graph.sameDiff();
    int stepsPerEpoch = (train.rows() + config.batchSize() - 1) / config.batchSize();
    long total = (long) stepsPerEpoch * config.epochs();
    CosineSchedule schedule = new CosineSchedule(config.learningRate(),
        (long) stepsPerEpoch * config.warmupEpochs(), total, config.cosine());
    List<String> featureNames = new ArrayList<>();
    featureNames.add(GraphBuilder.INPUT);
    graph.dropouts().forEach(d -> featureNames.add(d.placeholder()));
    TrainingConfig.Builder tc = new TrainingConfig.Builder()
        .updater(new org.nd4j.linalg.learning.config.Adam(schedule))
        .dataSetFeatureMapping(featureNames)
        .dataSetLabelMapping(GraphBuilder.LABELS)
        .minimize(GraphBuilder.LOSS);
    // no tc.weightDecay: M2.1 would decay every variable; DecayListener decays what WeightDecay names
    DecayListener decay = config.weightDecay() > 0 ? new DecayListener(schedule, config.weightDecay()) : null;
    PlanEngine engine = graph.plan() != null ? graph.engine() : null;
    if (scaffoldSchedule.kind() != ScaffoldSchedule.Kind.FIXED && (graph.densePlan() == null || scaffolds == null)) {
      throw new IllegalArgumentException("scaffold schedule " + scaffoldSchedule.text() + " needs a dense model and its "
          + "scaffolds; this graph " + (graph.densePlan() == null ? "is not dense" : "has no scaffold source"));
    }
    if (engine != null) {
      return fitOnLoop(graph, data, engine, schedule, t0);
    }
    // a graph without an engine plan (none of the built-in families; a test builds one) trains with SameDiff's fit
    sd.setTrainingConfig(tc.build());
    // M2.1 prints one "Added differentiated op" line per op to System.out while it builds the gradient
    // graph, which would corrupt --json output; build it here with those lines dropped.
    QuietStdout.run(sd::createGradFunction, "Added differentiated op");
    List<EpochStats> history = new ArrayList<>();
    Map<String, float[]> best = null;
    Map<String, float[]> initial = graph.trainedValues(); // the last good arrays of a run that fails in epoch 1
    double bestVal = -1;
    int bestEpoch = 0;
    int sinceBest = 0;
    String failure = null;
    boolean stoppedEarly = false;
    long trainNanos = 0;
    long samples = 0;
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      int[] order = Dataset.permutation(train.rows(), config.shuffleSeed(), "shuffle/epoch/" + epoch);
      BatchIterator it = new BatchIterator(train, order, config.batchSize(), graph.dropouts(),
          config.shuffleSeed(), epoch);
      EpochListener listener = new EpochListener(epoch, it.batches(), config.batchSize(), train.rows());
      long e0 = System.nanoTime();
      if (scaffoldSchedule.kind() == ScaffoldSchedule.Kind.EPOCH) {
        use(graph, epoch - 1);
      }
      try {
        if (decay != null) {
          sd.fit(it, 1, listener, decay);
        } else {
          sd.fit(it, 1, listener);
        }
      } catch (DivergedException ex) {
        failure = ex.getMessage();
      }
      if (scaffoldSchedule.kind() != ScaffoldSchedule.Kind.FIXED) {
        use(graph, 0); // validate, test and save on the model's own scaffold
      }
      long e1 = System.nanoTime();
      trainNanos += e1 - e0;
      samples += listener.samples;
      if (failure != null) {
        progress.message(failure);
        break;
      }
      graph.calibrate(train.features(), train.rows()); // BatchNorm statistics of this epoch's weights
      double val = accuracy(graph, data.validation());
      double secs = (e1 - e0) / 1e9;
      boolean improved = val > bestVal;
      EpochStats stats = new EpochStats(epoch, listener.meanLoss(), listener.accuracy(), val, secs,
          listener.samples / secs);
      history.add(stats);
      progress.epochDone(stats, config.epochs(), improved);
      if (improved) {
        bestVal = val;
        bestEpoch = epoch;
        best = graph.trainedValues();
        sinceBest = 0;
      } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
        stoppedEarly = true;
        progress.message("early stop: no better validation accuracy for " + config.patience() + " epochs");
        break;
      }
    }
    if (best != null) {
      graph.setTrainedValues(best);
    } else if (failure != null) {
      graph.setTrainedValues(initial); // never leave NaN arrays in a model a caller may save
    }
    double test = best != null ? accuracy(graph, data.test()) : Double.NaN;
    double wall = (System.nanoTime() - t0) / 1e9;
    return new TrainReport(test, bestVal, bestEpoch, List.copyOf(history), graph.counts().trainable(),
        graph.counts().model(), graph.betas(), wall, samples / Math.max(1e-9, trainNanos / 1e9),
        stoppedEarly, failure);
  }

  /** Switches to scaffold j; the engine re-reads the frozen arrays the switch overwrote. */
  private void use(ModelGraph graph, int j) {
    scaffolds.use(j);
    if (graph.plan() != null) {
      graph.engine();
    }
  }

  /**
   * Trains a graph with an engine plan on the one training loop ({@link EpochLoop}): this trainer supplies one
   * batch's step (with the scaffold schedule and seed gating), the validation (BatchNorm calibrated, on scaffold 0)
   * and its own progress lines; the loop supplies the seeded batch order, the schedule's rate, keep-best, patience,
   * the NaN stop and the stop request. Same batches, same arithmetic, same bits as the trainer's former loop.
   */
  private TrainReport fitOnLoop(ModelGraph graph, DataSplits data, PlanEngine engine, CosineSchedule schedule,
      long t0) {
    Dataset train = data.train();
    int batches = (train.rows() + config.batchSize() - 1) / config.batchSize();
    List<EpochStats> history = new ArrayList<>();
    double[] bestSeen = {Double.NEGATIVE_INFINITY};
    long[] totals = new long[2]; // training nanoseconds, samples
    int[] at = new int[2]; // epoch, batch within it
    EpochLoop.Task task = new EpochLoop.Task() {
      private BatchIterator it;
      private final Map<String, float[]> masks = new java.util.HashMap<>();
      private long e0;
      private long samples;
      private double lossSum;
      private long correct;

      @Override
      public int examples() {
        return train.rows();
      }

      @Override
      public void startEpoch(int epoch) {
        at[0] = epoch;
        at[1] = 0;
        samples = 0;
        lossSum = 0;
        correct = 0;
        e0 = System.nanoTime();
        // the loop draws the same order ("shuffle/epoch/" + epoch); the iterator gives its batches' rows and masks
        int[] order = Dataset.permutation(train.rows(), config.shuffleSeed(), "shuffle/epoch/" + epoch);
        it = new BatchIterator(train, order, config.batchSize(), graph.dropouts(), config.shuffleSeed(), epoch);
        if (scaffoldSchedule.kind() == ScaffoldSchedule.Kind.EPOCH) {
          use(graph, epoch - 1);
        }
      }

      @Override
      public double backward(int[] rows) {
        MultiDataSet batch = it.next();
        double[] lc = engineStep(engine, batch, it.lastLabels(), graph, masks);
        int n = rows.length;
        at[1]++;
        samples += n;
        correct += (long) lc[1];
        double secs = (System.nanoTime() - e0) / 1e9;
        double rate = samples / Math.max(1e-9, secs);
        if (Double.isFinite(lc[0])) {
          lossSum += lc[0] * n;
          progress.step(at[0], config.epochs(), at[1], batches, lossSum / samples, correct / (double) samples, rate,
              (train.rows() - samples) / rate + (config.epochs() - at[0]) * train.rows() / rate);
        }
        return lc[0];
      }

      @Override
      public void update(double lr, int step) {
        Adam.step(engine.params(), lr, config.weightDecay(), step);
        engine.refreshAfterStep();
      }

      @Override
      public double validate() {
        if (scaffoldSchedule.kind() != ScaffoldSchedule.Kind.FIXED) {
          use(graph, 0); // validate, test and save on the model's own scaffold
        }
        graph.syncFromEngine(); // the graph's arrays are what validation snapshots and a saved model hold
        long e1 = System.nanoTime();
        totals[0] += e1 - e0;
        totals[1] += samples;
        graph.calibrate(train.features(), train.rows()); // BatchNorm statistics of this epoch's weights
        double val = accuracy(graph, data.validation());
        double secs = (e1 - e0) / 1e9;
        EpochStats stats = new EpochStats(at[0], samples == 0 ? Double.NaN : lossSum / samples,
            samples == 0 ? 0 : correct / (double) samples, val, secs, samples / secs);
        history.add(stats);
        boolean improved = val > bestSeen[0];
        bestSeen[0] = Math.max(bestSeen[0], val);
        progress.epochDone(stats, config.epochs(), improved);
        return val;
      }

      @Override
      public Map<String, float[]> snapshot() {
        return graph.trainedValues();
      }

      @Override
      public void restore(Map<String, float[]> arrays) {
        graph.setTrainedValues(arrays);
      }

      @Override
      public List<org.lottalora.core.engine.Param> params() {
        return engine.params();
      }

      @Override
      public void paramsRestored() { // a checkpoint wrote the engine's own arrays: the graph follows them
        engine.refreshAfterStep();
        graph.syncFromEngine();
      }

      @Override
      public boolean stopRequested() {
        return stopRequested;
      }

      @Override
      public boolean ownsProgress() {
        return true;
      }
    };
    String failure = null;
    EpochLoop.Outcome o = null;
    try {
      o = EpochLoop.run(task, new EpochLoop.Settings("train", config.epochs(), config.batchSize(),
          e -> "shuffle/epoch/" + e, config.shuffleSeed(), schedule::at, false, config.patience()), progress);
    } catch (LossGuard.Diverged d) { // the loop put the best epoch's arrays (or the initial ones) back
      failure = d.getMessage();
      progress.message(failure);
    }
    if (scaffoldSchedule.kind() != ScaffoldSchedule.Kind.FIXED) {
      use(graph, 0);
    }
    boolean stoppedEarly = false;
    if (o != null && o.interrupted()) {
      failure = "interrupted at epoch " + at[0] + " step " + at[1];
    } else if (o != null && config.patience() > 0 && o.history().size() < config.epochs()) {
      stoppedEarly = true;
      progress.message("early stop: no better validation accuracy for " + config.patience() + " epochs");
    }
    int bestEpoch = o != null ? o.bestEpoch() : bestOf(history);
    double bestVal = o != null ? (bestEpoch > 0 ? o.bestValidation() : -1) : bestEpoch > 0
        ? history.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow().valAccuracy() : -1;
    double test = bestEpoch > 0 ? accuracy(graph, data.test()) : Double.NaN;
    double wall = (System.nanoTime() - t0) / 1e9;
    return new TrainReport(test, bestVal, bestEpoch, List.copyOf(history), graph.counts().trainable(),
        graph.counts().model(), graph.betas(), wall, totals[1] / Math.max(1e-9, totals[0] / 1e9), stoppedEarly,
        failure);
  }

  /** The first epoch (from 1) with the highest validation accuracy, 0 when none ran: the loop's keep-best rule. */
  private static int bestOf(List<EpochStats> history) {
    int best = 0;
    double val = Double.NEGATIVE_INFINITY;
    for (EpochStats e : history) {
      if (e.valAccuracy() > val) {
        val = e.valAccuracy();
        best = e.epoch();
      }
    }
    return best;
  }

  /**
   * One batch's forward and backward on the engine under the scaffold schedule; returns {mean loss, correct}. The
   * optimizer step is the loop's.
   */
  private double[] engineStep(PlanEngine engine, MultiDataSet batch, int[] labels, ModelGraph graph,
      Map<String, float[]> masks) {
    for (int d = 0; d < graph.dropouts().size(); d++) { // the engine reads a batch's arrays only within its step
      String name = graph.dropouts().get(d).placeholder();
      masks.put(name, NdArrays.readInto(batch.getFeatures(d + 1), masks.get(name)));
    }
    float[] x = batchBuffer = NdArrays.readInto(batch.getFeatures(0), batchBuffer);
    int n = (int) batch.getFeatures(0).size(0);
    engine.zeroGradients();
    switch (scaffoldSchedule.kind()) {
      case CYCLE -> {
        int k = scaffoldSchedule.k();
        double loss = 0;
        double correct = 0;
        for (int j = 0; j < k; j++) {
          use(graph, j);
          SoftmaxCrossEntropy.Result r = engine.step(x, n, gating == null ? labels : mapped(labels, gating.get(j)),
              masks, 1.0 / k); // the mean gradient over scaffolds
          loss += r.lossSum();
          correct += r.correct();
        }
        return new double[] {loss / k / n, Math.round(correct / k)};
      }
      case SUBBATCH -> {
        int k = scaffoldSchedule.k();
        double loss = 0;
        long correct = 0;
        int cols = (int) (batch.getFeatures(0).length() / n); // the buffers may be longer than this batch
        Map<String, Integer> maskCols = new java.util.HashMap<>();
        for (int d = 0; d < graph.dropouts().size(); d++) {
          maskCols.put(graph.dropouts().get(d).placeholder(), (int) (batch.getFeatures(d + 1).length() / n));
        }
        for (int j = 0; j < k; j++) {
          int from = (int) ((long) n * j / k);
          int to = (int) ((long) n * (j + 1) / k);
          if (to == from) {
            continue;
          }
          use(graph, j);
          Map<String, float[]> part = new java.util.HashMap<>();
          masks.forEach((name, m) -> part.put(name, rows(m, maskCols.get(name), from, to)));
          SoftmaxCrossEntropy.Result r = engine.step(rows(x, cols, from, to), to - from,
              java.util.Arrays.copyOfRange(labels, from, to), part, (to - from) / (double) n); // the batch mean
          loss += r.lossSum();
          correct += r.correct();
        }
        return new double[] {loss / n, correct};
      }
      default -> {
        SoftmaxCrossEntropy.Result r = engine.step(x, n, labels, masks, 1.0);
        return new double[] {r.lossSum() / n, r.correct()};
      }
    }
  }

  private static int[] mapped(int[] labels, int[] map) {
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = map[labels[i]];
    }
    return out;
  }

  /** Rows [from, to) of a row-major block of {@code cols} values per row. */
  private static float[] rows(float[] m, int cols, int from, int to) {
    return java.util.Arrays.copyOfRange(m, from * cols, to * cols);
  }

  /** Thrown from inside {@code fit} to stop it: a non-finite loss, or a requested stop. */
  static final class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DivergedException(String m) {
      super(m, null, false, false);
    }
  }

  /** Feeds the progress bar, tracks loss and training accuracy, and stops on a non-finite loss. */
  private final class EpochListener extends BaseListener {
    private final int epoch;
    private final int batches;
    private final int rows;
    private final long start = System.nanoTime();
    private int batch;
    private long samples;
    private double lossSum;
    private long correct;
    private double batchLoss = Double.NaN;

    EpochListener(int epoch, int batches, int batchSize, int rows) {
      this.epoch = epoch;
      this.batches = batches;
      this.rows = rows;
    }

    @Override
    public boolean isActive(Operation operation) {
      return operation == Operation.TRAINING;
    }

    @Override
    public ListenerVariables requiredVariables(SameDiff sd) {
      return ListenerVariables.builder().trainingVariables(GraphBuilder.LOGITS).build();
    }

    @Override
    public void activationAvailable(SameDiff sd, At at, MultiDataSet batchData, SameDiffOp op, String varName,
        INDArray activation) {
      if (!GraphBuilder.LOGITS.equals(varName) || batchData == null || activation == null) {
        return;
      }
      float[] z = org.lottalora.core.util.NdArrays.read(activation);
      int k = (int) activation.size(1);
      int[] labels = ModelGraph.argMax(org.lottalora.core.util.NdArrays.read(batchData.getLabels(0)), k);
      SoftmaxCrossEntropy.Result lc = SoftmaxCrossEntropy.of(z, k, labels, null, null);
      correct += lc.correct();
      batchLoss = lc.loss();
    }

    /** Records one batch of the dense engine (mean loss, correct predictions, size). */
    void record(double meanLoss, long correctInBatch, long n) {
      correct += correctInBatch;
      batchLoss = meanLoss;
      done(n, 0.0);
    }

    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
      done(data.getFeatures(0).size(0), loss.totalLoss());
    }

    private void done(long n, double total) {
      // M2.1 reports 0 for the loss variable itself here (only a regularisation term would be real), so the
      // cross-entropy is computed from the logits in activationAvailable; both must stay finite.
      double l = batchLoss;
      batch++;
      samples += n;
      if (stopRequested) {
        throw new DivergedException("interrupted at epoch " + epoch + " step " + batch);
      }
      try {
        LossGuard.check(Double.isFinite(total) ? l : total, (long) (epoch - 1) * batches + batch);
      } catch (LossGuard.Diverged d) { // fit restores the best epoch's arrays and reports the line as its failure
        throw new DivergedException(d.getMessage());
      }
      lossSum += l * n;
      double secs = (System.nanoTime() - start) / 1e9;
      double rate = samples / Math.max(1e-9, secs);
      double eta = (rows - samples) / rate + (config.epochs() - epoch) * rows / rate;
      progress.step(epoch, config.epochs(), batch, batches, lossSum / samples, accuracy(), rate, eta);
    }

    double meanLoss() {
      return samples == 0 ? Double.NaN : lossSum / samples;
    }

    double accuracy() {
      return samples == 0 ? 0 : correct / (double) samples;
    }
  }
}
