package org.lottalora.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The r*(eps) tolerances of a sweep report. */
final class ReportOptions {
  @Option(names = "--eps-points", split = ",", defaultValue = "1,2", description = "Accuracy tolerances for r*, "
      + "in accuracy points (default: ${DEFAULT-VALUE}).")
  List<Double> epsPoints;

  @Option(names = "--eps-loss", split = ",", description = "Loss tolerances for r*, in nats (default: none).")
  List<Double> epsLoss;

  @Option(names = "--pca-variance", split = ",", defaultValue = "0.99,0.95", description = "Shares of variance for "
      + "the PCA counts beside r* (default: ${DEFAULT-VALUE}).")
  List<Double> pcaShares;

  void check() {
    for (double s : pcaShares) {
      if (!(s > 0 && s <= 1)) {
        throw new IllegalArgumentException("--pca-variance takes shares in (0, 1], got " + s);
      }
    }
    for (double e : epsPoints) {
      if (!(e >= 0) || e > 100) {
        throw new IllegalArgumentException("--eps-points must be in [0, 100] accuracy points, got " + e);
      }
    }
    for (double e : lossEps()) {
      if (!(e >= 0) || !Double.isFinite(e)) {
        throw new IllegalArgumentException("--eps-loss must be a finite number >= 0 (nats), got " + e);
      }
    }
  }

  List<Double> accEps() {
    return epsPoints.stream().map(e -> e / 100).toList();
  }

  List<Double> lossEps() {
    return epsLoss == null ? List.of() : epsLoss;
  }

  /** The loss tolerances; for a family scored by loss (the LM), 0.05 and 0.1 nats unless --eps-loss is given. */
  List<Double> lossEps(String family) {
    if (epsLoss == null && org.lottalora.core.family.FamilyRegistry.all().containsKey(family)
        && org.lottalora.core.family.FamilyRegistry.get(family).metric()
            == org.lottalora.core.sweep.IntrinsicDimension.Metric.LOSS) {
      return List.of(0.05, 0.1);
    }
    return lossEps();
  }

  static String machine(int workers) {
    return String.format(Locale.ROOT, "Machine: %d cores, %s %s, %d worker%s x 1 native thread.",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), workers, workers == 1 ? "" : "s");
  }
}
