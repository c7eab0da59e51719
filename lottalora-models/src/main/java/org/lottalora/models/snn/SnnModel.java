package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.Progress;

/**
 * A trained spiking classifier: seed, spec, what the network learned (weights, adaptive thresholds, delays) and
 * its readout (label assignment and n-gram table). Presenting an input is reproducible: the encoder draws from the
 * model's seed and a key naming the presentation, so the same input, key and model give the same spikes on any
 * machine and thread count. In an application:
 * <pre>
 *   SnnModel m = SnnArtifact.load(Path.of("dc.lotta"));
 *   SnnModel.Prediction p = m.predict(pixels);       // p.proportion(), p.allActivity(), p.ngram()
 * </pre>
 */
public final class SnnModel {
  private final SnnSpec spec;
  private final long seed;
  private final Network network;
  private LabelAssignment labels;
  private NGram ngram;
  private long learnedExamples;

  /**
   * What one presentation did in the readout layer.
   *
   * @param counts spikes per neuron
   * @param order neurons in firing order
   * @param attempts presentations needed (more than 1 when the rate was raised)
   */
  public record Activity(int[] counts, int[] order, int attempts) {
    /** Total spikes. */
    public int total() {
      int s = 0;
      for (int c : counts) {
        s += c;
      }
      return s;
    }
  }

  /**
   * The three rules' answers for one input (-1: no evidence) and the activity behind them.
   *
   * @param allActivity the all-activity rule
   * @param proportion proportion weighting
   * @param ngram the n-gram rule
   * @param activity the spikes
   */
  public record Prediction(int allActivity, int proportion, int ngram, Activity activity) {
  }

  /**
   * Accuracy of each rule over a set.
   *
   * @param allActivity all-activity accuracy
   * @param proportion proportion-weighting accuracy
   * @param ngram n-gram accuracy
   * @param examples how many inputs
   * @param meanSpikes mean readout spikes per input
   * @param silent inputs that drew no readout spike
   * @param seconds wall time
   */
  public record Evaluation(double allActivity, double proportion, double ngram, int examples, double meanSpikes,
      int silent, double seconds) {
    /** The same scores with another wall time (to compare runs). */
    public Evaluation withSeconds(double s) {
      return new Evaluation(allActivity, proportion, ngram, examples, meanSpikes, silent, s);
    }
  }

  SnnModel(SnnSpec spec, long seed, Network network, LabelAssignment labels, NGram ngram) {
    this.spec = spec;
    this.seed = seed;
    this.network = network;
    this.labels = labels;
    this.ngram = ngram;
  }

  /** Presents raw input {@code x} on {@code net} (learning as set on it), keyed by {@code key}. */
  Activity present(Network net, float[] x, String key, List<Monitor> extra) {
    SnnSpec.Presentation pr = spec.presentation();
    Monitor m = new Monitor(spec.readoutLayer(), true);
    List<Monitor> monitors = new ArrayList<>(extra);
    monitors.add(m);
    int attempt = 0;
    while (true) {
      EncoderSpec e = spec.encoder();
      Encoder enc = new EncoderSpec(e.kind(), e.kind().equals("poisson") ? e.rate() + attempt * pr.rateStep()
          : e.rate(), e.scale()).encoder();
      SpikeTrain train = enc.encode(x, pr.time(), spec.net().dt(), new Draws(seed, "snn.encode/" + key + "/"
          + attempt));
      for (Monitor q : monitors) {
        q.clear();
      }
      net.reset();
      net.run(pr.time(), Map.of(SnnNetworks.INPUT, new SpikeTrain[] {train}), null, monitors);
      Activity a = new Activity(m.counts(0, net.layer(spec.readoutLayer()).size()), m.firingOrder(0), attempt + 1);
      if (a.total() >= pr.minSpikes() || attempt >= pr.retries() || !e.kind().equals("poisson")) {
        return a;
      }
      attempt++;
    }
  }

