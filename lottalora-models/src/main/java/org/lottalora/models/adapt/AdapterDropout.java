package org.lottalora.models.adapt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.lottalora.core.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The adapter-dropout masks of a wrapped graph: one mask placeholder per (target, matrix product) site, fed
 * while training with inverted-dropout masks from the project's generator and with ones at inference. The masks
 * are placeholders rather than ND4J random ops because those ignore seeds in places; drawing them here makes two
 * runs from the same state identical. Each mask has the full runtime shape of the product's activation operand,
 * which the graph does not know statically, so it is measured once by a probe forward on the graph before
 * wrapping (same shapes, no masks).
 */
final class AdapterDropout {
  /** One masked input: the mask placeholder, the activation it multiplies and that activation's data type. */
  record Site(String target, String placeholder, String input, DataType dataType) {
  }

  /**
   * How a site's mask shape follows the batch: dimension i is {@code perRow[i] * n} where {@code perRow[i] > 0}
   * (the one dimension that scales with the batch, if any), else {@code fixed[i]}.
   */
  private record Shape(long[] fixed, long[] perRow) {
    long[] at(long n) {
      long[] s = fixed.clone();
      for (int i = 0; i < s.length; i++) {
        if (perRow[i] > 0) {
          s[i] = perRow[i] * n;
        }
      }
      return s;
    }

    boolean batched() {
      return Arrays.stream(perRow).anyMatch(k -> k > 0);
    }
  }

  private final List<Site> sites = new ArrayList<>();
  private final double rate;
  private final long seed;
  private final Supplier<SameDiff> probeGraph;
  private final List<String> inputNames;
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private long step;

  /**
   * @param probeGraph makes the graph before wrapping (only called once, if there are sites)
   * @param inputNames the graph's inputs, the first of which sizes the batch
   */
  AdapterDropout(double rate, long seed, Supplier<SameDiff> probeGraph, List<String> inputNames) {
    this.rate = rate;
    this.seed = seed;
    this.probeGraph = probeGraph;
    this.inputNames = List.copyOf(inputNames);
  }

  void add(Site s) {
    sites.add(s);
  }

  List<Site> sites() {
    return sites;
  }

  boolean isEmpty() {
    return sites.isEmpty();
  }

  /** The mask placeholders in feeding order (after the graph's inputs). */
  List<String> placeholders() {
    return sites.stream().map(Site::placeholder).toList();
  }

