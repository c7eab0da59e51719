package org.lottalora.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmPreset;
import org.lottalora.models.transformer.Targets;

/**
 * Builds an LM preset from its seed (regenerate every backbone value on all cores, make the model ready to run) and
 * sets the generator's rate per core beside this machine's memory write bandwidth, the physical limit for producing
 * the values: a plain {@code Arrays.fill} over the same number of floats, in as many threads.
 *
 * <p>Usage: {@code java -Xmx14g -cp benchmarks/target/benchmarks.jar org.lottalora.bench.PresetBuild [preset]
 * [repeats]}
 */
public final class PresetBuild {
  private PresetBuild() {}

  public static void main(String[] args) throws Exception {
    LmPreset preset = LmPreset.of(args.length > 0 ? args[0] : "900m");
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Threads.apply(1);
    int cores = Runtime.getRuntime().availableProcessors();
    ByteLm.Spec spec = preset.spec(0, InitSpec.DEFAULT, AdapterConfig.defaults(8), Targets.LM);
    long values = spec.modelValues();
    System.out.printf(Locale.ROOT, "preset %s: %,d values; %d cores; max heap %.1f GiB%n", preset.name(), values,
        cores, Runtime.getRuntime().maxMemory() / Math.pow(2, 30));
    List<Double> build = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      Backbone bb = Backbone.regenerate(spec.seed(), ByteLm.tensors(spec), cores);
      double regen = (System.nanoTime() - t0) / 1e9;
      ByteLm lm = new ByteLm(spec, bb);
      double s = (System.nanoTime() - t0) / 1e9;
      build.add(s);
      System.out.printf(Locale.ROOT, "build %d: %.1f s (%.1f M values/s, %.1f M per core), of which regeneration "
          + "%.1f s (%.1f M values/s) and making the model on the regenerated arrays %.1f s%n", r + 1, s,
          values / s / 1e6, values / s / 1e6 / cores, regen, bb.parameterCount() / regen / 1e6, s - regen);
      lm = null;
      bb = null;
    }
    // the memory write bandwidth: fill as many floats, in 64 MB arrays, one thread per core
    System.gc();
    int chunk = 16 << 20;
    int arrays = (int) Math.min(values / chunk, 60); // up to 3.75 GiB
    float[][] mem = new float[arrays][chunk];
    List<Double> fills = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      long t0 = System.nanoTime();
      Thread[] ts = new Thread[cores];
      for (int c = 0; c < cores; c++) {
        final int me = c;
        ts[c] = new Thread(() -> {
          for (int i = me; i < arrays; i += cores) {
            Arrays.fill(mem[i], 1f + me);
          }
        });
        ts[c].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      fills.add((double) arrays * chunk / ((System.nanoTime() - t0) / 1e9));
    }
    fills.sort(Double::compare);
    double rate = fills.get(1);
    build.sort(Double::compare);
    double med = build.get(build.size() / 2);
    System.out.printf(Locale.ROOT, "median build %.1f s = %.1f M values/s (%.1f M per core); memory write bandwidth "
        + "(%d threads, already-touched memory) %.0f M floats/s = %.1f GB/s, which would write the %,d values in %.2f s: "
        + "the generator runs at %.1f%% of it%n", med, values / med / 1e6, values / med / 1e6 / cores, cores,
        rate / 1e6, rate * 4 / 1e9, values, values / rate, 100 * values / med / rate);
  }
}
