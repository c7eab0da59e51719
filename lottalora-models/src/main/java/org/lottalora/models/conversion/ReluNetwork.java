package org.lottalora.models.conversion;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.data.Dataset;

/**
 * The analog network a conversion starts from and whose weights the spiking network uses: affine layers, a ReLU
 * after each but the last, which gives the logits. It reads raw features: the model's input normalisation is
 * folded into the first layer ({@link AnnToSnn#reluNetwork}), so that a black pixel is a zero input, a Poisson
 * input of zero spikes, and an occluded patch carries no current.
 */
public final class ReluNetwork {
  private final List<ReluLayer> layers;
  private final int classes;

  /** Checks that consecutive layers fit. */
  public ReluNetwork(List<ReluLayer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).inSize() != layers.get(i - 1).outSize()) {
        throw new IllegalArgumentException("layer '" + layers.get(i).name() + "' takes " + layers.get(i).inSize()
            + " values but '" + layers.get(i - 1).name() + "' gives " + layers.get(i - 1).outSize());
      }
    }
    this.layers = List.copyOf(layers);
    this.classes = layers.get(layers.size() - 1).outSize();
  }

  /** The layers, input first. */
  public List<ReluLayer> layers() {
    return layers;
  }

  /** Features per sample in. */
  public int inputDim() {
    return layers.get(0).inSize();
  }

  /** Classes (the last layer's width). */
  public int classes() {
    return classes;
  }

  /**
   * Every layer's output for {@code rows} samples of {@code x} [rows, inputDim]: ReLU outputs for the hidden
   * layers, the logits last; each [rows, outSize] row-major.
   */
  public List<float[]> activations(float[] x, int rows) {
    List<float[]> out = new ArrayList<>();
    float[] h = x;
    for (int l = 0; l < layers.size(); l++) {
      ReluLayer layer = layers.get(l);
      int n = layer.outSize();
      float[] z = new float[rows * n];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(layer.bias(), 0, z, r * n, n);
        layer.accumulate(h, r * layer.inSize(), z, r * n);
      }
      if (l < layers.size() - 1) {
        for (int i = 0; i < z.length; i++) {
          z[i] = Math.max(z[i], 0f);
        }
      }
      out.add(z);
      h = z;
    }
    return out;
  }

  /** The most probable class of every row of a raw dataset. */
  public int[] classify(Dataset raw) {
    if (raw.cols() != inputDim()) {
      throw new IllegalArgumentException("the network takes " + inputDim() + " features but dataset '" + raw.name()
          + "' has " + raw.cols());
    }
    List<float[]> a = activations(raw.features(), raw.rows());
    float[] logits = a.get(a.size() - 1);
    int[] pred = new int[raw.rows()];
    for (int r = 0; r < raw.rows(); r++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[r * classes + c] > logits[r * classes + best]) {
          best = c;
        }
      }
      pred[r] = best;
    }
    return pred;
  }

  /** Accuracy on a raw dataset. */
  public double accuracy(Dataset raw) {
    int[] p = classify(raw);
    int ok = 0;
    for (int r = 0; r < p.length; r++) {
      ok += p[r] == raw.labels()[r] ? 1 : 0;
    }
    return p.length == 0 ? 0 : (double) ok / p.length;
  }
}