  /** Presents pattern {@code k} of the delay task on {@code net}, keyed by {@code key}, with an optional teacher. */
  Activity presentPattern(Network net, int[][] base, int k, String key, boolean teach, List<Monitor> extra) {
    PatternTask task = spec.patterns();
    int steps = spec.presentation().time();
    SpikeTrain train = task.present(base, k, steps, new Draws(seed, "snn.patterns/" + key));
    Monitor m = new Monitor(SnnNetworks.OUT, true);
    List<Monitor> monitors = new ArrayList<>(extra);
    monitors.add(m);
    for (Monitor q : monitors) {
      q.clear();
    }
    net.reset();
    Network.Injector teacher = !teach ? null : (t, layer, in) -> {
      if (layer.equals(SnnNetworks.OUT)) {
        for (int j = 0; j < in.length; j++) {
          if (j != k) {
            in[j] -= (float) task.teacher();
          } else if (t == task.targetStep()) {
            in[j] += (float) task.teacher();
          }
        }
      }
    };
    net.run(steps, Map.of(SnnNetworks.INPUT, new SpikeTrain[] {train}), teacher, monitors);
    return new Activity(m.counts(0, spec.classes()), m.firingOrder(0), 1);
  }

  /** The delay network's answer: the output with most spikes, the earliest first spike on a tie; -1 if silent. */
  static int delayAnswer(Activity a) {
    int best = -1;
    for (int j = 0; j < a.counts().length; j++) {
      if (a.counts()[j] > 0 && (best < 0 || a.counts()[j] > a.counts()[best])) {
        best = j;
      }
    }
    if (best >= 0) {
      for (int j : a.order()) {
        if (a.counts()[j] == a.counts()[best]) {
          return j;
        }
      }
    }
    return best;
  }

  /**
   * Runs one presentation with extra monitors, learning off: image {@code x} for image networks, pattern
   * {@code pattern} for the delay network.
   */
  public Activity trace(float[] x, int pattern, List<Monitor> monitors) {
    Network net = network.inferenceCopy(1);
    net.learning(false);
    if (spec.patterns() != null) {
      return presentPattern(net, spec.patterns().base(seed), pattern, "trace/" + pattern, false, monitors);
    }
    if (x == null) {
      throw new IllegalArgumentException("an image network needs an image to trace");
    }
    return present(net, x, "trace/0", monitors);
  }

  /** Predicts one raw input (pixels as stored in the dataset), presentation key "0". */
  public Prediction predict(float[] x) {
    return predict(x, "predict/0");
  }

  /** Predicts one raw input with the presentation keyed by {@code key}. */
  public Prediction predict(float[] x, String key) {
    requireImages();
    requireReadout();
    if (x.length != spec.height() * spec.width()) {
      throw new IllegalArgumentException("input has " + x.length + " values, the model takes " + spec.height() + " x "
          + spec.width());
    }
    Network net = network.inferenceCopy(1);
    net.learning(false);
    Activity a = present(net, x, key, List.of());
    return new Prediction(labels.allActivity(a.counts()), labels.proportionWeighting(a.counts()),
        ngram.predict(a.order()), a);
  }

  /** Predicts one presentation of pattern {@code k} of the delay task, keyed by {@code key}. */
  public int predictPattern(int k, String key) {
    if (spec.patterns() == null) {
      throw new IllegalArgumentException("this is a " + spec.network() + " model; patterns need a delay model");
    }
    Network net = network.inferenceCopy(1);
    return delayAnswer(presentPattern(net, spec.patterns().base(seed), k, key, false, List.of()));
  }

