package org.lottalora.models.conversion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.Dataset;

/**
 * A converted network of integrate-and-fire neurons (threshold 1, no leak, membrane starting at 0) over the weights
 * of a normalised {@link ReluNetwork}, and its clock-driven simulation. Per step, layer by layer: the input current
 * is the layer's bias (a constant current) plus its weights applied to the previous layer's spikes (or, for the
 * first layer, to the constant-current image or its Poisson spikes); the membrane adds it, every neuron at or above
 * threshold spikes once and resets by subtraction or to zero. The output layer spikes too; the predicted class is
 * the one with the most output spikes so far, ties broken by the higher membrane potential. With reset by
 * subtraction, spikes plus membrane equal the integrated input exactly, so the rule is then the same as reading the
 * accumulated logits of the simulation.
 *
 * <p>This is a simulator of its own rather than {@link org.lottalora.models.snn.Network}: that one is built for
 * learning networks (traces, rules, delays, per-connection objects and monitors per step), while a converted
 * network needs only the three lines above per layer. Products are event-driven ({@link ReluLayer#addSpikes}): each
 * spike adds one contiguous weight row, so a step costs its spikes times the layer width instead of a full GEMM,
 * with no copies to and from ND4J; at the rates converted networks fired in benchmarks/results/snn-conversion
 * (0.06 to 0.17 spikes per neuron per step) that is 6-17% of a dense product's multiply-adds, and the first layer's
 * product under constant-current input is computed once per image, not per step. (A batched GEMM version was not
 * built to compare against; this one simulates 10,000 Fashion-MNIST images of a 784-512-256-128-64-10 network for
 * 500 steps in about 40 s on 2 cores.) Samples are
 * independent and run in parallel over {@code threads}; the result does not depend on the thread count. Every
 * Poisson draw comes from the project's Philox stream keyed by the seed, the row index and the step, so a run
 * depends only on its seed, and the clean and occluded copies of an image see the same draws.
 */
public final class SpikingNetwork {
  /** The Philox stream name of the Poisson input draws. */
  public static final String POISSON_STREAM = "snn-conversion/poisson-input";
  private static final float THRESHOLD = 1f;
  private static final int CHUNK = 16;

  private final ReluNetwork network;
  private final double inputScale;
  private final Reset reset;
  private final InputCoding coding;
  private final long seed;

  /**
   * The spiking twin of a normalised network.
   *
   * @param network normalised weights (see {@link WeightNormalization})
   * @param inputScale raw features are divided by it (lambda_in)
   */
  public SpikingNetwork(ReluNetwork network, double inputScale, Reset reset, InputCoding coding, long seed) {
    if (!(inputScale > 0)) {
      throw new IllegalArgumentException("the input scale must be positive, got " + inputScale);
    }
    this.network = network;
    this.inputScale = inputScale;
    this.reset = reset;
    this.coding = coding;
    this.seed = seed;
  }

  /** The normalised weights it runs on. */
  public ReluNetwork network() {
    return network;
  }

  /** lambda_in: raw features are divided by it. */
  public double inputScale() {
    return inputScale;
  }

  /** The reset rule. */
  public Reset reset() {
    return reset;
  }

  /** The input coding. */
  public InputCoding coding() {
    return coding;
  }

  /** Spiking neurons (hidden and output). */
  public long neurons() {
    long n = 0;
    for (ReluLayer l : network.layers()) {
      n += l.outSize();
    }
    return n;
  }

  /**
   * Checks simulation times: at least one, each at least one step.
   *
   * @return the checkpoints sorted ascending without repeats
   * @throws IllegalArgumentException for none, or a time below one step
   */
  public static int[] checkpoints(int[] steps) {
    if (steps == null || steps.length == 0) {
      throw new IllegalArgumentException("give at least one simulation time in steps");
    }
    for (int s : steps) {
      if (s < 1) {
        throw new IllegalArgumentException("a simulation time must be at least 1 step, got " + s);
      }
    }
    return Arrays.stream(steps).sorted().distinct().toArray();
  }

