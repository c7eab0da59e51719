package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.transformer.LmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora generate}: samples text from a byte-level LM artifact. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Sample text from a byte-level LM: the prompt's UTF-8 bytes, then --max-tokens bytes drawn with "
        + "--temperature (0: greedy) among the --top-k most likely (0: all), reproducibly for a --seed, with a KV "
        + "cache (each new byte costs one step per block).")
final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--prompt", required = true, description = "Text to continue (at least one byte).")
  String prompt;

  @Option(names = "--max-tokens", defaultValue = "200", description = "Bytes to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0.8", description = "Softmax temperature, 0 for greedy "
      + "(default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "40", description = "Sample among the k most likely bytes, 0 for all "
      + "(default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--truncate", description = "Keep only the last bytes of a prompt that does not fit the context "
      + "with --max-tokens, instead of refusing it.")
  boolean truncate;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
    }
    if (temperature < 0 || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
    }
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("--prompt is empty; give at least one byte of text to continue");
    }
    threads.apply();
    LmModel m = LmModel.load(model, trust.policy());
    int context = m.lm().spec().context();
    if (maxTokens >= context) {
      throw new IllegalArgumentException("--max-tokens " + maxTokens + " leaves no room for the prompt in the "
          + "model's context of " + context + " bytes; use at most " + (context - 1));
    }
    byte[] pb = prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String used = prompt;
    if (pb.length + maxTokens > context) {
      if (!truncate) {
        throw new IllegalArgumentException("the prompt (" + pb.length + " bytes) and --max-tokens " + maxTokens
            + " exceed the model's context of " + context + " bytes; shorten the prompt, lower --max-tokens, or "
            + "pass --truncate to keep the prompt's last " + (context - maxTokens) + " bytes");
      }
      byte[] kept = java.util.Arrays.copyOfRange(pb, pb.length - (context - maxTokens), pb.length);
      used = new String(kept, java.nio.charset.StandardCharsets.UTF_8);
    }
    long t0 = System.nanoTime();
    String text = m.generate(used, maxTokens, temperature, topK, seed);
    double secs = (System.nanoTime() - t0) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("prompt", used);
      j.put("truncated", !used.equals(prompt));
      j.put("text", text);
      j.put("max_tokens", maxTokens);
      j.put("temperature", temperature);
      j.put("top_k", topK);
      j.put("seed", seed);
      j.put("seconds", secs);
      j.put("bytes_per_second", maxTokens / secs);
      o.println(Json.write(j));
    } else {
      o.println(text);
    }
    o.flush();
    return 0;
  }
}
