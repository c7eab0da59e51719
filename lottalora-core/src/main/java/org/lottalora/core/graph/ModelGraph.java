package org.lottalora.core.graph;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.data.Dataset;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A built model: the SameDiff graph, the tensors that training changes (with their canonical layouts), the dropout
 * sites the trainer must feed and, for the MLP, linear and CNN families, the plan of engine ops that trains and runs
 * it ({@link PlanEngine}, which keeps its own copies of the arrays). Change the graph's arrays through
 * {@link #setTrainedValues} and {@link #frozenChanged} so the engine sees the change; writing a SameDiff array
 * directly bypasses it. Inference methods are synchronized because neither a SameDiff instance nor the engine's
 * buffers are safe to use from several threads at once.
 */
public final class ModelGraph {
  private static final int EVAL_BATCH = 1024;
  private static final int CALIBRATION_BATCH = 256;
  private static final int CALIBRATION_ROWS = 4096;

  private final SameDiff sd;
  private final List<TrainedTensor> trained;
  private final List<GraphBuilder.DropoutSite> dropouts;
  private final int classes;
  private final GraphBuilder.ParameterCounts counts;
  private final List<LayerStep> plan;
  private final List<Statistic> statistics;
  private final org.lottalora.core.adapter.AdapterConfig adapter;
  private final boolean full;
  private PlanEngine engine;
  private long trainedVersion;
  private long frozenVersion;

  ModelGraph(SameDiff sd, List<TrainedTensor> trained, List<GraphBuilder.DropoutSite> dropouts, int classes,
      GraphBuilder.ParameterCounts counts, List<LayerStep> plan, List<Statistic> statistics,
      org.lottalora.core.adapter.AdapterConfig adapter, boolean full) {
    this.adapter = adapter;
    this.full = full;
    this.plan = plan;
    this.statistics = statistics;
    this.sd = sd;
    this.trained = trained;
    this.dropouts = dropouts;
    this.classes = classes;
    this.counts = counts;
  }

  /** The underlying graph (for the trainer). */
  public SameDiff sameDiff() {
    return sd;
  }

  /** Trained tensors, in creation order. */
  public List<TrainedTensor> trained() {
    return trained;
  }

  /** Dropout mask placeholders. */
  public List<GraphBuilder.DropoutSite> dropouts() {
    return dropouts;
  }

  /**
   * The plan of a plain dense model (affine layers without DoRA, ReLU, dropout: what merging, export and the
   * scaffold schedules handle), or null.
   */
  public List<LayerStep> densePlan() {
    if (plan == null) {
      return null;
    }
    for (LayerStep s : plan) {
      boolean dense = s instanceof LayerStep.Relu || s instanceof LayerStep.Dropout
          || s instanceof LayerStep.Affine a && !a.dora();
      if (!dense) {
        return null;
      }
    }
    return plan;
  }

  /** The engine's plan of this graph, or null if it uses ops the engine does not implement (it then runs SameDiff). */
  public List<LayerStep> plan() {
    return plan;
  }

  /** The adapter settings the graph was built with. */
  public org.lottalora.core.adapter.AdapterConfig adapter() {
    return adapter;
  }

  /** True for the full-training baseline (every weight trained). */
  public boolean full() {
    return full;
  }

  /**
   * The engine that trains and runs this graph's plan, made on first use and brought up to date with the graph's
   * arrays (trained tensors set by {@link #setTrainedValues}, frozen ones changed by a scaffold switch).
   *
   * @throws IllegalStateException if the graph has no plan
   */
  public synchronized PlanEngine engine() {
    if (plan == null) {
      throw new IllegalStateException("this model uses ops the engine does not implement; it runs on SameDiff");
    }
    if (engine == null) {
      engine = new PlanEngine(this);
      engine.synced(trainedVersion, frozenVersion);
    } else {
      engine.sync(trainedVersion, frozenVersion);
    }
    return engine;
  }

  /** Tells the graph that its frozen arrays were overwritten in place (a scaffold switch). */
  public synchronized void frozenChanged() {
    frozenVersion++;
  }

  /**
   * Writes the engine's current trained values (and running statistics) into the graph's arrays, so that the
   * graph, {@link #trainedValues} and a saved artifact hold what the engine trained.
   */
  public synchronized void syncFromEngine() {
    if (engine == null) {
      return;
    }
    write(engine.values());
  }

  /** Number of classes. */
  public int classes() {
    return classes;
  }

  /** Parameter counts. */
  public GraphBuilder.ParameterCounts counts() {
    return counts;
  }

  /** Class probabilities for {@code rows} samples, [rows, classes], row-major. */
  public synchronized float[] probabilities(float[] x, int rows) {
    if (plan != null) {
      return engine().probabilities(x, rows);
    }
    int cols = x.length / Math.max(1, rows);
    float[] out = new float[rows * classes];
    for (int start = 0; start < rows; start += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, rows - start);
      float[] chunk = new float[n * cols];
      System.arraycopy(x, start * cols, chunk, 0, chunk.length);
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(GraphBuilder.INPUT, NdArrays.of(chunk, n, cols));
      for (GraphBuilder.DropoutSite d : dropouts) {
        ph.put(d.placeholder(), Nd4j.valueArrayOf(new long[] {n, d.width()}, d.inferenceValue(),
            org.nd4j.linalg.api.buffer.DataType.FLOAT));
      }
      INDArray p = sd.outputSingle(ph, GraphBuilder.PROBS);
      float[] pv = NdArrays.read(p);
      System.arraycopy(pv, 0, out, start * classes, pv.length);
    }
    return out;
  }

  /** True if the graph has running statistics (BatchNorm) that {@link #calibrate} must set. */
  public boolean hasStatistics() {
    return !statistics.isEmpty();
  }

  /**
   * Sets every running statistic to the mean, over batches of {@value #CALIBRATION_BATCH} rows of at most
   * {@value #CALIBRATION_ROWS} rows spread evenly over {@code x}, of the batch statistics the training-mode forward pass computes
   * with the current weights (no dropout). Deterministic: same weights and rows, same statistics.
   */
  public synchronized void calibrate(float[] x, int rows) {
    if (statistics.isEmpty() || rows == 0) {
      return;
    }
    if (plan != null) {
      PlanEngine e = engine();
      e.calibrate(x, rows, CALIBRATION_BATCH, CALIBRATION_ROWS);
      write(e.statistics());
      return;
    }
    int cols = x.length / rows;
    int use = Math.min(rows, CALIBRATION_ROWS);
    String[] names = new String[2 * statistics.size()];
    for (int i = 0; i < statistics.size(); i++) {
      names[2 * i] = statistics.get(i).batchMean();
      names[2 * i + 1] = statistics.get(i).batchVar();
    }
    double[][] sums = new double[names.length][];
    for (int start = 0; start < use; start += CALIBRATION_BATCH) {
      int n = Math.min(CALIBRATION_BATCH, use - start);
      float[] chunk = new float[n * cols];
      for (int i = 0; i < n; i++) { // rows spread evenly over x: a file sorted by class still gives fair statistics
        int row = (int) ((long) (start + i) * rows / use);
        System.arraycopy(x, row * cols, chunk, i * cols, cols);
      }
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(GraphBuilder.INPUT, NdArrays.of(chunk, n, cols));
      for (GraphBuilder.DropoutSite d : dropouts) {
        ph.put(d.placeholder(), Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, d.width()));
      }
      Map<String, INDArray> out = sd.output(ph, names);
      for (int k = 0; k < names.length; k++) {
        float[] v = NdArrays.read(out.get(names[k]));
        if (sums[k] == null) {
          sums[k] = new double[v.length];
        }
        for (int j = 0; j < v.length; j++) {
          sums[k][j] += (double) v[j] * n;
        }
      }
    }
    for (int i = 0; i < statistics.size(); i++) {
      Statistic st = statistics.get(i);
      sd.getVariable(st.runningMean()).getArr().assign(mean(sums[2 * i], use));
      sd.getVariable(st.runningVar()).getArr().assign(mean(sums[2 * i + 1], use));
    }
  }

  private static INDArray mean(double[] sum, int n) {
    float[] v = new float[sum.length];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (sum[j] / n);
    }
    return NdArrays.of(v, v.length);
  }

  /**
   * A running statistic pair and the graph variables that compute its batch value.
   *
   * @param runningMean name of the running-mean constant
   * @param batchMean name of the batch-mean variable
   * @param runningVar name of the running-variance constant
   * @param batchVar name of the batch-variance variable
   */
  public record Statistic(String runningMean, String batchMean, String runningVar, String batchVar) {}

  /** Arg-max class of every row of {@code d}. */
  public int[] predict(Dataset d) {
    return argMax(probabilities(d.features(), d.rows()), classes);
  }

  /** Arg-max of each row of a row-major [n, classes] score matrix (the first index on ties). */
  public static int[] argMax(float[] scores, int classes) {
    int[] out = new int[scores.length / classes];
    for (int r = 0; r < out.length; r++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (scores[r * classes + c] > scores[r * classes + best]) {
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }

  /** Fraction of rows of {@code d} whose arg-max is the label. */
  public double accuracy(Dataset d) {
    return accuracy(predict(d), d.labels());
  }

  /** Fraction of predictions equal to their labels (0 for none). */
  public static double accuracy(int[] predicted, int[] labels) {
    int ok = 0;
    for (int i = 0; i < predicted.length; i++) {
      ok += predicted[i] == labels[i] ? 1 : 0;
    }
    return predicted.length == 0 ? 0 : ok / (double) predicted.length;
  }

  /** The current values of every trained tensor, canonical layout, row-major. */
  public synchronized Map<String, float[]> trainedValues() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (TrainedTensor t : trained) {
      INDArray a = sd.getVariable(t.name()).getArr();
      if (t.transposed()) {
        a = a.transpose();
      }
      out.put(t.name(), NdArrays.read(a));
    }
    return out;
  }

  /** Overwrites every trained tensor named in {@code values} (canonical layout). */
  public synchronized void setTrainedValues(Map<String, float[]> values) {
    write(values);
    trainedVersion++;
  }

  private void write(Map<String, float[]> values) {
    for (TrainedTensor t : trained) {
      float[] v = values.get(t.name());
      if (v == null) {
        continue;
      }
      INDArray target = sd.getVariable(t.name()).getArr();
      INDArray src = t.transposed()
          ? GraphBuilder.transposed(v, (int) t.shape()[0], (int) t.shape()[1])
          : NdArrays.of(v, t.shape());
      target.assign(src);
    }
  }

  /** The learned beta of every adapted layer, by layer prefix. */
  public Map<String, Float> betas() {
    Map<String, Float> out = new LinkedHashMap<>();
    for (TrainedTensor t : trained) {
      if (t.kind() == TrainedTensor.Kind.BETA) {
        String layer = t.name().substring(0, t.name().length() - GraphBuilder.BETA.length());
        out.put(layer, sd.getVariable(t.name()).getArr().getFloat(0));
      }
    }
    return out;
  }
}
