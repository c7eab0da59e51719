package org.lottalora.models.conversion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-based weight normalisation (Diehl et al. 2015; Rueckauer et al. 2017, section 2.3): an IF neuron with
 * threshold 1 fires at most once per step, so its rate saturates at 1 while a ReLU does not. Each layer l is scaled
 * by lambda_l, the p-th percentile of its positive activations over calibration data: {@code W_l <- W_l *
 * lambda_(l-1) / lambda_l}, {@code b_l <- b_l / lambda_l}, which leaves the network's function unchanged up to one
 * positive factor on the logits and brings the normalised activations, and so the target firing rates, to at most
 * 1 except for the top (100 - p) percent. The input gets the same treatment (lambda_in from the raw pixels), so a
 * Poisson input's spike probability is its scaled value. Only positive values count: a ReLU layer is mostly zeros,
 * which would drag a percentile taken over all values towards zero. Percentiles are nearest-rank; p = 100 is the
 * maximum. The output layer is normalised on its positive logits.
 */
public final class WeightNormalization {
  private WeightNormalization() {}

  /**
   * A normalised network and its scales.
   *
   * @param network the normalised network; it reads raw features divided by {@code inputScale}
   * @param inputScale lambda_in, the p-th percentile of the positive raw inputs
   * @param lambdas lambda_l of every layer, input side first, the output layer last
   */
  public record Normalised(ReluNetwork network, double inputScale, double[] lambdas) {}

  /**
   * Normalises {@code net} on {@code rows} raw calibration samples {@code x} [rows, inputDim] at percentile
   * {@code p} in (0, 100]. Works layer by layer, holding one layer's activations at a time.
   */
  public static Normalised normalise(ReluNetwork net, float[] x, int rows, double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("the normalisation percentile must be in (0, 100], got " + p);
    }
    if (rows < 1 || x.length != (long) rows * net.inputDim()) {
      throw new IllegalArgumentException("calibration needs at least one row of " + net.inputDim() + " features");
    }
    double inputScale = positivePercentile(x, p);
    List<ReluLayer> layers = net.layers();
    List<ReluLayer> out = new ArrayList<>();
    double[] lambdas = new double[layers.size()];
    double previous = inputScale;
    float[] h = x;
    for (int l = 0; l < layers.size(); l++) {
      ReluLayer layer = layers.get(l);
      float[] z = forward(layer, h, rows);
      lambdas[l] = positivePercentile(z, p);
      float[] bias = layer.bias().clone();
      for (int i = 0; i < bias.length; i++) {
        bias[i] = (float) (bias[i] / lambdas[l]);
      }
      out.add(layer.with((float) (previous / lambdas[l]), bias));
      previous = lambdas[l];
      for (int i = 0; i < z.length; i++) {
        z[i] = Math.max(z[i], 0f);
      }
      h = z;
    }
    return new Normalised(new ReluNetwork(out), inputScale, lambdas);
  }

  // z = W h + b for every row
  private static float[] forward(ReluLayer layer, float[] h, int rows) {
    int n = layer.outSize();
    float[] z = new float[rows * n];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(layer.bias(), 0, z, r * n, n);
      layer.accumulate(h, r * layer.inSize(), z, r * n);
    }
    return z;
  }

  /**
   * The nearest-rank p-th percentile of the positive values of {@code v}: the smallest value with at least p percent
   * of the positive values at or below it; 1 when none is positive (a silent layer needs no scaling).
   */
  public static double positivePercentile(float[] v, double p) {
    int n = 0;
    for (float f : v) {
      n += f > 0 ? 1 : 0;
    }
    if (n == 0) {
      return 1.0;
    }
    float[] pos = new float[n];
    int i = 0;
    for (float f : v) {
      if (f > 0) {
        pos[i++] = f;
      }
    }
    Arrays.sort(pos);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return pos[Math.min(Math.max(rank, 1), n) - 1];
  }
}
