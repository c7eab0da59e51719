package org.lottalora.models.adapt;

import java.nio.file.Path;
import java.util.Arrays;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.format.TrustPolicy;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Feeding a toolkit {@link Dataset} to an {@link AdaptedGraph}: the example shape its input placeholder wants
 * (checked against the data before any training), class predictions and accuracy over a whole split in
 * batches, class probabilities for raw rows, and the check every training run ends with, that the saved
 * artifact reloads and predicts as the trained graph did.
 */
public final class GraphEval {
  private static final int BATCH = 512;

  private GraphEval() {
  }

  /** What {@link #reloadAndCompare} found: the reloaded graph, rows predicted alike, largest output difference. */
  public record ReloadCheck(AdaptedGraph reloaded, int identical, int total, double maxAbsDiff) {
    /** Every row gets the same class. */
    public boolean same() {
      return identical == total;
    }
  }

  /**
   * One example's shape as the graph's single input takes it (the placeholder's shape without the batch
   * dimension), with one unknown size filled in from the data.
   *
   * @throws IllegalArgumentException naming both shapes when the data's rows do not fit, or when the graph has
   *     more than one input
   */
  public static long[] exampleShape(AdaptedGraph g, Dataset d) {
    var inputs = g.spec().inputs();
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("the graph has " + inputs.size() + " inputs " + inputs + "; a dataset "
          + "feeds exactly one");
    }
    long[] declared = g.sameDiff().getVariable(inputs.get(0)).getShape();
    if (declared == null || declared.length < 2) {
      // no declared shape (or a rank-1 input): feed flat rows and let the graph say if it disagrees
      return new long[] {d.cols()};
    }
    long[] shape = Arrays.copyOfRange(declared, 1, declared.length);
    long known = 1;
    int unknown = -1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        if (unknown >= 0) {
          throw new IllegalArgumentException("the graph's input '" + inputs.get(0) + "' has shape "
              + Arrays.toString(declared) + ", with more than one unknown size besides the batch; give it a "
              + "fixed example shape");
        }
        unknown = i;
      } else {
        known *= shape[i];
      }
    }
    if (unknown >= 0 && known > 0 && d.cols() % known == 0) {
      shape[unknown] = d.cols() / known;
      known = d.cols();
    }
    if (known != d.cols()) {
      throw new IllegalArgumentException("the graph's input '" + inputs.get(0) + "' takes examples of shape "
          + Arrays.toString(shape) + " (" + known + " values) but " + d.name() + " has rows of shape [" + d.cols()
          + "]; pick data that fits the model's input");
    }
    return shape;
  }

  /**
   * How many values one example of the graph's single input holds (the product of its declared sizes without the
   * batch), which is how many features a row of raw input must have.
   *
   * @throws IllegalArgumentException when the graph has more than one input or its example size is not declared
   */
  public static int exampleValues(AdaptedGraph g) {
    var inputs = g.spec().inputs();
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("the graph has " + inputs.size() + " inputs " + inputs + "; rows of "
          + "features feed exactly one");
    }
    long[] declared = g.sameDiff().getVariable(inputs.get(0)).getShape();
    long n = 1;
    for (int i = 1; declared != null && i < declared.length; i++) {
      n *= declared[i];
    }
    if (declared == null || declared.length < 2 || n <= 0 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("the graph's input '" + inputs.get(0) + "' declares no fixed example "
          + "size (shape " + Arrays.toString(declared) + "), so the number of features per row is unknown");
    }
    return (int) n;
  }

  /**
   * Class probabilities (softmax of the output) for raw feature rows, normalized as in training ({@code n}, from
   * {@link GraphArtifacts#normalization}).
   */
  public static float[][] probabilities(AdaptedGraph g, float[][] rows, Normalization n) {
    int cols = exampleValues(g);
    if (rows.length == 0) {
      return new float[0][];
    }
    float[] x = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, the graph takes "
            + cols);
      }
      System.arraycopy(rows[i], 0, x, i * cols, cols);
    }
    n.applyInPlace(x);
    Dataset d = new Dataset("input", x, rows.length, cols, new int[rows.length], 1);
    INDArray out = Transforms.softmax(outputs(g, d, exampleShape(g, d)).castTo(DataType.FLOAT));
    float[][] p = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      p[i] = out.getRow(i).toFloatVector();
    }
    return p;
  }

  /** The raw outputs for every row of {@code d}, fed in batches as {@code shape}. */
  public static INDArray outputs(AdaptedGraph g, Dataset d, long[] shape) {
    INDArray[] parts = new INDArray[(d.rows() + BATCH - 1) / BATCH];
    for (int p = 0; p < parts.length; p++) {
      int from = p * BATCH;
      int n = Math.min(BATCH, d.rows() - from);
      long[] s = new long[shape.length + 1];
      s[0] = n;
      System.arraycopy(shape, 0, s, 1, shape.length);
      float[] x = Arrays.copyOfRange(d.features(), from * d.cols(), (from + n) * d.cols());
      parts[p] = g.output(Nd4j.create(x, s, 'c')).castTo(DataType.FLOAT);
    }
    return parts.length == 1 ? parts[0] : Nd4j.concat(0, parts);
  }

  /** The class with the highest output for every row of {@code d}. */
  public static int[] classify(AdaptedGraph g, Dataset d, long[] shape) {
    return argMax(outputs(g, d, shape));
  }

  /** The fraction of rows of {@code d} classified as labelled. */
  public static double accuracy(AdaptedGraph g, Dataset d, long[] shape) {
    int[] c = classify(g, d, shape);
    int ok = 0;
    for (int i = 0; i < c.length; i++) {
      ok += c[i] == d.labels()[i] ? 1 : 0;
    }
    return c.length == 0 ? 0 : ok / (double) c.length;
  }

  /**
   * Loads {@code artifact} back from the file ({@code base}: the base graph of a pretrained-base artifact, else
   * null) and compares its predictions on {@code d} with {@code trained}'s.
   */
  public static ReloadCheck reloadAndCompare(AdaptedGraph trained, Path artifact, SameDiff base, Dataset d,
      long[] shape) {
    AdaptedGraph back = GraphArtifacts.load(artifact, TrustPolicy.NONE, base);
    INDArray want = outputs(trained, d, shape);
    INDArray got = outputs(back, d, shape);
    int[] a = argMax(want);
    int[] b = argMax(got);
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    double diff = a.length == 0 ? 0 : Transforms.abs(want.sub(got)).maxNumber().doubleValue();
    return new ReloadCheck(back, same, a.length, diff);
  }

  private static int[] argMax(INDArray out) {
    int[] c = new int[(int) out.size(0)];
    INDArray arg = Nd4j.argMax(out, 1);
    for (int i = 0; i < c.length; i++) {
      c[i] = arg.getInt(i);
    }
    return c;
  }
}
