package org.lottalora.core.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar per epoch: what, how far, loss, accuracy, samples/s and ETA. On a terminal the
 * line is redrawn in place at most every 200 ms; elsewhere (a log, CI) only the finished epoch line is
 * printed. A no-op instance serves {@code --quiet} and tests. Written here rather than taken from a library
 * because it must print to any stream a caller gives (tests capture it) and stay silent off a terminal.
 */
public final class Progress {
  private static final long REDRAW_NANOS = 200_000_000L;
  /** Carriage return and ANSI "erase line": a finished line must not keep the tail of a longer bar. */
  private static final String CLEAR = "\r\033[2K";
  private final PrintStream out;
  private final boolean live;
  private long lastDraw;
  private int lastTenth = -1;
  private String lastWhat = "";

  /**
   * @param out where to print; null for silence
   * @param live redraw the line in place while an epoch runs (a terminal)
   */
  public Progress(PrintStream out, boolean live) {
    this.out = out;
    this.live = live;
  }

  /** Prints nothing. */
  public static Progress silent() {
    return new Progress(null, false);
  }

  /** Prints to stderr, redrawing in place when a console is attached. */
  public static Progress stderr() {
    return new Progress(System.err, System.console() != null);
  }

  void step(int epoch, int epochs, int batch, int batches, double loss, double acc, double rate, double etaSec) {
    if (out == null || !live) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && batch < batches) {
      return;
    }
    lastDraw = now;
    int width = 24;
    int filled = (int) Math.round(width * batch / (double) Math.max(1, batches));
    String bar = "#".repeat(filled) + "-".repeat(width - filled);
    out.printf(Locale.ROOT, CLEAR + "epoch %d/%d [%s] %d/%d  loss %.4f  acc %.3f  %,.0f samples/s  ETA %s   ",
        epoch, epochs, bar, batch, batches, loss, acc, rate, clock(etaSec));
    out.flush();
  }

  void epochDone(EpochStats s, int epochs, boolean best) {
    if (out == null) {
      return;
    }
    out.printf(Locale.ROOT, "%sepoch %d/%d  loss %.4f  train acc %.4f  val acc %.4f%s  %.1fs  %,.0f samples/s%n",
        live ? CLEAR : "", s.epoch(), epochs, s.loss(), s.trainAccuracy(), s.valAccuracy(), best ? " *" : "  ",
        s.seconds(), s.samplesPerSecond());
    out.flush();
  }

  /**
   * Progress of any long job counted in items (images, trials, steps): what, how far, rate and ETA. On a
   * terminal the line is redrawn in place; elsewhere a line is printed at every tenth and at the end.
   *
   * @param startNanos {@link System#nanoTime()} when the job started
   */
  public void work(String what, long done, long total, long startNanos) {
    if (out == null) {
      return;
    }
    if (!what.equals(lastWhat)) {
      lastWhat = what;
      lastTenth = -1;
    }
    long now = System.nanoTime();
    boolean end = done >= total;
    int tenth = (int) (10 * done / Math.max(1, total));
    if (live ? (now - lastDraw < REDRAW_NANOS && !end) : (tenth == lastTenth && !end)) {
      return;
    }
    if (!live && end && lastTenth == 10) {
      return;
    }
    lastDraw = now;
    lastTenth = tenth;
    double sec = (now - startNanos) / 1e9;
    double rate = done / Math.max(sec, 1e-9);
    double eta = (total - done) / Math.max(rate, 1e-9);
    int width = 24;
    int filled = (int) Math.round(width * done / (double) Math.max(1, total));
    out.printf(Locale.ROOT, "%s%s [%s] %,d/%,d  %,.1f/s  %s %s%s", live ? CLEAR : "", what,
        "#".repeat(filled) + "-".repeat(width - filled), done, total, rate, end ? "done in" : "ETA",
        clock(end ? sec : eta), live && !end ? "" : System.lineSeparator());
    out.flush();
  }

  /** Prints one line (after clearing a live bar). */
  public void say(String m) {
    message(m);
  }

  void message(String m) {
    if (out != null) {
      out.println((live ? CLEAR : "") + m);
      out.flush();
    }
  }

  static String clock(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "--:--";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
