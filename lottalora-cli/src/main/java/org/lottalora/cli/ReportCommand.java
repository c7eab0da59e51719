package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lottalora.core.sweep.IntrinsicDimension;
import org.lottalora.core.sweep.IntrinsicDimension.Metric;
import org.lottalora.core.sweep.SweepReport;
import org.lottalora.core.sweep.SweepStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lottalora report}: rebuild a sweep's tables and plots from its finished runs. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Rebuild a sweep folder's report (runs.csv, report.json, report.md, plots as PNG and SVG) from "
        + "its finished runs, with r*(eps) for the given tolerances. Runs nothing.")
final class ReportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SWEEP_DIR", description = "The sweep folder.")
  Path dir;

  @Mixin
  ReportOptions report;

  @Override
  public Integer call() {
    report.check();
    SweepStore store = SweepStore.existing(dir);
    SweepReport.Written w = SweepReport.write(store, report.accEps(), report.lossEps(store.config().family()),
        org.lottalora.models.sweep.PcaAnalysis.of(store, report.pcaShares), store.wallSeconds(), store.machine());
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "report of %s: %d of %d runs finished; %s%n", dir, store.results().size(),
        store.config().runs().size(), dir.resolve("report.md"));
    printRStar(o, w.rStars());
    o.flush();
    return 0;
  }

  static void printRStar(PrintWriter o, List<IntrinsicDimension.RStar> all) {
    if (all.isEmpty()) {
      o.println("r*: needs finished full-training baselines and adapter runs of the same init");
    }
    for (IntrinsicDimension.RStar r : all) {
      o.printf(Locale.ROOT, "r*(%s) %s: %s%n", r.metric() == Metric.ACCURACY ? String.format(Locale.ROOT,
          "%.1f pt", 100 * r.eps()) : String.format(Locale.ROOT, "%.3f nats", r.eps()), r.group(), r.describe());
    }
  }
}
