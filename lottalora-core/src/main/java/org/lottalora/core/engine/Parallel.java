package org.lottalora.core.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.bytedeco.openblas.global.openblas;
import org.lottalora.core.util.Threads;

/**
 * Splits independent work (attention's sequence-head pairs, rows of a softmax) over the engine's threads. The
 * thread count is the one {@link Threads#apply} set ({@code --threads}); once the engine splits work OpenBLAS runs
 * on one thread ({@link #blasOnOneThread}), so the two never oversubscribe the cores.
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
    // a split inside a split (or beside one, from another application thread) runs on its caller: the pool's
    // threads are busy, and waiting for them from one of them would never end
    if (t <= 1 || !BUSY.compareAndSet(false, true)) {
      for (int i = 0; i < count; i++) {
        body.accept(i);
      }
      return;
    }
    try {
      split(count, t, body);
    } finally {
      BUSY.set(false);
    }
  }

  private static final java.util.concurrent.atomic.AtomicBoolean BUSY = new java.util.concurrent.atomic.AtomicBoolean();

  private static volatile int singleSince = -1;

  /**
   * Puts OpenBLAS on one thread, where it stays until the next {@link Threads#apply}: the engine splits its work
   * over Java threads itself. Two reasons: a product OpenBLAS splits over threads can differ in its last bits from
   * the one-thread product (a few rows over a long inner size), which would make results depend on the thread
   * count; and its idle workers spin on the cores the Java threads need. It is not switched back after each split:
   * the JavaCPP call looks up four symbols each time (a tenth of a two-thread CNN step when it ran twice per pass).
   */
  static void blasOnOneThread() {
    int g = Threads.generation();
    if (singleSince != g) {
      openblas.blas_set_num_threads(1);
      singleSince = g;
    }
  }

  private static void split(int count, int t, IntConsumer body) {
    ExecutorService p = pool(t - 1);
    blasOnOneThread();
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
    RuntimeException mine = null;
    try {
      for (int i = 0; i < end; i++) {
        body.accept(i);
      }
    } catch (RuntimeException e) {
      mine = e; // the other ranges still finish before it is rethrown: they may be using the caller's buffers
    }
    for (Future<?> f : rest) {
      if (mine != null) {
        try {
          f.get();
        } catch (Exception ignored) {
          // the caller's own failure is the one reported
        }
        continue;
      }
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
    if (mine != null) {
      throw mine;
    }
  }

  /** A range [from, to) of indices run by one of the engine's threads, numbered {@code slot}. */
  @FunctionalInterface
  public interface SlotRange {
    /** Runs indices [from, to) on the thread numbered slot (0 is the caller). */
    void run(int slot, int from, int to);
  }

  /** The number of slots {@link #forSlots} splits {@code count} indices into: at most the engine's threads. */
  public static int slots(int count) {
    return Math.max(1, Math.min(threads(), count));
  }

  /**
   * Runs [0, count) as {@link #slots} contiguous ranges, one per thread, telling each range its slot number so it
   * can use scratch of its own (a convolution's columns per chunk of images). What an index computes must not
   * depend on its slot, so results do not depend on the thread count; so OpenBLAS runs on one thread here even
   * when there is only one range ({@link #blasOnOneThread}).
   */
  public static void forSlots(int count, SlotRange body) {
    int t = slots(count);
    if (t <= 1) {
      blasOnOneThread();
      body.run(0, 0, count);
      return;
    }
    forEach(t, k -> body.run(k, (int) ((long) count * k / t), (int) ((long) count * (k + 1) / t)));
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
    forChunks(count, 1 << 14, body);
  }

  /**
   * {@link #forChunks(int, Range)} for indices that stand for {@code count / least} hand-offs' worth of work: a
   * range gets at least {@code least} indices (rows of a norm, blocks of rows), else it is not split.
   */
  public static void forChunks(int count, int least, Range body) {
    int t = Math.min(threads(), Math.max(1, count / Math.max(1, least)));
    if (t <= 1) {
      body.run(0, count);
      return;
    }
    forEach(t, k -> body.run((int) ((long) count * k / t), (int) ((long) count * (k + 1) / t)));
  }
}
