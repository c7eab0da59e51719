package org.lottalora.cli;

import org.lottalora.core.util.Threads;
import picocli.CommandLine.Option;

/** The {@code --threads} option of commands that run a model, and applying it before any ND4J work. */
final class ThreadOptions {
  @Option(names = "--threads", description = "Engine and BLAS threads (default: $LOTTALORA_THREADS, else the setting "
      + "measured fastest for the family on 2 cores: 2 to train the byte LM, 1 otherwise). Results do not "
      + "depend on it.")
  Integer threads;

  /** Sets the thread count (the family's default: 1); returns it. */
  int apply() {
    return apply(1);
  }

  /** Sets the thread count, {@code fastest} unless asked otherwise ({@link Threads#defaultCount(int)}); returns it. */
  int apply(int fastest) {
    int n = threads != null ? threads : Threads.defaultCount(fastest);
    Threads.apply(n);
    return n;
  }
}
