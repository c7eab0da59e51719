package org.lottalora.core.train;

import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.TreeMap;
import org.lottalora.format.proto.Metrics;
import org.lottalora.format.proto.TrainConfig;
import org.lottalora.format.proto.Training;

/**
 * How a model was trained, as every family's artifact records it: the data (name, rows, digest), the schedule
 * (epochs or steps, batch, rate, decay, seeds), the engine's threads, the outcome (test metric, best validation
 * point, wall time, rate) and the learned betas. It is the one provenance record: the dense families, the engine
 * families (ViT, text, graph, recurrent, LM), a settings family ({@link FamilyArtifact}) and the related work fill
 * it, and {@link #toProto} is the one place the artifact's {@code Training} message is written, so that
 * {@code lottalora inspect} shows the same training line for each. NaN marks a metric not measured; a null
 * schedule or outcome, a model saved untrained.
 *
 * @param dataset the data's name or path
 * @param datasetSha256 SHA-256 of the training rows as loaded (null: not computed)
 * @param rows training examples (rows, graphs, windows, bytes: the family's unit)
 * @param schedule how it was trained (null: saved untrained)
 * @param threads the engine's threads (0: not recorded)
 * @param outcome what the run measured (null: nothing)
 * @param betas learned beta per adapted matrix
 */