  /**
   * Simulates every row of a raw dataset for the largest of {@code steps} and records the accuracy and activity at
   * each of them (one run, read at its checkpoints).
   *
   * @throws IllegalArgumentException for a bad simulation time or a dataset of the wrong width
   */
  public SimulationResult simulate(Dataset raw, int[] steps, int threads) {
    int[] cps = checkpoints(steps);
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (raw.cols() != network.inputDim()) {
      throw new IllegalArgumentException("the network takes " + network.inputDim() + " features but dataset '"
          + raw.name() + "' has " + raw.cols());
    }
    long t0 = System.nanoTime();
    int rows = raw.rows();
    int[][] pred = new int[cps.length][rows];
    long[][] spikes = new long[cps.length][rows];
    int layers = network.layers().size();
    long[][] layerSpikes = new long[rows][layers];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int start = 0; start < rows; start += CHUNK) {
        int from = start;
        int to = Math.min(rows, start + CHUNK);
        jobs.add(pool.submit(() -> {
          Neurons state = new Neurons();
          for (int r = from; r < to; r++) {
            state.run(raw, r, cps, pred, spikes, layerSpikes[r]);
          }
        }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("simulation interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double[] acc = new double[cps.length];
    double[] rate = new double[cps.length];
    double neurons = neurons();
    for (int c = 0; c < cps.length; c++) {
      int ok = 0;
      long s = 0;
      for (int r = 0; r < rows; r++) {
        ok += pred[c][r] == raw.labels()[r] ? 1 : 0;
        s += spikes[c][r];
      }
      acc[c] = rows == 0 ? 0 : (double) ok / rows;
      rate[c] = rows == 0 ? 0 : s / (neurons * cps[c] * rows);
    }
    double[] layerRates = new double[layers];
    int last = cps[cps.length - 1];
    for (int l = 0; l < layers; l++) {
      long s = 0;
      for (int r = 0; r < rows; r++) {
        s += layerSpikes[r][l];
      }
      layerRates[l] = rows == 0 ? 0 : (double) s / ((double) network.layers().get(l).outSize() * last * rows);
    }
    return new SimulationResult(rows, cps, acc, rate, layerRates, pred, (System.nanoTime() - t0) / 1e9);
  }

  /** One worker's membrane, current and spike buffers, reused from sample to sample. */
  private final class Neurons {
    private final List<ReluLayer> layers = network.layers();
    private final int n = layers.size();
    private final float[][] v = new float[n][];
    private final float[][] current = new float[n][];
    private final int[][] fired = new int[n][];
    private final float[] first;
    private final float[] input;
    private final int[] inputSpikes;
    private final long[] words;
    private final int[] outCount;

    Neurons() {
      for (int l = 0; l < n; l++) {
        v[l] = new float[layers.get(l).outSize()];
        current[l] = new float[layers.get(l).outSize()];
        fired[l] = new int[layers.get(l).outSize()];
      }
      first = new float[layers.get(0).outSize()];
      input = new float[network.inputDim()];
      inputSpikes = new int[network.inputDim()];
      words = new long[(network.inputDim() + 3) / 4];
      outCount = new int[network.classes()];
    }

    void run(Dataset raw, int row, int[] cps, int[][] pred, long[][] spikes, long[] layerSpikes) {
      int dim = network.inputDim();
      float inv = (float) (1.0 / inputScale);
      for (int i = 0; i < dim; i++) {
        input[i] = raw.features()[row * dim + i] * inv;
      }
      for (int l = 0; l < n; l++) {
        Arrays.fill(v[l], 0f);
      }
      Arrays.fill(outCount, 0);
      ReluLayer l0 = layers.get(0);
      if (coding == InputCoding.CURRENT) { // the image as a constant current: layer 0's input is the same each step
        System.arraycopy(l0.bias(), 0, first, 0, first.length);
        l0.accumulate(input, 0, first, 0);
      }
      Stream draws = coding == InputCoding.POISSON ? new Stream(seed, POISSON_STREAM) : null;
      int total = cps[cps.length - 1];
      long sum = 0;
      int next = 0;
      for (int t = 0; t < total; t++) {
        float[] in0;
        if (draws != null) {
          int k = poisson(draws, (long) row * total + t);
          System.arraycopy(l0.bias(), 0, current[0], 0, current[0].length);
          l0.addSpikes(inputSpikes, k, current[0], 0);
          in0 = current[0];
        } else {
          in0 = first;
        }
        for (int l = 0; l < n; l++) {
          float[] vl = v[l];
          float[] cur = l == 0 ? in0 : current[l];
          int[] f = fired[l];
          int k = 0;
          for (int i = 0; i < vl.length; i++) {
            float m = vl[i] + cur[i];
            if (m >= THRESHOLD) {
              f[k++] = i;
              m = reset == Reset.SUBTRACT ? m - THRESHOLD : 0f;
            }
            vl[i] = m;
          }
          layerSpikes[l] += k;
          sum += k;
          if (l + 1 < n) {
            ReluLayer up = layers.get(l + 1);
            System.arraycopy(up.bias(), 0, current[l + 1], 0, current[l + 1].length);
            up.addSpikes(f, k, current[l + 1], 0);
          } else {
            for (int s = 0; s < k; s++) {
              outCount[f[s]]++;
            }
          }
        }
        if (t + 1 == cps[next]) {
          pred[next][row] = decide(v[n - 1]);
          spikes[next][row] = sum;
          next++;
        }
      }
    }

    // the inputs that spike at step (row, t): 16 bits of one Philox word per pixel, four pixels to a word
    private int poisson(Stream draws, long step) {
      int dim = input.length;
      draws.words(step * words.length, words, words.length);
      int k = 0;
      for (int i = 0; i < dim; i++) {
        double u = (((words[i >>> 2] >>> ((i & 3) << 4)) & 0xFFFF) + 0.5) / 65536.0;
        if (u < input[i]) {
          inputSpikes[k++] = i;
        }
      }
      return k;
    }

    private int decide(float[] membrane) {
      int best = 0;
      for (int c = 1; c < outCount.length; c++) {
        if (outCount[c] > outCount[best] || (outCount[c] == outCount[best] && membrane[c] > membrane[best])) {
          best = c;
        }
      }
      return best;
    }
  }
}
