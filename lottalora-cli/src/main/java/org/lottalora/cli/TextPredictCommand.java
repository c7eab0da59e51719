package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.models.transformer.TextModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora text predict}: labels of texts given on the command line. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "The most likely label of each TEXT and its probability (--json: every label's).")
final class TextPredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "Texts to classify.")
  List<String> texts;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "One JSON object per text.")
  boolean json;

  @Override
  public Integer call() {
    threads.apply();
    TextModel m = TextModel.load(model, trust.policy());
    PrintWriter o = spec.commandLine().getOut();
    for (String t : texts) {
      Map<String, Float> p = m.classify(t);
      String best = p.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("text", t);
        j.put("label", best);
        j.put("probabilities", p);
        o.println(Json.write(j));
      } else {
        o.printf(Locale.ROOT, "%s\t%.4f\t%s%n", best, p.get(best), t);
      }
    }
    o.flush();
    return 0;
  }
}
