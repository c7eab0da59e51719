package org.lottalora.core.train;

import java.util.List;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.graph.GraphBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.lottalora.core.util.NdArrays;

/**
 * One epoch of mini-batches in a seeded order: features, then one dropout mask per site (drawn from the
 * project's generator, stream {@code dropout/<site>/<epoch>/<batch>}), and one-hot labels. The last batch
 * may be smaller.
 */
final class BatchIterator implements MultiDataSetIterator {
  private static final long serialVersionUID = 1L;
  private final Dataset data;
  private final int[] order;
  private final int batchSize;
  private final List<GraphBuilder.DropoutSite> dropouts;
  private final long seed;
  private final int epoch;
  private int cursor;
  private int batchIndex;
  private int[] lastLabels;
  private float[] gather = new float[0];
  /** Reused native buffers per batch size: a batch is consumed before the next one is made. */
  private final java.util.Map<Integer, INDArray[]> buffers = new java.util.HashMap<>();

  BatchIterator(Dataset data, int[] order, int batchSize, List<GraphBuilder.DropoutSite> dropouts, long seed,
      int epoch) {
    this.data = data;
    this.order = order;
    this.batchSize = batchSize;
    this.dropouts = dropouts;
    this.seed = seed;
    this.epoch = epoch;
  }

  int batches() {
    return (order.length + batchSize - 1) / batchSize;
  }

  @Override
  public org.nd4j.linalg.dataset.api.MultiDataSet next(int num) {
    int n = Math.min(num, order.length - cursor);
    int cols = data.cols();
    float[] y = new float[n * data.classes()];
    lastLabels = new int[n];
    for (int i = 0; i < n; i++) {
      int r = order[cursor + i];
      y[i * data.classes() + data.labels()[r]] = 1f;
      lastLabels[i] = data.labels()[r];
    }
    final int rows = n;
    INDArray[] buf = buffers.computeIfAbsent(n, k -> {
      INDArray[] b = new INDArray[2 + dropouts.size()];
      b[0] = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, cols);
      b[1] = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, data.classes());
      for (int d = 0; d < dropouts.size(); d++) {
        b[2 + d] = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows,
            dropouts.get(d).width());
      }
      return b;
    });
    INDArray[] features = new INDArray[1 + dropouts.size()];
    float[] x = gather.length == n * cols ? gather : (gather = new float[n * cols]);
    for (int i = 0; i < n; i++) {
      System.arraycopy(data.features(), order[cursor + i] * cols, x, i * cols, cols);
    }
    NdArrays.write(x, buf[0]); // one memcpy into the reused native buffer
    features[0] = buf[0];
    for (int d = 0; d < dropouts.size(); d++) {
      NdArrays.write(mask(dropouts.get(d), n), buf[2 + d]);
      features[d + 1] = buf[2 + d];
    }
    NdArrays.write(y, buf[1]);
    cursor += n;
    batchIndex++;
    return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[] {buf[1]});
  }

  /** Labels of the batch {@link #next} returned last. */
  int[] lastLabels() {
    return lastLabels;
  }

  private float[] mask(GraphBuilder.DropoutSite site, int n) {
    return site.draw(seed, "dropout/" + site.placeholder() + "/" + epoch + "/" + batchIndex, n);
  }

  @Override
  public org.nd4j.linalg.dataset.api.MultiDataSet next() {
    return next(batchSize);
  }

  @Override
  public boolean hasNext() {
    return cursor < order.length;
  }

  @Override
  public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
    throw new UnsupportedOperationException("inputs are normalized before batching");
  }

  @Override
  public MultiDataSetPreProcessor getPreProcessor() {
    return null;
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  @Override
  public boolean asyncSupported() {
    return false;
  }

  @Override
  public void reset() {
    cursor = 0;
    batchIndex = 0;
  }
}