public record TrainingRecord(String dataset, byte[] datasetSha256, long rows, Schedule schedule, int threads,
    Outcome outcome, Map<String, Double> betas) {

  /** Copies the betas (sorted by name) and makes a null dataset empty. */
  public TrainingRecord {
    dataset = dataset == null ? "" : dataset;
    betas = betas == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(betas));
  }

  /**
   * The schedule: a family that counts epochs sets {@code epochs}, one that counts optimizer steps (the LM) sets
   * {@code steps}; the other is 0.
   *
   * @param epochs epochs (0: trained by steps)
   * @param steps optimizer steps (0: trained by epochs)
   * @param batch examples per step
   * @param lr peak learning rate
   * @param wd decoupled weight decay
   * @param warmupEpochs linear warm-up epochs
   * @param cosine cosine decay
   * @param patience early-stop patience (0: none)
   * @param shuffleSeed seed of the batch order (the LM: of the window positions)
   * @param splitSeed seed of the train / validation / test split
   */
  public record Schedule(int epochs, int steps, int batch, double lr, double wd, int warmupEpochs, boolean cosine,
      int patience, long shuffleSeed, long splitSeed) {
    /** An epoch schedule with cosine decay and no warm-up or patience (the engine families' defaults). */
    public static Schedule epochs(int epochs, int batch, double lr, double wd, long shuffleSeed, long splitSeed) {
      return new Schedule(epochs, 0, batch, lr, wd, 0, true, 0, shuffleSeed, splitSeed);
    }

    /** A step schedule (warm-up and cosine, as the LM's). */
    public static Schedule steps(int steps, int batch, double lr, double wd, long seed, long splitSeed) {
      return new Schedule(0, steps, batch, lr, wd, 0, true, 0, seed, splitSeed);
    }
  }

  /**
   * What a run measured; NaN where it did not.
   *
   * @param testAccuracy test accuracy (a DT: normalized score / 100)
   * @param testNrmse forecasting NRMSE on the test part
   * @param bestValidation the kept point's validation metric
   * @param bestEpoch the kept epoch (or evaluation)
   * @param epochsRun epochs (or evaluations) run
   * @param seconds training wall time
   * @param samplesPerSecond training examples per second
   * @param failure why a run failed ("": it did not)
   */
  public record Outcome(double testAccuracy, double testNrmse, double bestValidation, int bestEpoch, int epochsRun,
      double seconds, double samplesPerSecond, String failure) {
    /** A classifier's outcome: test accuracy at the kept epoch, its validation metric, the wall time. */
    public static Outcome of(double testAccuracy, double bestValidation, int bestEpoch, double seconds) {
      return new Outcome(testAccuracy, Double.NaN, bestValidation, bestEpoch, 0, seconds, Double.NaN, "");
    }
  }

  /** The record of a model saved without training here (only the data's name). */
  public static TrainingRecord untrained(String dataset) {
    return new TrainingRecord(dataset, null, 0, null, 0, null, Map.of());
  }

  /** A trained model's record without a data digest, with this process's engine threads. */
  public static TrainingRecord of(String dataset, long rows, Schedule schedule, Outcome outcome,
      Map<String, Double> betas) {
    return new TrainingRecord(dataset, null, rows, schedule, org.lottalora.core.engine.Parallel.threads(), outcome,
        betas);
  }

  /**
   * The record of a contract family's run ({@code Family.run}): its dataset, {@code rows} training examples in the
   * family's unit, an epoch schedule from the spec (the run's seed orders the batches), what the run measured.
   */
  public static TrainingRecord ofRun(org.lottalora.core.sweep.RunSpec r, long rows, Outcome outcome,
      Map<String, Double> betas) {
    return of(r.dataset(), rows, Schedule.epochs(r.epochs(), r.batch(), r.lr(), r.wd(), r.seed(), r.splitSeed()),
        outcome, betas);
  }

  /** Betas keyed by layer as floats (the graph trainers' form) to this record's doubles. */
  public static Map<String, Double> doubles(Map<String, Float> betas) {
    Map<String, Double> m = new TreeMap<>();
    betas.forEach((k, v) -> m.put(k, v.doubleValue()));
    return m;
  }

  /**
   * The artifact's {@code Training} message: this JVM and OS, then every field this record holds, with the
   * trained and model value counts the writer counted.
   */
  public Training.Builder toProto(long trainableParams, long modelParams) {
    Training.Builder t = Training.newBuilder().setJavaVersion(System.getProperty("java.version"))
        .setOs(System.getProperty("os.name") + " " + System.getProperty("os.arch")).setDataset(dataset)
        .setThreads(threads).setDatasetRows(rows);
    if (datasetSha256 != null) {
      t.setDatasetSha256(ByteString.copyFrom(datasetSha256));
    }
    if (schedule != null) {
      Schedule s = schedule;
      t.setConfig(TrainConfig.newBuilder().setEpochs(s.epochs()).setSteps(s.steps()).setBatchSize(s.batch())
          .setLearningRate(s.lr()).setWeightDecay(s.wd()).setWarmupEpochs(s.warmupEpochs()).setCosine(s.cosine())
          .setPatience(s.patience()).setShuffleSeed(s.shuffleSeed()).setSplitSeed(s.splitSeed()));
    }
    if (outcome == null && trainableParams == 0 && modelParams == 0) {
      betas.forEach((k, v) -> t.putBetas(k, v.floatValue()));
      return t; // nothing measured or counted: no metrics message
    }
    Metrics.Builder m = Metrics.newBuilder().setTrainableParams(trainableParams).setModelParams(modelParams);
    if (outcome != null) {
      Outcome o = outcome;
      setIf(o.testAccuracy(), m::setTestAccuracy);
      setIf(o.testNrmse(), m::setTestNrmse);
      setIf(o.bestValidation(), m::setBestValAccuracy);
      setIf(o.seconds(), m::setWallSeconds);
      setIf(o.samplesPerSecond(), m::setSamplesPerSecond);
      m.setBestEpoch(o.bestEpoch()).setEpochsRun(o.epochsRun()).setFailure(o.failure() == null ? "" : o.failure());
    }
    t.setMetrics(m);
    betas.forEach((k, v) -> t.putBetas(k, v.floatValue()));
    return t;
  }

  private static void setIf(double v, java.util.function.DoubleConsumer set) {
    if (!Double.isNaN(v)) {
      set.accept(v);
    }
  }
}