  /** The readout activity of each listed example, in parallel on {@code threads} network copies (learning off). */
  List<Activity> activities(Dataset d, int[] rows, String set, int threads, Progress p, String what) {
    int[][] base = spec.patterns() == null ? null : spec.patterns().base(seed);
    Activity[] out = new Activity[rows.length];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    long start = System.nanoTime();
    int nt = Math.max(1, Math.min(threads, rows.length));
    ExecutorService ex = Executors.newFixedThreadPool(nt);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < nt; w++) {
        fs.add(ex.submit(() -> {
          Network net = network.inferenceCopy(1);
          net.learning(false);
          for (int q = next.getAndIncrement(); q < rows.length; q = next.getAndIncrement()) {
            int r = rows[q];
            out[q] = base != null ? presentPattern(net, base, r % spec.classes(), set + "/" + r, false, List.of())
                : present(net, row(d, r), set + "/" + r, List.of());
            int k = done.incrementAndGet();
            if (k % 50 == 0 || k == rows.length) {
              synchronized (p) {
                p.work(what, k, rows.length, start);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      ex.shutdownNow();
    }
    return List.of(out);
  }

  /** Scores of the three rules on the listed rows of {@code d} (labels from {@code d}). */
  Evaluation score(List<Activity> acts, int[] labelsOf, double seconds) {
    int all = 0;
    int prop = 0;
    int ng = 0;
    long spikes = 0;
    int silent = 0;
    for (int q = 0; q < acts.size(); q++) {
      Activity a = acts.get(q);
      int y = labelsOf[q];
      int t = a.total();
      spikes += t;
      if (t == 0) {
        silent++;
      }
      if (spec.patterns() != null) {
        int p = delayAnswer(a);
        all += p == y ? 1 : 0;
        prop += p == y ? 1 : 0;
        ng += p == y ? 1 : 0;
      } else {
        all += labels.allActivity(a.counts()) == y ? 1 : 0;
        prop += labels.proportionWeighting(a.counts()) == y ? 1 : 0;
        ng += ngram.predict(a.order()) == y ? 1 : 0;
      }
    }
    int n = Math.max(1, acts.size());
    return new Evaluation(all / (double) n, prop / (double) n, ng / (double) n, acts.size(), spikes / (double) n,
        silent, seconds);
  }

  /** Evaluates on the first {@code examples} rows of a raw dataset (all rows when examples <= 0). */
  public Evaluation evaluate(Dataset d, int examples, int threads, Progress p) {
    requireImages();
    requireReadout();
    if (d.cols() != spec.height() * spec.width()) {
      throw new IllegalArgumentException(d.name() + " has " + d.cols() + " values per row, the model takes "
          + spec.height() + " x " + spec.width());
    }
    int n = examples <= 0 ? d.rows() : Math.min(examples, d.rows());
    int[] rows = new int[n];
    int[] ys = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
      ys[i] = d.labels()[i];
      if (ys[i] >= spec.classes()) {
        throw new IllegalArgumentException(d.name() + " row " + i + " has label " + ys[i] + "; the model knows "
            + spec.classes() + " classes");
      }
    }
    long t0 = System.nanoTime();
    List<Activity> acts = activities(d, rows, "test", threads, p, "snn test");
    return score(acts, ys, (System.nanoTime() - t0) / 1e9);
  }

  /** Evaluates the delay network on {@code examples} fresh presentations (balanced over the patterns). */
  public Evaluation evaluatePatterns(int examples, int threads, Progress p) {
    if (spec.patterns() == null) {
      throw new IllegalArgumentException("this is a " + spec.network() + " model; patterns need a delay model");
    }
    int[] rows = new int[examples];
    int[] ys = new int[examples];
    for (int i = 0; i < examples; i++) {
      rows[i] = i;
      ys[i] = i % spec.classes();
    }
    long t0 = System.nanoTime();
    List<Activity> acts = activities(null, rows, "test", threads, p, "snn test");
    return score(acts, ys, (System.nanoTime() - t0) / 1e9);
  }

  static float[] row(Dataset d, int r) {
    return java.util.Arrays.copyOfRange(d.features(), r * d.cols(), (r + 1) * d.cols());
  }

  private void requireImages() {
    if (spec.patterns() != null) {
      throw new IllegalArgumentException("this is a delay model over spike patterns; use predictPattern / "
          + "evaluatePatterns");
    }
  }

  private void requireReadout() {
    if (labels == null) {
      throw new IllegalArgumentException("this model has no readout yet (a training checkpoint): finish it with "
          + "`lottalora snn train --resume`");
    }
  }

  /** Learning presentations this network has seen. */
  public long learnedExamples() {
    return learnedExamples;
  }

  void learnedExamples(long n) {
    this.learnedExamples = n;
  }

  void setReadout(LabelAssignment labels, NGram ngram) {
    this.labels = labels;
    this.ngram = ngram;
  }

  public SnnSpec spec() {
    return spec;
  }

  public long seed() {
    return seed;
  }

  /** The trained network (live: learning on it changes the model). */
  public Network network() {
    return network;
  }

  /** The label assignment (null for the delay network). */
  public LabelAssignment labels() {
    return labels;
  }

  /** The n-gram table (null for the delay network). */
  public NGram ngram() {
    return ngram;
  }
}
