package org.lottalora.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.lottalora.core.LottaException;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.sweep.SweepConfig;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.core.util.Threads;
import org.lottalora.models.sweep.RunTask;
import org.lottalora.models.sweep.SweepBackend;
import org.lottalora.models.sweep.SweepRunner;

/**
 * A sweep on Apache Spark: one task per unfinished run (one partition each, so the scheduler spreads them over
 * the executors' cores), each task self-contained: the run's spec travels as its JSON, the executor trains it
 * with {@link RunTask#run} on one native thread into a local temporary artifact, then uploads the artifact and
 * the result record into the shared sweep folder through Hadoop's FileSystem API, each atomically and the
 * record last, so that a record means a finished run. The folder layout and the record format are {@link
 * SweepStore}'s, so a sweep started locally can be finished on Spark and the other way round, and the driver
 * builds the same report.
 *
 * <p>For a {@code file:} folder (or a plain path) the driver reads and reports on the folder itself. For any
 * other scheme (hdfs://, s3a://) it keeps a local staging copy of sweep.json and the records, builds the report
 * there and uploads the report files; that path is written to be right but has only been run against local
 * folders.
 */
public final class SparkSweep implements SweepBackend {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)])?");

  /** For {@link java.util.ServiceLoader}. */
  public SparkSweep() {}

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public SweepRunner.Summary run(SweepConfig config, String folder, String master, PrintStream progress,
      BiConsumer<SweepStore, SweepRunner.Summary> report) {
    long t0 = System.nanoTime();
    String uri = folderUri(folder);
    SparkConf conf = sparkConf(master);
    boolean local = uri.startsWith("file:");
    Path staging = null;
    JavaSparkContext jsc = null;
    try {
      Path view;
      SharedFolder shared = null;
      if (local) {
        // the driver's own checks first, before Spark starts: a refused folder costs no start-up
        view = Path.of(java.net.URI.create(uri));
      } else {
        jsc = new JavaSparkContext(conf);
        shared = new SharedFolder(uri, jsc.hadoopConfiguration());
        staging = Files.createTempDirectory("lottalora-sweep-staging-");
        view = staging;
        pull(shared, view, "sweep.json");
        pull(shared, view, "wall_seconds.txt");
        pull(shared, view, "machine.txt");
      }
      SweepStore store = SweepStore.open(view, config); // refuses a folder holding another sweep
      if (!local) {
        shared.putString("sweep.json", Files.readString(view.resolve("sweep.json")));
      }
      List<RunSpec> all = config.runs();
      if (!local) {
        for (RunSpec r : all) {
          sync(shared, view, r);
        }
      }
      SweepRunner.Pending pending = SweepRunner.pending(store, progress);
      List<RunSpec> todo = pending.todo();
      int rerun = pending.rerun();
      int skipped = all.size() - todo.size();
      Map<String, String> failed = new LinkedHashMap<>();
      if (!todo.isEmpty()) {
        if (jsc == null) {
          jsc = new JavaSparkContext(conf);
          shared = new SharedFolder(uri, jsc.hadoopConfiguration());
        }
        probe(jsc, shared);
        if (progress != null) {
          progress.printf(Locale.ROOT, "sweep: %d runs, %d finished before, %d to run as Spark tasks (master %s, "
              + "%d task slots, 1 native thread each)%n", all.size(), skipped, todo.size(), jsc.master(),
              jsc.defaultParallelism());
        }
        failed = runTasks(jsc, shared, view, store, todo, all.size(), skipped, progress);
      }
      if (!local) {
        for (RunSpec r : all) {
          if (store.status(r) == SweepStore.Status.DONE) { // the PCA part of the report reads the artifacts
            shared.get("runs/" + r.id() + "/model.lotta", store.artifact(r));
          }
        }
      }
      SweepRunner.Summary s = new SweepRunner.Summary(all.size(), skipped, todo.size() - failed.size(), rerun,
          (System.nanoTime() - t0) / 1e9);
      if (!store.results().isEmpty()) {
        report.accept(store, s);
        if (!local) {
          upload(shared, view);
        }
      }
      if (!failed.isEmpty()) {
        StringBuilder b = new StringBuilder();
        failed.forEach((id, why) -> b.append(b.length() == 0 ? "" : "; ").append(id).append(": ").append(why));
        throw new LottaException(failed.size() + " of " + todo.size() + " runs failed (" + b + "); the others are "
            + "recorded" + (store.results().isEmpty() ? "" : " and reported") + ": fix the grid, or rerun the same "
            + "command to retry them");
      }
      return s;
    } catch (IOException e) {
      throw new LottaException("sweep folder " + folder + ": " + e.getMessage(), e);
    } finally {
      if (jsc != null) {
        jsc.stop();
      }
      if (staging != null) {
        deleteTree(staging);
      }
    }
  }

  /** Submits the tasks and prints a line per run as its record appears; returns the runs that failed and why. */
  private static Map<String, String> runTasks(JavaSparkContext jsc, SharedFolder shared, Path view, SweepStore store,
      List<RunSpec> todo, int total, int skipped, PrintStream progress) throws IOException {
    List<String> specs = new ArrayList<>();
    for (RunSpec r : todo) {
      specs.add(SweepStore.JSON.writeValueAsString(r));
    }
    long t0 = System.nanoTime();
    // one partition per run: Spark's unit of scheduling and retry is then one run
    JavaFutureAction<List<String>> job = jsc.parallelize(specs, specs.size()).map(new RunFn(shared)).collectAsync();
    List<RunSpec> pending = new ArrayList<>(todo);
    int done = skipped;
    long pollMs = shared.isLocal() ? 300 : 2000;
    while (true) {
      boolean finished = job.isDone();
      for (var it = pending.iterator(); it.hasNext(); ) {
        RunSpec r = it.next();
        sync(shared, view, r);
        RunResult res = store.read(r);
        if (res == null) {
          continue; // not yet, or still the corrupt record that this call replaces
        }
        it.remove();
        done++;
        if (progress != null) {
          double el = (System.nanoTime() - t0) / 1e9;
          double eta = el / (done - skipped) * (total - done);
          progress.printf(Locale.ROOT, "[%d/%d] %-40s acc %.4f  loss %.4f  %5.1f s%s  | elapsed %s, ETA %s%n", done,
              total, r.label(), res.testAccuracy(), res.testLoss(), res.wallSeconds(),
              res.failure() == null ? "" : "  (" + res.failure() + ")", clock(el), clock(eta));
        }
      }
      if (finished) {
        break;
      }
      try {
        Thread.sleep(pollMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        job.cancel(true);
        throw new LottaException("sweep interrupted; rerun the same command to continue");
      }
    }
    List<String> outcomes;
    try {
      outcomes = job.get();
    } catch (ExecutionException e) {
      throw new LottaException("the Spark job failed: " + rootCause(e) + "; finished runs are recorded, rerun the "
          + "same command to continue", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LottaException("sweep interrupted; rerun the same command to continue");
    }
    Map<String, String> failed = new LinkedHashMap<>();
    for (String o : outcomes) {
      String[] p = o.split("\t", 3);
      if (p[0].equals("ok") && pending.stream().anyMatch(r -> r.id().equals(p[1]))) {
        // written, but not where the driver looks: on a cluster a file: folder is each executor's own disk
        failed.put(p[1], "finished on an executor but its record is not visible from the driver (on a cluster "
            + "a file: folder must be shared storage; use hdfs:// or s3a://)");
      } else if (p[0].equals("failed")) {
        failed.put(p[1], p[2]);
        if (progress != null) {
          progress.println("sweep: run " + p[1] + " failed: " + p[2]);
        }
      }
    }
    return failed;
  }

  /**
   * One run as a Spark task. Bad input (a setting the model refuses) comes back as the task's value, naming the
   * run and the reason, so the other tasks go on; anything else (out of memory, a folder that cannot be
   * written) is thrown, so Spark retries the task up to spark.task.maxFailures.
   */
  static final class RunFn implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    private final SharedFolder shared;

    RunFn(SharedFolder shared) {
      this.shared = shared;
    }

    @Override
    public String call(String json) throws Exception {
      RunSpec r = SweepStore.JSON.readValue(json, RunSpec.class);
      // Spark runs one task per core: ND4J's own thread pools would oversubscribe them (and one thread keeps
      // the summation order, so the results are bit for bit the local runner's)
      Threads.apply(1);
      Path tmp = Files.createTempDirectory("lottalora-run-");
      try {
        RunResult res;
        try {
          res = RunTask.run(r, tmp.resolve("model.lotta"));
        } catch (IllegalArgumentException | LottaException e) {
          return "failed\t" + r.id() + "\t" + oneLine(e);
        }
        String dir = "runs/" + r.id() + "/";
        shared.put(tmp.resolve("model.lotta"), dir + "model.lotta");
        shared.putString(dir + "result.json", SweepStore.JSON.writeValueAsString(res)); // last: "finished"
        return "ok\t" + r.id();
      } finally {
        deleteTree(tmp);
      }
    }
  }

  /**
   * Writes and deletes a file in runs/ from as many tasks as there are task slots, so that a folder the
   * executors cannot write fails in one line before any training rather than after every run.
   */
  private static void probe(JavaSparkContext jsc, SharedFolder shared) {
    int n = Math.max(1, jsc.defaultParallelism());
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slots.add(i);
    }
    try {
      jsc.parallelize(slots, n).map(new ProbeFn(shared)).collect();
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown undeclared from Scala
      throw new LottaException("the Spark executors cannot write the sweep folder " + shared.uri() + ": "
          + rootCause(e));
    }
  }

  /** See {@link #probe}. */
  static final class ProbeFn implements Function<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    private final SharedFolder shared;

    ProbeFn(SharedFolder shared) {
      this.shared = shared;
    }

    @Override
    public Integer call(Integer i) throws Exception {
      String rel = "runs/.probe-" + UUID.randomUUID() + ".tmp";
      shared.putString(rel, "probe");
      shared.delete(rel);
      return i;
    }
  }

  /**
   * Spark's settings for a master: {@code cluster} keeps what spark-submit set; {@code local[N]} gets a retry
   * budget (Spark's local mode otherwise never retries a task) and no web UI.
   */
  static SparkConf sparkConf(String master) {
    SparkConf conf = new SparkConf().setAppName("lottalora sweep").set("spark.task.cpus", "1");
    if (master.equals("cluster")) {
      if (!conf.contains("spark.master")) {
        throw new IllegalArgumentException("--spark cluster uses the master spark-submit gives, and there is none: "
            + "run through spark-submit, or give --spark local[N] to run on this machine");
      }
      return conf;
    }
    Matcher m = LOCAL.matcher(master);
    if (m.matches()) {
      String n = m.group(1) == null ? "1" : m.group(1);
      conf.setMaster("local[" + n + ",2]").set("spark.ui.enabled", "false");
    } else {
      conf.setMaster(master); // local[N,F], spark://, yarn, k8s://: Spark's own syntax
    }
    return conf;
  }

  /** The folder as a URI: plain paths become absolute file: URIs. */
  static String folderUri(String folder) {
    if (folder.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !folder.matches("^[A-Za-z]:[\\\\/].*")) {
      return folder.replaceAll("/+$", "");
    }
    return Path.of(folder).toAbsolutePath().normalize().toUri().toString().replaceAll("/+$", "");
  }

  /** Staging only: brings a run's record from the shared folder to the local view. */
  private static void sync(SharedFolder shared, Path view, RunSpec r) throws IOException {
    if (!shared.isLocal()) {
      shared.get("runs/" + r.id() + "/result.json", view.resolve("runs").resolve(r.id()).resolve("result.json"));
    }
  }

  private static void pull(SharedFolder shared, Path view, String name) throws IOException {
    shared.get(name, view.resolve(name));
  }

  /** Staging only: uploads the report files (everything outside runs/ but the config). */
  private static void upload(SharedFolder shared, Path view) throws IOException {
    try (Stream<Path> files = Files.walk(view)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String rel = view.relativize(f).toString().replace('\\', '/');
        if (!rel.startsWith("runs/") && !rel.equals("sweep.json") && !f.getFileName().toString().startsWith(".")) {
          shared.put(f, rel);
        }
      }
    }
  }

  static String rootCause(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return oneLine(c);
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  static String clock(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
  }

  private static void deleteTree(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder: the OS cleans it up
    }
  }
}
