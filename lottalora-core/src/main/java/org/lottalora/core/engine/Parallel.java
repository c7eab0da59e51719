package org.lottalora.core.engine;

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

  private Parallel() {
  }

  /** Threads the engine splits work over. */
  public static int threads() {
    int t = Threads.applied();
    return t > 0 ? t : 1;
  }

  private static synchronized Worker[] workers(int size) {
    if (workers.length < size) {
      Worker[] w = java.util.Arrays.copyOf(workers, size);
      for (int k = workers.length; k < size; k++) {
        w[k] = new Worker();
        w[k].start();
      }
      workers = w;
    }
    return workers;
  }

  private static Worker[] workers = new Worker[0];

  /**
   * One engine thread. A hand-off through an executor (a queue, a parked thread woken per task) cost 50-100 us on
   * this machine, and a byte-LM step hands off a few hundred times (every chunked product, norm and attention), so
   * a worker spins briefly for its next task before it parks, and the caller spins for its result (with the
   * executor, two threads trained the LM slower than one; 2-thread over 1-thread CNN steps went 1.4-1.5x -> 1.8x).
   */
  private static final class Worker extends Thread {
    private static final long SPIN_NANOS = 200_000;
    private volatile Runnable task;
    private volatile boolean done = true;
    private volatile Throwable failure;

    Worker() {
      super("lottalora-engine");
      setDaemon(true);
    }

    void submit(Runnable r) {
      failure = null;
      done = false;
      task = r;
      java.util.concurrent.locks.LockSupport.unpark(this);
    }

    // waits for the task: spinning first (tasks are short), then yielding the core
    Throwable await() {
      long start = System.nanoTime();
      while (!done) {
        if (System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      return failure;
    }

    @Override
    public void run() {
      while (true) {
        Runnable r = task;
        long start = System.nanoTime();
        while (r == null) {
          if (System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
          } else {
            java.util.concurrent.locks.LockSupport.park(this);
          }
          r = task;
        }
        task = null;
        try {
          r.run();
        } catch (Throwable e) {
          failure = e;
        }
        done = true;
      }
    }
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
    Worker[] w = workers(t - 1);
    blasOnOneThread();
    for (int k = 1; k < t; k++) {
      int from = (int) ((long) count * k / t);
      int to = (int) ((long) count * (k + 1) / t);
      w[k - 1].submit(() -> {
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
    Throwable theirs = null;
    for (int k = 1; k < t; k++) {
      Throwable f = w[k - 1].await();
      if (theirs == null) {
        theirs = f;
      }
    }
    if (mine != null) {
      throw mine;
    }
    if (theirs instanceof RuntimeException re) {
      throw re;
    }
    if (theirs instanceof Error er) {
      throw er;
    }
    if (theirs != null) {
      throw new IllegalStateException(theirs);
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
