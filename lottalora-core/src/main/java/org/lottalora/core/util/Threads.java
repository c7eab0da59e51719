package org.lottalora.core.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Thread settings for ND4J's native code. On a small machine ND4J's defaults oversubscribe the cores (the
 * OpenMP pool, the BLAS pool and the Java threads all start one thread per core); for the batch sizes this
 * toolkit trains with, one native thread per training process was measured fastest on 2 cores (see
 * benchmarks/RESULTS.md), so that is the default. {@code --threads} or {@code $LOTTALORA_THREADS} override it.
 */
public final class Threads {
  private static volatile int applied;
  private static volatile int generation;

  private Threads() {}

  /** The thread count to use: {@code $LOTTALORA_THREADS} if set, else 1. */
  public static int defaultCount() {
    return defaultCount(1);
  }

  /**
   * The thread count to use for a family whose training measured fastest on {@code fastest} threads (on this project's
   * 2-core machines, RESULTS 17.1: 2 for the byte LM and the CNN, 1 for the MLP and the ViT at rank 8): {@code
   * $LOTTALORA_THREADS} if set, else {@code fastest}, at most the cores there are. Results do not depend on it.
   */
  public static int defaultCount(int fastest) {
    String env = System.getenv("LOTTALORA_THREADS");
    if (env != null && !env.isBlank()) {
      try {
        int n = Integer.parseInt(env.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException ignored) {
        // fall through to the default
      }
      throw new IllegalArgumentException("LOTTALORA_THREADS must be a whole number >= 1, got '" + env + "'");
    }
    return Math.max(1, Math.min(fastest, Runtime.getRuntime().availableProcessors()));
  }

  /** Sets ND4J's OpenMP and BLAS thread counts to {@code n}. */
  public static void apply(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + n);
    }
    Nd4j.getEnvironment().setMaxThreads(n); // initializes the backend first
    // the OpenMP pool that libnd4j's reductions use is sized from $OMP_NUM_THREADS at load; resize it too
    org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
    // ND4J calls System.gc() every few seconds to reclaim off-heap memory; the trainer reuses its buffers,
    // and the forced collections showed up as 2x swings in epoch throughput
    Nd4j.getMemoryManager().togglePeriodicGc(false);
    applied = n;
    generation++;
  }

  /**
   * How many times {@link #apply} has run: code that changes a native thread setting after it (the engine puts
   * OpenBLAS on one thread) knows from a new value that its change was undone.
   */
  public static int generation() {
    return generation;
  }

  /**
   * Runs {@code call} with ND4J on one thread, then restores the count in force (or, if none was applied, the
   * machine's core count). For native reductions whose summation order, and so whose last bits, would
   * otherwise depend on the thread count (LAPACK's blocked Cholesky, BLAS products of some shapes).
   */
  public static synchronized void single(Runnable call) {
    int before = applied;
    if (before != 1) {
      apply(1);
    }
    try {
      call.run();
    } finally {
      if (before != 1) {
        apply(before > 0 ? before : Runtime.getRuntime().availableProcessors());
        applied = before;
      }
    }
  }

  /** The count last applied, 0 if none. */
  public static int applied() {
    return applied;
  }
}
