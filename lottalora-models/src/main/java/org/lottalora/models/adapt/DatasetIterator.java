package org.lottalora.models.adapt;

import java.util.List;
import java.util.NoSuchElementException;
import org.lottalora.core.data.Dataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A toolkit {@link Dataset} as the DL4J {@link DataSetIterator} that SameDiff's {@code fit} takes: mini-batches
 * of features shaped as the graph's input wants (e.g. [batch, 1, 8, 8] for a CNN) and one-hot labels, in an
 * order drawn from the project's seeded generator, a new one per epoch (the same on every run and JVM).
 */
public final class DatasetIterator implements DataSetIterator {
  private final Dataset data;
  private final int batch;
  private final long seed;
  private final long[] exampleShape;
  private int[] order;
  private int pos;
  private int epoch;
  private DataSetPreProcessor pre;

  /**
   * @param exampleShape one example's shape as the graph's input takes it (empty: a flat row)
   */
  public DatasetIterator(Dataset data, int batch, long seed, long... exampleShape) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
    }
    long n = 1;
    for (long d : exampleShape) {
      n *= d;
    }
    if (exampleShape.length > 0 && n != data.cols()) {
      throw new IllegalArgumentException("the graph's input takes examples of shape "
          + java.util.Arrays.toString(exampleShape) + " (" + n + " values) but " + data.name() + " has "
          + data.cols() + " features per row; pick data that fits the model's input");
    }
    this.data = data;
    this.batch = batch;
    this.seed = seed;
    this.exampleShape = exampleShape.length == 0 ? new long[] {data.cols()} : exampleShape.clone();
    this.order = seed < 0 ? identity(data.rows()) : Dataset.permutation(data.rows(), seed, "adapt.epoch.0");
  }

  private static int[] identity(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    return o;
  }

  @Override
  public DataSet next(int num) {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int n = Math.min(num, data.rows() - pos);
    int cols = data.cols();
    float[] x = new float[n * cols];
    float[] y = new float[n * data.classes()];
    for (int i = 0; i < n; i++) {
      int r = order[pos + i];
      System.arraycopy(data.features(), r * cols, x, i * cols, cols);
      y[i * data.classes() + data.labels()[r]] = 1f;
    }
    pos += n;
    long[] shape = new long[exampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
    INDArray f = Nd4j.create(x, shape, 'c');
    INDArray l = Nd4j.create(y, new long[] {n, data.classes()}, 'c');
    DataSet ds = new DataSet(f.castTo(DataType.FLOAT), l);
    if (pre != null) {
      pre.preProcess(ds);
    }
    return ds;
  }

  @Override
  public DataSet next() {
    return next(batch);
  }

  @Override
  public boolean hasNext() {
    return pos < data.rows();
  }

  @Override
  public int inputColumns() {
    return data.cols();
  }

  @Override
  public int totalOutcomes() {
    return data.classes();
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  @Override
  public boolean asyncSupported() {
    return false;
  }

  /** Starts the next pass in a new seeded order (a seed below 0 keeps the data's order). */
  @Override
  public void reset() {
    pos = 0;
    if (seed >= 0) {
      epoch++;
      order = Dataset.permutation(data.rows(), seed, "adapt.epoch." + epoch);
    }
  }

  @Override
  public int batch() {
    return batch;
  }

  @Override
  public void setPreProcessor(DataSetPreProcessor p) {
    this.pre = p;
  }

  @Override
  public DataSetPreProcessor getPreProcessor() {
    return pre;
  }

  @Override
  public List<String> getLabels() {
    return null;
  }
}
