package org.lottalora.models.sweep;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.lottalora.core.LottaException;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.core.util.Threads;
import org.lottalora.models.LottaModel;

/**
 * Runs a sweep's unfinished runs on a pool of workers, each with one native thread so that workers do not
 * fight over cores, and shows one progress line per finished run (runs done of total, the run, its metrics,
 * the ETA). Finished runs are skipped; a run whose result does not read back is reported and run again.
 */
public final class SweepRunner {
  private SweepRunner() {}

  /**
   * What a call did.
   *
   * @param total runs in the grid
   * @param skipped runs already finished before this call
   * @param ran runs trained by this call
   * @param rerun of those, runs whose earlier result was corrupt
   * @param wallSeconds this call's wall time
   */
  public record Summary(int total, int skipped, int ran, int rerun, double wallSeconds) {}

  /** A worker count for this machine: one per core, at most the number of runs. */
  public static int defaultWorkers(int runs) {
    return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), runs));
  }

  /**
   * Runs every unfinished run of the store's config.
   *
   * @param out where progress lines go (null: silent)
   * @throws IllegalArgumentException if the grid cannot be built for this data (e.g. a rank above a width)
   */
  public static Summary run(SweepStore store, int workers, PrintStream out) {
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
    }
    List<RunSpec> all = store.config().runs();
    Pending p = pending(store, out);
    List<RunSpec> todo = p.todo();
    int rerun = p.rerun();
    int skipped = all.size() - todo.size();
    if (!todo.isEmpty()) {
      preflight(todo);
    }
    Threads.apply(1);
    long t0 = System.nanoTime();
    if (out != null) {
      out.printf(Locale.ROOT, "sweep: %d runs, %d finished before, %d to run on %d worker%s (1 native thread each)%n",
          all.size(), skipped, todo.size(), workers, workers == 1 ? "" : "s");
    }
    AtomicInteger done = new AtomicInteger(skipped);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, Math.max(1, todo.size())));
    try {
      List<Future<RunResult>> fs = new ArrayList<>();
      for (RunSpec r : todo) {
        fs.add(pool.submit(() -> {
          RunResult res = RunTask.run(r, prepare(store, r));
          store.write(res);
          int n = done.incrementAndGet();
          if (out != null) {
            double el = (System.nanoTime() - t0) / 1e9;
            int ranHere = n - skipped;
            double eta = el / ranHere * (all.size() - n);
            synchronized (out) {
              out.printf(Locale.ROOT, "[%d/%d] %-40s acc %.4f  loss %.4f  %5.1f s%s  | elapsed %s, ETA %s%n", n,
                  all.size(), r.label(), res.testAccuracy(), res.testLoss(), res.wallSeconds(),
                  res.failure() == null ? "" : "  (" + res.failure() + ")", clock(el), clock(eta));
            }
          }
          return res;
        }));
      }
      for (Future<RunResult> f : fs) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new LottaException("a sweep run failed: " + c, c);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LottaException("sweep interrupted; rerun the same command to continue");
    } finally {
      pool.shutdownNow();
    }
    return new Summary(all.size(), skipped, todo.size(), rerun, (System.nanoTime() - t0) / 1e9);
  }

  /** The runs still to do (never run, or whose record is torn), and how many of them are reruns. */
  public record Pending(List<RunSpec> todo, int rerun) {}

  /**
   * Sorts the store's runs: finished ones are skipped, missing ones are to do, torn or unreadable records are run
   * again (said on {@code out}, which may be null). The one resume rule every sweep runner follows.
   */
  public static Pending pending(SweepStore store, PrintStream out) {
    List<RunSpec> todo = new ArrayList<>();
    int rerun = 0;
    for (RunSpec r : store.config().runs()) {
      switch (store.status(r)) {
        case DONE -> { }
        case CORRUPT -> {
          if (out != null) {
            out.println("sweep: run " + r.id() + " (" + r.label() + ") left an unreadable result ("
                + store.whyCorrupt(r) + "); running it again");
          }
          rerun++;
          todo.add(r);
        }
        default -> todo.add(r);
      }
    }
    return new Pending(todo, rerun);
  }

  private static java.nio.file.Path prepare(SweepStore store, RunSpec r) throws java.io.IOException {
    java.nio.file.Files.createDirectories(store.runDir(r));
    return store.artifact(r);
  }

  /**
   * Builds the largest-rank model of the grid once, so a grid the data cannot build (widths or a CNN stack the
   * inputs do not fit; a rank above a layer's width is capped there, not refused) fails before any training;
   * callers run it before the sweep folder is created too, so that a refused grid leaves no sweep.json behind
   * that would then refuse the corrected command as "another sweep".
   *
   * @throws IllegalArgumentException naming what the grid cannot build
   */
  public static void preflight(List<RunSpec> runs) {
    RunSpec widest = runs.stream().filter(r -> !r.full()).max((a, b) -> Integer.compare(a.rank(), b.rank()))
        .orElse(runs.get(0));
    org.lottalora.core.family.Family f = org.lottalora.core.family.FamilyRegistry.get(widest.family());
    if (f instanceof org.lottalora.models.ModelFamily) {
      DataSplits d = RunTask.data(widest);
      LottaModel.create(RunTask.modelSpec(widest, d.train().cols(), RunTask.classes(d)));
    } else {
      f.check(widest);
    }
  }

  static String clock(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
  }
}
