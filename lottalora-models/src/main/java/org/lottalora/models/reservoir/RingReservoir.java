package org.lottalora.models.reservoir;

import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;

/**
 * A reservoir of differentiating-neuron ring oscillators coupled by a small-world graph (after Yeung et al.
 * 2025), simulated in discrete time, one step per propagation delay. Each neuron is an RC high-pass stage
 * followed by an inverting comparator with hysteresis:
 * <pre>
 *   I_i = o_pred(i) + epsilon * mean over coupled rings q of o_q[pos(i) mod |q|] + (Win w(t))_i
 *   h_i = I_i - c_i;   c_i += (I_i - c_i) / tau          (high-pass output h, capacitor voltage c)
 *   o_i = 0 if h_i > threshold, 1 if h_i < -threshold, else unchanged
 * </pre>
 * All neurons update together from the previous step's outputs. An odd ring carries an edge around forever
 * (period 2n); coupling and input shift edge timing, which is the computation. Ring sizes (odd, uniform in the
 * range) come from stream "ring.sizes", the coupling graph from "ring.graph", the input matrix is backbone
 * tensor "ring.Win" [neurons, window]. Rings start with alternating outputs and charged capacitors
 * ({@code c_i = o_pred(i)}, so nothing moves) except the first neuron of each ring, whose capacitor holds the
 * opposite charge: that one edge is what starts the ring. An image is read along its Hilbert curve through a sliding window; the features are the
 * capacitor voltages at {@code samples} evenly spaced steps, plus a constant 1.
 *
 * <p>This is our discrete-time reading of the circuit, not a transcription of the paper's equations.
 */
public final class RingReservoir implements FeatureMap {
  private final RingSpec spec;
  private final int height;
  private final int width;
  private final int[] ringStart;
  private final int neurons;
  private final int[] pred;
  private final int[][] coupled;
  private final Csr win;
  private final int[] order;
  private final int steps;
  private final int[] sampleAt;

  /** Builds the reservoir for {@code height x width} images from the seed. */
  public RingReservoir(RingSpec spec, int height, int width, long seed) {
    this.spec = spec;
    this.height = height;
    this.width = width;
    int[] sizes = sizes(spec, seed);
    ringStart = new int[spec.rings() + 1];
    for (int r = 0; r < spec.rings(); r++) {
      ringStart[r + 1] = ringStart[r] + sizes[r];
    }
    neurons = ringStart[spec.rings()];
    pred = new int[neurons];
    int[] ringOf = new int[neurons];
    for (int r = 0; r < spec.rings(); r++) {
      for (int j = 0; j < sizes[r]; j++) {
        int i = ringStart[r] + j;
        pred[i] = ringStart[r] + (j + sizes[r] - 1) % sizes[r];
        ringOf[i] = r;
      }
    }
    int[][] graph = WattsStrogatz.generate(spec.rings(), spec.neighbours(), spec.rewireP(),
        new Stream(seed, "ring.graph"));
    coupled = new int[neurons][];
    for (int i = 0; i < neurons; i++) {
      int r = ringOf[i];
      int pos = i - ringStart[r];
      int[] nb = graph[r];
      coupled[i] = new int[nb.length];
      for (int k = 0; k < nb.length; k++) {
        int q = nb[k];
        coupled[i][k] = ringStart[q] + pos % sizes[q];
      }
    }
    if (spec.window() > height * width) {
      throw new IllegalArgumentException("--window " + spec.window() + " is longer than the image (" + height + "x"
          + width + " = " + height * width + " pixels)");
    }
    Backbone bb = Backbone.regenerate(seed, tensorSpecs(spec, neurons), 1);
    win = Csr.of(bb.get("ring.Win"), neurons, spec.window(), spec.inputScaling());
    order = HilbertCurve.order(height, width);
    int windows = (order.length - spec.window()) / spec.stride() + 1;
    steps = spec.settle() + windows;
    sampleAt = new int[spec.samples()];
    for (int s = 0; s < spec.samples(); s++) {
      sampleAt[s] = spec.settle() + (int) Math.round((s + 1) * (double) windows / spec.samples()) - 1;
    }
  }

