package org.lottalora.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora backbone}: the first values or the hash of one named tensor, to check other implementations. */
@Command(name = "backbone", mixinStandardHelpOptions = true,
    description = "Regenerate one named backbone tensor and print its first values and SHA-256 "
        + "(fp32 little-endian), so another implementation of philox4x64-10/v1 can be checked against ours.")
final class BackboneCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--seed", required = true, description = "Backbone seed (a signed 64-bit integer).")
  long seed;

  @Option(names = "--name", required = true, description = "Tensor name, e.g. layers.0.weight.")
  String name;

  @Option(names = "--shape", required = true, split = ",", description = "Canonical shape, e.g. 512,784.")
  int[] shape;

  @Option(names = "--init", defaultValue = "normal",
      description = "Init family and parameters, e.g. normal, cauchy:s=0.2 (default: ${DEFAULT-VALUE}).")
  String init;

  @Option(names = "--fan-in", description = "Override the fan-in (default: product of all dims but the first).")
  Integer fanIn;

  @Option(names = "--count", defaultValue = "8", description = "How many leading values to print (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--raw-words", defaultValue = "0", description = "Also print this many raw 64-bit stream words.")
  int rawWords;

  @Option(names = "--threads", description = "Generator threads (default: all cores); the bits never depend on it.")
  Integer threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (count < 0 || rawWords < 0) {
      throw new IllegalArgumentException("--count and --raw-words must be >= 0");
    }
    InitSpec is = InitSpec.parse(init);
    TensorSpec ts = fanIn == null ? TensorSpec.of(name, shape, is)
        : new TensorSpec(name, shape, is, fanIn, TensorSpec.defaultFanOut(shape));
    long t0 = System.nanoTime();
    Backbone b = Backbone.regenerate(seed, List.of(ts),
        threads == null ? Runtime.getRuntime().availableProcessors() : threads);
    double secs = (System.nanoTime() - t0) / 1e9;
    float[] v = b.get(name);
    float[] head = java.util.Arrays.copyOf(v, Math.min(count, v.length));
    long[] words = new long[rawWords];
    new Stream(seed, name).words(0, words, rawWords);
    PrintWriter out = spec.commandLine().getOut();
    String sha = Backbone.sha256(v);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("generator", Backbone.GENERATOR_ID);
      m.put("seed", seed);
      m.put("name", name);
      m.put("shape", shape);
      m.put("init", is.canonical());
      m.put("fan_in", ts.fanIn());
      m.put("size", v.length);
      m.put("sha256", sha);
      m.put("values", head);
      if (rawWords > 0) {
        List<String> hex = new java.util.ArrayList<>();
        for (long w : words) {
          hex.add(String.format(Locale.ROOT, "%016x", w));
        }
        m.put("raw_words", hex);
      }
      out.println(Json.write(m));
    } else {
      out.printf(Locale.ROOT, "%s  seed %d  %s%s  %s  fan_in %d%n", Backbone.GENERATOR_ID, seed, name,
          java.util.Arrays.toString(shape), is.canonical(), ts.fanIn());
      out.printf(Locale.ROOT, "sha256  %s  (%,d values, %.3f s)%n", sha, v.length, secs);
      for (int i = 0; i < head.length; i++) {
        out.printf(Locale.ROOT, "[%d] %s%n", i, Float.toString(head[i]));
      }
      for (int i = 0; i < rawWords; i++) {
        out.printf(Locale.ROOT, "word %d  %016x%n", i, words[i]);
      }
    }
    out.flush();
    return 0;
  }
}
