package org.lottalora.bench;

import java.util.Arrays;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.graph.PlanEngine;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.models.LottaModel;
import org.lottalora.models.cnn.CnnFamily;

/**
 * Milliseconds per training step of the engine on a Plain-N CNN over 28x28 inputs (random values, batch 128), with
 * nothing else in the loop (no data loading, optimizer or validation): the number to watch while working on the
 * convolution path, and the ratio of two thread counts measured in one process, alternating, so the machine's
 * state (this one's steal time swings by a third) hits both alike.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.CnnStepBench [widths] [rank|full]
 * [steps] [rounds]}; prints the median per round for 1 and 2 threads.
 */
public final class CnnStepBench {
  private CnnStepBench() {}

  public static void main(String[] args) {
    String widths = args.length > 0 ? args[0] : "plain-20";
    String mode = args.length > 1 ? args[1] : "8";
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    boolean full = mode.equals("full");
    int rank = full ? 8 : Integer.parseInt(mode);
    int[] w = new CnnFamily().widthsFrom(widths, 784, 10);
    ModelSpec spec = new ModelSpec("cnn", 784, 10, w, 0, 0, InitSpec.DEFAULT, AdapterConfig.defaults(rank), full);
    PlanEngine e = LottaModel.create(spec).graph().engine();
    int n = 128;
    long[] words = new long[n * 784];
    new Stream(3, "bench/x").words(0, words, words.length);
    float[] x = new float[words.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Stream.uniform(words[i]);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    Threads.apply(1);
    for (int i = 0; i < 5; i++) { // JIT warm-up
      e.step(x, n, labels, java.util.Map.of(), 1.0);
    }
    for (int r = 0; r < rounds; r++) {
      for (int t = 1; t <= 2; t++) {
        Threads.apply(t);
        e.step(x, n, labels, java.util.Map.of(), 1.0);
        double[] ms = new double[steps];
        for (int s = 0; s < steps; s++) {
          long t0 = System.nanoTime();
          e.zeroGradients();
          e.step(x, n, labels, java.util.Map.of(), 1.0);
          ms[s] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%s %s threads=%d round %d: median %.1f ms/step = %.0f images/s%n", widths,
            full ? "full" : "rank " + rank, t, r + 1, ms[steps / 2], n * 1000 / ms[steps / 2]);
      }
    }
  }
}
