package org.lottalora.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.core.data.Inputs;
import org.lottalora.models.transformer.VitModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora vit predict}: class probabilities of raw pixel rows from CSV. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Classify images given as CSV rows of raw pixels (side x side values, a last label column is "
        + "allowed): the most likely class and its probability per row, accuracy when labels are present.")
final class VitPredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Parameters(index = "1", paramLabel = "CSV", description = "Pixel rows (optionally .gz).")
  Path input;

  @CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "One JSON object per row (JSON lines).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    threads.apply();
    VitModel m = VitModel.load(model, trust.policy());
    int features = m.vit().spec().side() * m.vit().spec().side();
    Inputs in;
    try (InputStream s = Files.newInputStream(input)) {
      InputStream r = input.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(s) : s;
      in = Inputs.csv(r, input.toString(), features);
    } catch (NoSuchFileException e) {
      throw new LottaException("no such input file: " + input);
    } catch (java.io.EOFException | java.util.zip.ZipException e) {
      throw org.lottalora.core.data.CsvReader.gzipError(input.toString(), e);
    }
    float[][] p = m.probabilities(in.rows());
    PrintWriter o = spec.commandLine().getOut();
    int correct = 0;
    for (int i = 0; i < p.length; i++) {
      int best = 0;
      for (int k = 1; k < p[i].length; k++) {
        best = p[i][k] > p[i][best] ? k : best;
      }
      if (in.labels() != null) {
        correct += in.labels()[i] == best ? 1 : 0;
      }
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("row", i);
        j.put("class", best);
        j.put("probability", p[i][best]);
        o.println(Json.write(j));
      } else {
        o.printf(Locale.ROOT, "%d\t%d\t%.4f%n", i, best, p[i][best]);
      }
    }
    if (in.labels() != null && !json) {
      o.printf(Locale.ROOT, "accuracy %.4f (%d of %d)%n", correct / (double) p.length, correct, p.length);
    }
    o.flush();
    return 0;
  }
}
