package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.transformer.TextCsv;
import org.lottalora.models.transformer.TextModel;
import org.lottalora.models.transformer.TextTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora text eval}: accuracy of a text classifier on a CSV. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Accuracy of a text classifier: on the test part of the CSV it was trained on (default), or on "
        + "every row of another CSV with --data.")
final class TextEvalCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--data", paramLabel = "CSV", description = "text,label rows to score (all of them).")
  Path data;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    threads.apply();
    TextModel m = TextModel.load(model, trust.policy());
    Path file = data != null ? data : Path.of(m.data());
    TextCsv d = TextCsv.read(file, m.model().spec().maxLen(), m.truncate(), m.classes());
    int[] rows = data != null ? java.util.stream.IntStream.range(0, d.size()).toArray()
        : TextTrainer.split(d.size(), m.splitSeed())[2];
    double acc = TextTrainer.accuracy(m.model(), d, rows);
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("data", file.toString());
      j.put("part", data != null ? "all" : "test");
      j.put("texts", rows.length);
      j.put("accuracy", acc);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s on %s (%s, %,d texts): accuracy %.4f%n", model, file, data != null ? "all rows"
          : "test part", rows.length, acc);
    }
    o.flush();
    return 0;
  }
}
