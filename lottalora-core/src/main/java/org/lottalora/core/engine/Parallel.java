package org.lottalora.core.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.bytedeco.openblas.global.openblas;
import org.lottalora.core.util.Threads;

/**
 * Splits independent work (attention's sequence-head pairs, rows of a softmax) over the engine's threads. The
 * thread count is the one {@link Threads#apply} set ({@code --threads}), so one setting governs BLAS and Java
 * alike; while Java threads split work OpenBLAS runs on one thread, so the two never oversubscribe the cores.
 * Index {@code i} always runs the same code on its own data, so results do not depend on the thread count.
 */
public final class Parallel {
  private static ExecutorService pool;
  private static int poolSize;

  private Parallel() {
  }

  /** Threads the engine splits work over. */
  public static int threads() {
    int t = Threads.applied();
    return t > 0 ? t : 1;
  }

  private static synchronized ExecutorService pool(int size) {
    if (pool == null || poolSize < size) {
      if (pool != null) {
        pool.shutdown();
      }
      pool = Executors.newFixedThreadPool(size, r -> {
        Thread t = new Thread(r, "lottalora-engine");
        t.setDaemon(true);
        return t;
      });
      poolSize = size;
    }
    return pool;
  }

  /**
   * Runs {@code body} for every index in [0, count), split into contiguous ranges over the engine's threads (the
   * caller runs the first range). Exceptions from any range are rethrown.
   */
  public static void forEach(int count, IntConsumer body) {
    int t = Math.min(threads(), count);
    if (t <= 1) {
      for (int i = 0; i < count; i++) {
        body.accept(i);
      }
      return;
    }
    ExecutorService p = pool(t - 1);
    int blasThreads = openblas.blas_get_num_threads();
    openblas.blas_set_num_threads(1);
    try {
      @SuppressWarnings("unchecked")
      Future<?>[] rest = new Future<?>[t - 1];
      for (int k = 1; k < t; k++) {
        int from = (int) ((long) count * k / t);
        int to = (int) ((long) count * (k + 1) / t);
        rest[k - 1] = p.submit(() -> {
          for (int i = from; i < to; i++) {
            body.accept(i);
          }
        });
      }
      int end = count / t;
      for (int i = 0; i < end; i++) {
        body.accept(i);
      }
      for (Future<?> f : rest) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) {
            throw re;
          }
          if (c instanceof Error er) {
            throw er;
          }
          throw new IllegalStateException(c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while the engine's threads were working", e);
        }
      }
    } finally {
      openblas.blas_set_num_threads(blasThreads);
    }
  }

  /** A range [from, to) of indices. */
  @FunctionalInterface
  public interface Range {
    /** Runs the range. */
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over [0, count) split into one contiguous range per engine thread (element-wise passes: each
   * index is written by exactly one range, so the result does not depend on the split); ranges under 16k elements
   * are not split, the hand-off would cost more.
   */
  public static void forChunks(int count, Range body) {
    int t = Math.min(threads(), Math.max(1, count / (1 << 14)));
    if (t <= 1) {
      body.run(0, count);
      return;
    }
    forEach(t, k -> body.run((int) ((long) count * k / t), (int) ((long) count * (k + 1) / t)));
  }
}