  /** The ring sizes a seed draws: odd, uniform over the odd sizes in [minRing, maxRing]. */
  static int[] sizes(RingSpec spec, long seed) {
    int lo = spec.minRing() % 2 == 1 ? spec.minRing() : spec.minRing() + 1;
    int choices = (spec.maxRing() - lo) / 2 + 1;
    Stream s = new Stream(seed, "ring.sizes");
    int[] out = new int[spec.rings()];
    for (int r = 0; r < out.length; r++) {
      out[r] = lo + 2 * (int) Math.min(choices - 1, Math.floor(Stream.uniform(s.word(r)) * choices));
    }
    return out;
  }

  /** The backbone tensors: the input matrix only (rings and graph are structure, drawn from their streams). */
  public static List<TensorSpec> tensorSpecs(RingSpec spec, int neurons) {
    return List.of(TensorSpec.of("ring.Win", new int[] {neurons, spec.window()},
        new InitSpec(InitFamily.SPARSE_NORMAL, Map.of("p", spec.inputDensity(), "sigma", 1.0, "fanin", 0.0))));
  }

  /** Total neurons over all rings. */
  public int neurons() {
    return neurons;
  }

  /** Simulation steps per image (settle + windows). */
  public int steps() {
    return steps;
  }

  /** The settings. */
  public RingSpec spec() {
    return spec;
  }

  @Override
  public int featureCount() {
    return neurons * spec.samples() + 1;
  }

  @Override
  public double[] features(float[] image) {
    return simulate(image, null);
  }

  /** Every neuron's comparator output at every step (for tests and plots of the oscillation). */
  byte[][] outputs(float[] image) {
    byte[][] trace = new byte[steps][];
    simulate(image, trace);
    return trace;
  }

  private double[] simulate(float[] image, byte[][] trace) {
    if (image.length != height * width) {
      throw new IllegalArgumentException("image has " + image.length + " values, the reservoir reads " + height + "x"
          + width);
    }
    double[] c = new double[neurons];
    byte[] o = new byte[neurons];
    byte[] next = new byte[neurons];
    for (int r = 0; r < spec.rings(); r++) {
      for (int i = ringStart[r]; i < ringStart[r + 1]; i++) {
        o[i] = (byte) ((i - ringStart[r]) % 2);
      }
    }
    for (int i = 0; i < neurons; i++) {
      c[i] = o[pred[i]];
    }
    for (int r = 0; r < spec.rings(); r++) {
      c[ringStart[r]] = 1 - o[pred[ringStart[r]]];
    }
    double[] window = new double[spec.window()];
    double[] f = new double[featureCount()];
    f[0] = 1;
    int sample = 0;
    double eps = spec.epsilon();
    double tauInv = 1.0 / spec.tau();
    double th = spec.threshold();
    for (int t = 0; t < steps; t++) {
      int w = t - spec.settle();
      if (w >= 0) {
        int base = w * spec.stride();
        for (int j = 0; j < window.length; j++) {
          window[j] = image[order[base + j]];
        }
      }
      for (int i = 0; i < neurons; i++) {
        double in = o[pred[i]];
        int[] cp = coupled[i];
        if (cp.length > 0) {
          double s = 0;
          for (int q : cp) {
            s += o[q];
          }
          in += eps * s / cp.length;
        }
        if (w >= 0) {
          in += win.rowDot(i, window);
        }
        double h = in - c[i];
        c[i] += h * tauInv;
        next[i] = h > th ? 0 : h < -th ? 1 : o[i];
      }
      byte[] tmp = o;
      o = next;
      next = tmp;
      if (trace != null) {
        trace[t] = o.clone();
      }
      if (sample < sampleAt.length && t == sampleAt[sample]) {
        System.arraycopy(c, 0, f, 1 + sample * neurons, neurons);
        sample++;
      }
    }
    return f;
  }
}
