package org.lottalora.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.models.transformer.LmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora generate}: samples text from a byte-level LM artifact. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Sample text from a byte-level LM: the prompt's UTF-8 bytes (or --prompt-file's bytes), then "
        + "--max-tokens bytes drawn with --temperature (0: greedy) among the --top-k most likely (0: all), "
        + "reproducibly for a --seed, with a KV cache (each new byte costs one step per block).")
final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--prompt", description = "Text to continue (at least one byte), encoded as UTF-8; text the "
      + "platform's encoding could not decode (U+FFFD) is refused: use a UTF-8 locale or --prompt-file.")
  String prompt;

  @Option(names = "--prompt-file", paramLabel = "FILE", description = "Continue the exact bytes of FILE (any "
      + "bytes, no decoding) instead of --prompt.")
  Path promptFile;

  /** Largest --prompt-file read: far above any context, small enough never to strain memory. */
  static final long MAX_PROMPT_FILE = 16L << 20;

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

  /**
   * The UTF-8 bytes of a prompt given as an argument, strictly. The JVM has already decoded the argument with
   * the platform's encoding and put U+FFFD where it could not (any non-ASCII byte under a C locale, invalid
   * UTF-8 under a UTF-8 one), so such a prompt is refused naming the position instead of being generated from
   * silently; an unpaired surrogate cannot be encoded and is refused too.
   *
   * @throws IllegalArgumentException naming the character position and the fix
   */
  static byte[] strictUtf8(String text, String platformEncoding) {
    int bad = text.indexOf('\uFFFD');
    if (bad >= 0) {
      throw new IllegalArgumentException("--prompt character " + (text.codePointCount(0, bad) + 1) + " is U+FFFD, "
          + "the mark of bytes the platform's encoding (" + platformEncoding + ") could not decode; use a UTF-8 "
          + "locale (e.g. LC_ALL=C.UTF-8) or pass the exact bytes with --prompt-file");
    }
    java.nio.charset.CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      java.nio.ByteBuffer b = enc.encode(java.nio.CharBuffer.wrap(text));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i += 2;
        } else if (Character.isSurrogate(c)) {
          break;
        } else {
          i++;
        }
      }
      throw new IllegalArgumentException("--prompt character " + (text.codePointCount(0, Math.min(i, text.length()))
          + 1) + " is an unpaired surrogate, not text; pass the exact bytes with --prompt-file");
    }
  }

  private byte[] promptBytes() throws IOException {
    if ((prompt == null) == (promptFile == null)) {
      throw new IllegalArgumentException("give the text to continue with --prompt TEXT or --prompt-file FILE "
          + "(exactly one)");
    }
    if (prompt != null) {
      return strictUtf8(prompt, System.getProperty("sun.jnu.encoding", "unknown"));
    }
    try {
      long size = Files.size(promptFile);
      if (size > MAX_PROMPT_FILE) {
        throw new IllegalArgumentException("--prompt-file " + promptFile + " is " + size + " bytes; a prompt "
            + "must fit the model's context, so give at most " + MAX_PROMPT_FILE + " bytes (e.g. its tail)");
      }
      return Files.readAllBytes(promptFile);
    } catch (NoSuchFileException e) {
      throw new LottaException("no such prompt file: " + promptFile);
    }
  }

  @Override
  public Integer call() throws IOException {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
    }
    if (temperature < 0 || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
    }
    byte[] pb = promptBytes();
    if (pb.length == 0) {
      throw new IllegalArgumentException((prompt != null ? "--prompt" : "--prompt-file " + promptFile)
          + " is empty; give at least one byte of text to continue");
    }
    threads.apply();
    LmModel m = LmModel.load(model, trust.policy());
    int context = m.lm().spec().context();
    if (maxTokens >= context) {
      throw new IllegalArgumentException("--max-tokens " + maxTokens + " leaves no room for the prompt in the "
          + "model's context of " + context + " bytes; use at most " + (context - 1));
    }
    byte[] used = pb;
    if (pb.length + maxTokens > context) {
      if (!truncate) {
        throw new IllegalArgumentException("the prompt (" + pb.length + " bytes) and --max-tokens " + maxTokens
            + " exceed the model's context of " + context + " bytes; shorten the prompt, lower --max-tokens, or "
            + "pass --truncate to keep the prompt's last " + (context - maxTokens) + " bytes");
      }
      // bytes, not characters: the model sees exactly the tail it is given, even inside a UTF-8 sequence
      used = java.util.Arrays.copyOfRange(pb, pb.length - (context - maxTokens), pb.length);
    }
    long t0 = System.nanoTime();
    String text = new String(m.generate(used, maxTokens, temperature, topK, seed), StandardCharsets.UTF_8);
    double secs = (System.nanoTime() - t0) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("prompt", new String(used, StandardCharsets.UTF_8));
      j.put("prompt_bytes", used.length);
      j.put("truncated", used.length != pb.length);
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
