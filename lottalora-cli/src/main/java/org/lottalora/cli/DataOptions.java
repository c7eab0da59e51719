package org.lottalora.cli;

import java.nio.file.Path;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import picocli.CommandLine.Option;

/** Options shared by commands that read a dataset. */
final class DataOptions {
  @Option(names = "--dataset", defaultValue = "digits",
      description = "digits (embedded), fashion-mnist, mnist, or a path to a .csv/.csv.gz file "
          + "(default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--data-dir", description = "Folder to look for dataset files in first.")
  Path dataDir;

  @Option(names = "--no-download", description = "Never download a missing dataset.")
  boolean noDownload;

  @Option(names = "--split-seed", description = "Seed of the train/validation/test split (default: 0, or the "
      + "model's for eval).")
  Long splitSeed;

  @Option(names = "--max-train", description = "Use at most this many training rows (quick runs).")
  Integer maxTrain;

  DataSplits load(long defaultSplitSeed) {
    long seed = splitSeed != null ? splitSeed : defaultSplitSeed;
    DataSplits d = Datasets.load(dataset, new Datasets.Options(dataDir, !noDownload, seed));
    if (maxTrain != null) {
      if (maxTrain < 1) {
        throw new IllegalArgumentException("--max-train must be at least 1, got " + maxTrain);
      }
      d = d.limit(maxTrain);
    }
    return d;
  }

  long splitSeedOr(long dflt) {
    return splitSeed != null ? splitSeed : dflt;
  }
}
