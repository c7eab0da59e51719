package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.SequenceCsv;
import org.lottalora.models.recurrent.SequenceData;
import org.lottalora.models.recurrent.SequenceSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora sequence predict}: class and probabilities per series, as CSV. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Predict with a saved recurrent model: one CSV line per series (index, class, then the probability "
        + "of every class), for the series of a CSV file (id,time,f1,...,label; standardised as in training) or, "
        + "by default, the test share of the data the model was trained on.")
final class SequencePredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The .lotta sequence model.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--csv", description = "Series to predict, in the training CSV layout.")
  Path csv;

  @Option(names = "--pad", description = "Allow series of different lengths (padding is masked).")
  boolean pad;

  @Option(names = "--limit", defaultValue = "0", description = "Print at most this many lines (0: all).")
  int limit;

  @Override
  public Integer call() {
    RecurrentModel m = RecurrentModel.load(model, trust.policy());
    float[][] p;
    if (csv != null) {
      SequenceSet raw = SequenceCsv.read(csv, pad);
      if (raw.features() != m.network().spec().inputs()) {
        throw new IllegalArgumentException(csv + " has " + raw.features() + " features per step, the model takes "
            + m.network().spec().inputs());
      }
      p = m.probabilities(raw);
    } else {
      SequenceData d = SequenceData.load(m.data(), m.splitSeed(), m.maxTrain(), m.pad(), true, null);
      p = org.lottalora.models.recurrent.RecurrentTrainer.probabilities(m.network(), d.test());
    }
    PrintWriter o = spec.commandLine().getOut();
    StringBuilder head = new StringBuilder("series,class");
    for (int c = 0; c < m.network().spec().classes(); c++) {
      head.append(",p").append(c);
    }
    o.println(head);
    for (int i = 0; i < p.length && (limit <= 0 || i < limit); i++) {
      int best = 0;
      for (int c = 1; c < p[i].length; c++) {
        best = p[i][c] > p[i][best] ? c : best;
      }
      StringBuilder b = new StringBuilder().append(i).append(',').append(best);
      for (float v : p[i]) {
        b.append(',').append(String.format(Locale.ROOT, "%.6f", v));
      }
      o.println(b);
    }
    o.flush();
    return 0;
  }
}
