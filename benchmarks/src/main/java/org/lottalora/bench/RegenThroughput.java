package org.lottalora.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * Backbone regeneration throughput: a ~100M-parameter backbone (24 layers of 4096 x 1024, the weight shapes
 * of a mid-sized Transformer's MLP blocks) regenerated with the default scaffold (normal, fan-in), median
 * parameters/s over repeats, for each thread count; the SHA-256 of every run must agree.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.RegenThroughput
 * [repeats] [init] [threads...]}
 */
public final class RegenThroughput {
  private RegenThroughput() {}

  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    InitSpec init = InitSpec.parse(args.length > 1 ? args[1] : "normal");
    List<Integer> threadCounts = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      threadCounts.add(Integer.parseInt(args[i]));
    }
    if (threadCounts.isEmpty()) {
      threadCounts = List.of(1, 2);
    }
    List<TensorSpec> tensors = new ArrayList<>();
    for (int l = 0; l < 24; l++) {
      tensors.add(TensorSpec.of("layers." + l + ".mlp.weight", new int[] {4096, 1024}, init));
    }
    long params = 24L * 4096 * 1024;
    String reference = null;
    Backbone.regenerate(0, tensors.subList(0, 2), 2); // warm the JIT
    for (int threads : threadCounts) {
      List<Double> rates = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        Backbone b = Backbone.regenerate(0, tensors, threads);
        double secs = (System.nanoTime() - t0) / 1e9;
        rates.add(params / secs);
        String h = Backbone.sha256(b.get("layers.23.mlp.weight")) + Backbone.sha256(b.get("layers.0.mlp.weight"));
        if (reference == null) {
          reference = h;
        } else if (!reference.equals(h)) {
          throw new IllegalStateException("hash differs at " + threads + " threads: the generator is not deterministic");
        }
      }
      rates.sort(Double::compare);
      System.out.printf(Locale.ROOT, "regenerate %s  %,d params  threads=%d  median %.1f M params/s  (%s)%n",
          init.canonical(), params, threads, rates.get(rates.size() / 2) / 1e6,
          rates.stream().map(x -> String.format(Locale.ROOT, "%.1f", x / 1e6)).toList());
    }
    System.out.println("hash (layers.23, layers.0) identical across all runs: " + reference.substring(0, 16) + "...");
  }
}