  /**
   * Measures each site's activation shape once, from two forwards of {@code probeGraph} (the graph before
   * wrapping, which has the same activations and needs no masks): one on {@code inputs}, one on every input
   * stacked twice along the batch. A dimension that doubles follows the batch; any other stays fixed. Two batch
   * sizes are needed because a single one cannot tell a batch of 32 from a hidden width of 32.
   */
  void probe(Map<String, INDArray> inputs) {
    if (probed()) {
      return;
    }
    long n = batchSize(inputs, inputNames);
    Map<String, INDArray> twice = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
      twice.put(e.getKey(), Nd4j.concat(0, e.getValue(), e.getValue()));
    }
    String[] names = sites.stream().map(Site::input).distinct().toArray(String[]::new);
    SameDiff g = probeGraph.get();
    Map<String, INDArray> one = g.output(inputs, names);
    Map<String, INDArray> two = g.output(twice, names);
    Map<String, Shape> measured = new LinkedHashMap<>(); // kept only when every site measures sound
    for (Site s : sites) {
      long[] a = one.get(s.input()).shape();
      long[] b = two.get(s.input()).shape();
      long[] perRow = new long[a.length];
      int scaled = 0;
      for (int i = 0; i < a.length; i++) {
        if (b[i] != a[i]) {
          if (b[i] != 2 * a[i] || a[i] % n != 0) {
            throw new IllegalArgumentException(shapeError(s, a, b, n));
          }
          perRow[i] = a[i] / n;
          scaled++;
        }
      }
      if (b.length != a.length || scaled > 1) {
        throw new IllegalArgumentException(shapeError(s, a, b, n));
      }
      measured.put(s.placeholder(), new Shape(a, perRow));
    }
    shapes.putAll(measured);
  }

  private static String shapeError(Site s, long[] a, long[] b, long n) {
    return "adapter dropout on target '" + s.target() + "': the input '" + s.input() + "' of its matrix product has "
        + "shape " + Arrays.toString(a) + " for a batch of " + n + " and " + Arrays.toString(b) + " for " + 2 * n
        + ", not one dimension that follows the batch; a mask cannot be drawn per example (set dropout 0)";
  }

  /** Whether the mask shapes are known (or there are no masks). */
  boolean probed() {
    return sites.isEmpty() || !shapes.isEmpty();
  }

  static long batchSize(Map<String, INDArray> inputs, List<String> inputNames) {
    for (String name : inputNames) {
      INDArray a = inputs.get(name);
      if (a != null && a.rank() > 0) {
        return a.size(0);
      }
    }
    throw new IllegalArgumentException("no input among " + inputNames + " to size the dropout masks from");
  }

  /** Masks of ones (no dropout, scale 1) for a batch of {@code n}: what inference feeds. */
  Map<String, INDArray> ones(long n) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Site s : sites) {
      out.put(s.placeholder(), Nd4j.ones(s.dataType(), shapes.get(s.placeholder()).at(n)));
    }
    return out;
  }

  /**
   * The next training step's masks for a batch of {@code n}: each site's values are 0 or {@code 1/(1-p)}, from the
   * stream {@code dropout/<placeholder>/<step>} of the adapter seed, through the same code as the built-in
   * families' masks ({@link GraphBuilder.DropoutSite#draw}). The step counts batches drawn since this graph was
   * made or loaded, so every batch gets fresh masks and two runs from the same state get the same ones.
   */
  Map<String, INDArray> next(long n) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Site s : sites) {
      Shape sh = shapes.get(s.placeholder());
      long[] shape = sh.at(n);
      long total = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
      // a batch-free activation (a constant operand) gets one mask for the whole step
      int rows = sh.batched() ? (int) n : 1;
      GraphBuilder.DropoutSite site = new GraphBuilder.DropoutSite(s.placeholder(), (int) (total / rows), rate,
          false);
      float[] m = site.draw(seed, "dropout/" + s.placeholder() + "/" + step, rows);
      out.put(s.placeholder(), Nd4j.create(m, shape, 'c').castTo(s.dataType()));
    }
    step++;
    return out;
  }

  /**
   * {@code train} with each batch's masks appended to its features (graph inputs first, then the masks in
   * {@link #placeholders()} order), as SameDiff's {@code fit} takes them. {@code first}, if not null, is a batch
   * already taken from {@code train} (for the probe) and comes out first unless the iterator is reset.
   */
  MultiDataSetIterator iterator(DataSetIterator train, DataSet first) {
    return new Masked(train, first);
  }

  private final class Masked implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient DataSetIterator train;
    private transient DataSet pending;

    Masked(DataSetIterator train, DataSet first) {
      this.train = train;
      this.pending = first;
    }

    @Override
    public org.nd4j.linalg.dataset.api.MultiDataSet next(int num) {
      return next();
    }

    @Override
    public org.nd4j.linalg.dataset.api.MultiDataSet next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      DataSet ds = pending != null ? pending : train.next();
      pending = null;
      INDArray x = ds.getFeatures();
      if (!probed()) {
        probe(Map.of(inputNames.get(0), x));
      }
      Map<String, INDArray> masks = AdapterDropout.this.next(x.size(0));
      INDArray[] features = new INDArray[1 + masks.size()];
      features[0] = x;
      int i = 1;
      for (INDArray m : masks.values()) {
        features[i++] = m;
      }
      INDArray[] featureMasks = null;
      if (ds.getFeaturesMaskArray() != null) {
        featureMasks = new INDArray[features.length];
        featureMasks[0] = ds.getFeaturesMaskArray();
      }
      INDArray[] labelMasks = ds.getLabelsMaskArray() == null ? null : new INDArray[] {ds.getLabelsMaskArray()};
      return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[] {ds.getLabels()}, featureMasks,
          labelMasks);
    }

    @Override
    public boolean hasNext() {
      return pending != null || train.hasNext();
    }

    @Override
    public void reset() {
      // the probe batch belongs to the pass before the reset; the new pass starts from the iterator's own start
      pending = null;
      train.reset();
    }

    @Override
    public boolean resetSupported() {
      return train.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
      return false; // masks are drawn in order, one step per batch: no prefetching thread
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException("set the preprocessor on the DataSetIterator passed to fit");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return null;
    }
  }
}
