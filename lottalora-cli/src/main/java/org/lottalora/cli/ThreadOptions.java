package org.lottalora.cli;

import org.lottalora.core.util.Threads;
import picocli.CommandLine.Option;

/** The {@code --threads} option of commands that run a model, and applying it before any ND4J work. */
final class ThreadOptions {
  @Option(names = "--threads", description = "ND4J threads (default: $LOTTALORA_THREADS or 1, measured fastest on 2 cores).")
  Integer threads;

  /** Sets the native thread count; returns it. */
  int apply() {
    int n = threads != null ? threads : Threads.defaultCount();
    Threads.apply(n);
    return n;
  }
}
