package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.transformer.ByteCorpus;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.LmTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora lm eval}: held-out loss, perplexity and bits per byte of a byte-level LM on a text. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Loss (nats/byte), perplexity and bits per byte of a byte-level LM on a UTF-8 text: by default "
        + "on the held-out tail of the split it was trained with, --whole for the whole file.")
final class LmEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data", paramLabel = "FILE", description = "UTF-8 text (default: the one it was trained on).")
  Path data;

  @Option(names = "--whole", description = "Score the whole file, not only the held-out tail.")
  boolean whole;

  @Option(names = "--seq-len", description = "Window (default: the training window).")
  Integer seqLen;

  @Option(names = "--eval-bytes", defaultValue = "0", description = "At most this many bytes (0: all; default: "
      + "${DEFAULT-VALUE}).")
  long evalBytes;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    threads.apply();
    LmModel m = LmModel.load(model, trust.policy());
    Path file = data != null ? data : Path.of(m.data());
    ByteCorpus c = ByteCorpus.read(file, m.validationFraction() > 0 ? m.validationFraction() : 0.1);
    byte[] text = whole ? concat(c.train(), c.validation()) : c.validation();
    int len = seqLen != null ? seqLen : m.seqLen() > 0 ? m.seqLen() : m.lm().spec().context();
    if (len > m.lm().spec().context()) {
      throw new IllegalArgumentException("--seq-len " + len + " is longer than the model's context of "
          + m.lm().spec().context());
    }
    long t0 = System.nanoTime();
    double loss = LmTrainer.evaluate(m.lm(), text, len, evalBytes);
    double secs = (System.nanoTime() - t0) / 1e9;
    long scored = evalBytes > 0 ? Math.min(evalBytes, text.length) : text.length;
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("data", file.toString());
      j.put("part", whole ? "whole" : "held-out");
      j.put("bytes", scored);
      j.put("seq_len", len);
      j.put("loss", loss);
      j.put("perplexity", Math.exp(loss));
      j.put("bits_per_byte", loss / Math.log(2));
      j.put("seconds", secs);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s on %s (%s, %,d bytes, windows of %d)%n", model, file, whole ? "whole file"
          : "held-out tail", scored, len);
      o.printf(Locale.ROOT, "loss %.4f nats/byte  perplexity %.3f  %.4f bits/byte  (%.1f s)%n", loss,
          Math.exp(loss), loss / Math.log(2), secs);
    }
    o.flush();
    return 0;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
