package org.lottalora.models.snn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * A clock-driven spiking network built from a {@link NetworkSpec} and a seed, run for T steps at a time. Each step:
 * every connection delivers what arrives now (the source's spikes of the previous step, or earlier ones whose delay
 * ends), an optional {@link Injector} adds external current (a teacher), input layers take this step's encoded
 * spikes, every layer steps, learning rules run (when learning is on), and monitors record. After a learning run,
 * connections with a {@code norm} are renormalised.
 *
 * <p>Random initial weights and delays are backbone tensors ({@code snn.<connection>.weight|delay}, layout
 * [post, pre], uniform init) regenerated from the seed, so a network is a function of (spec, seed) until it learns.
 * With {@code threads > 1}, delivery into large layers is split over post-neuron ranges; each input current is
 * still summed in the same order, so results are bit-identical on any thread count.
 */
public final class Network implements AutoCloseable {
  /** The init family of random weights and delays: {@code 2U - 1} in (-1, 1], mapped onto each range. */
  public static final InitSpec UNIT_UNIFORM = new InitSpec(InitFamily.UNIFORM, Map.of("a", 1.0, "fanin", 0.0));
  private static final int PARALLEL_MIN = 2048;

  private final NetworkSpec spec;
  private final long seed;
  private final int batch;
  private final Map<String, Nodes> layers = new LinkedHashMap<>();
  private final Map<String, Connection> connections = new LinkedHashMap<>();
  private final Map<String, float[]> inputs = new LinkedHashMap<>();
  private final int threads;
  private final ForkJoinPool pool;
  private boolean learning;
  private double reward;
  private long neuronUpdates;

  /** External current added to a layer's input each step, after delivery. */
  @FunctionalInterface
  public interface Injector {
    /** Adds to {@code in} ([batch * n]) the external current of layer {@code layer} at step {@code t}. */
    void inject(int t, String layer, float[] in);
  }

  /** Builds the network with a batch of 1 on one thread. */
  public static Network build(NetworkSpec spec, long seed) {
    return new Network(spec, seed, 1, 1, null, null);
  }

  /**
   * Builds the network.
   *
   * @param batch how many inputs run side by side (learning sums their updates)
   * @param threads threads for delivery into large layers
   */
  public static Network build(NetworkSpec spec, long seed, int batch, int threads) {
    return new Network(spec, seed, batch, threads, null, null);
  }

  /** Builds the network (batch 1, one thread) from an already regenerated backbone of {@code seed}. */
  static Network build(NetworkSpec spec, long seed, Backbone backbone) {
    return new Network(spec, seed, 1, 1, null, backbone);
  }

  private Network(NetworkSpec spec, long seed, int batch, int threads, Network weightsFrom, Backbone backbone) {
    this.spec = spec;
    this.seed = seed;
    this.batch = batch;
    this.threads = Math.max(1, threads);
    this.pool = this.threads > 1 ? new ForkJoinPool(this.threads) : null;
    for (NodeSpec l : spec.layers()) {
      Nodes nodes = Nodes.create(l, batch, spec.dt());
      layers.put(l.name(), nodes);
      if (!(nodes instanceof InputNodes)) {
        inputs.put(l.name(), new float[batch * l.n()]);
      }
    }
    Backbone bb = weightsFrom != null ? null : backbone != null ? backbone
        : Backbone.regenerate(seed, tensorSpecs(spec), 1);
    for (ConnectionSpec c : spec.connections()) {
      Nodes pre = layers.get(c.source());
      Nodes post = layers.get(c.target());
      float[] w;
      int[] d;
      boolean[] mask;
      if (weightsFrom != null) {
        Connection o = weightsFrom.connections.get(c.name());
        w = o.w();
        d = o.d();
        mask = o.mask();
      } else {
        mask = mask(c, pre.size(), post.size());
        w = initialWeights(c, pre.size(), post.size(), mask, bb);
        d = initialDelays(c, pre.size(), post.size(), bb);
      }
      connections.put(c.name(), new Connection(c, pre, post, w, mask, d));
    }
    if (weightsFrom != null) {
      for (Map.Entry<String, Nodes> e : weightsFrom.layers.entrySet()) {
        if (e.getValue() instanceof AdaptiveLifNodes a) {
          System.arraycopy(a.theta(), 0, ((AdaptiveLifNodes) layers.get(e.getKey())).theta(), 0, a.theta().length);
        }
      }
    }
  }

  /**
   * A copy for inference on another thread: same spec, its own state, the same weight and delay arrays (not
   * copied: do not learn on either while the other runs) and a copy of the adaptive thresholds.
   */
  public Network inferenceCopy(int batch) {
    return new Network(spec, seed, batch, 1, this, null);
  }

  /** The backbone tensors a spec draws from its seed: random weights and random delays, layout [post, pre]. */
  public static List<TensorSpec> tensorSpecs(NetworkSpec spec) {
    List<TensorSpec> out = new ArrayList<>();
    for (ConnectionSpec c : spec.connections()) {
      int[] shape = {spec.layer(c.target()).n(), spec.layer(c.source()).n()};
      if (c.randomWeights()) {
        out.add(TensorSpec.of(weightTensor(c.name()), shape, UNIT_UNIFORM));
      }
      if (c.randomDelays()) {
        out.add(TensorSpec.of(delayTensor(c.name()), shape, UNIT_UNIFORM));
      }
    }
    return out;
  }

  /** The backbone name of a connection's initial weights. */
  public static String weightTensor(String connection) {
    return "snn." + connection + ".weight";
  }

  /** The backbone name of a connection's initial delays. */
  public static String delayTensor(String connection) {
    return "snn." + connection + ".delay";
  }

  static boolean[] mask(ConnectionSpec c, int nPre, int nPost) {
    switch (c.topology()) {
      case "dense":
        return null;
      case "one-to-one":
      case "all-but-self":
      case "lattice": {
        boolean diag = c.topology().equals("one-to-one");
        boolean[] m = new boolean[nPre * nPost];
        for (int i = 0; i < nPre; i++) {
          for (int j = 0; j < nPost; j++) {
            m[i * nPost + j] = (i == j) == diag;
          }
        }
        return m;
      }
      case "local-competition": {
        int positions = nPost / (int) c.p("filters");
        boolean[] m = new boolean[nPre * nPost];
        for (int i = 0; i < nPre; i++) {
          for (int j = 0; j < nPost; j++) {
            m[i * nPost + j] = i != j && i % positions == j % positions;
          }
        }
        return m;
      }
      case "local": {
        int h = (int) c.p("in_height");
        int w = (int) c.p("in_width");
        int k = (int) c.p("kernel");
        int st = (int) c.p("stride");
        int f = (int) c.p("filters");
        int ph = NetworkSpec.localPositions(h, k, st);
        int pw = NetworkSpec.localPositions(w, k, st);
        boolean[] m = new boolean[nPre * nPost];
        for (int fi = 0; fi < f; fi++) {
          for (int py = 0; py < ph; py++) {
            for (int px = 0; px < pw; px++) {
              int j = fi * ph * pw + py * pw + px;
              for (int dy = 0; dy < k; dy++) {
                for (int dx = 0; dx < k; dx++) {
                  int i = (py * st + dy) * w + px * st + dx;
                  m[i * nPost + j] = true;
                }
              }
            }
          }
        }
        return m;
      }
      default:
        throw new IllegalArgumentException("unknown topology '" + c.topology() + "'");
    }
  }

  private static float[] initialWeights(ConnectionSpec c, int nPre, int nPost, boolean[] mask, Backbone bb) {
    float[] w = new float[nPre * nPost];
    if (c.topology().equals("lattice")) {
      fillLattice(w, nPost, c.p("c"), c.p("c_max", Double.POSITIVE_INFINITY));
      return w;
    }
    float[] draw = c.randomWeights() ? bb.get(weightTensor(c.name())) : null;
    double lo = c.p("w_lo", 0);
    double hi = c.p("w_hi", 0);
    float constant = (float) c.p("w", 0);
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        int at = i * nPost + j;
        if (mask != null && !mask[at]) {
          continue;
        }
        w[at] = draw == null ? constant : (float) (lo + (hi - lo) * (draw[j * nPre + i] + 1) / 2);
      }
    }
    return w;
  }

  /** Lattice inhibition {@code -min(cMax, c sqrt(d))} between distinct neurons of a square lattice. */
  static void fillLattice(float[] w, int n, double c, double cMax) {
    int side = NetworkSpec.latticeSide(n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i == j) {
          w[i * n + j] = 0;
          continue;
        }
        double dy = i / side - j / side;
        double dx = i % side - j % side;
        w[i * n + j] = (float) -Math.min(cMax, c * Math.sqrt(Math.sqrt(dx * dx + dy * dy)));
      }
    }
  }

  private static int[] initialDelays(ConnectionSpec c, int nPre, int nPost, Backbone bb) {
    int dmin = (int) c.p("delay_min");
    int dmax = (int) c.p("delay_max");
    if (dmax == 1) {
      return null;
    }
    int[] d = new int[nPre * nPost];
    if (!c.randomDelays()) {
      java.util.Arrays.fill(d, dmin);
      return d;
    }
    float[] draw = bb.get(delayTensor(c.name()));
    int span = dmax - dmin + 1;
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        int k = (int) Math.floor((draw[j * nPre + i] + 1) / 2 * span);
        d[i * nPost + j] = dmin + Math.min(span - 1, Math.max(0, k));
      }
    }
    return d;
  }

  /** Sets the strength {@code c} of a lattice connection (the LM-SNN's inhibition schedules change it). */
  public void setLatticeStrength(String connection, double c) {
    Connection k = connection(connection);
    if (!k.spec().topology().equals("lattice")) {
      throw new IllegalArgumentException("connection '" + connection + "' is not a lattice");
    }
    fillLattice(k.w(), k.target().size(), c, k.spec().p("c_max", Double.POSITIVE_INFINITY));
  }

  /** Turns learning (rules and threshold adaptation) on or off. */
  public void learning(boolean on) {
    this.learning = on;
    for (Nodes l : layers.values()) {
      l.learning(on);
    }
  }

  /** The reward that reward-modulated rules read from now on. */
  public void reward(double r) {
    this.reward = r;
  }

  /** Back to rest: voltages, traces, refractory counters, in-flight spikes. Learned state stays. */
  public void reset() {
    for (Nodes l : layers.values()) {
      l.reset();
    }
    for (Connection c : connections.values()) {
      c.reset();
    }
  }

  /**
   * Runs {@code steps} steps.
   *
   * @param trains for each input layer, one spike train per batch row (missing layers are silent)
   * @param injector external current, or null
   * @param monitors what to record
   */
  public void run(int steps, Map<String, SpikeTrain[]> trains, Injector injector, List<Monitor> monitors) {
    if (steps < 1) {
      throw new IllegalArgumentException("the simulation needs at least 1 step, got " + steps);
    }
    for (Map.Entry<String, SpikeTrain[]> e : trains.entrySet()) {
      Nodes l = layers.get(e.getKey());
      if (!(l instanceof InputNodes)) {
        throw new IllegalArgumentException("'" + e.getKey() + "' is not an input layer of this network");
      }
      if (e.getValue().length != batch) {
        throw new IllegalArgumentException("input '" + e.getKey() + "' has " + e.getValue().length
            + " spike trains; the network runs a batch of " + batch);
      }
      for (SpikeTrain st : e.getValue()) {
        if (st.n() != l.size() || st.steps() < steps) {
          throw new IllegalArgumentException("input '" + e.getKey() + "' needs " + l.size() + " inputs over " + steps
              + " steps; the train has " + st.n() + " over " + st.steps());
        }
      }
    }
    for (Connection c : connections.values()) {
      if (c.delayMax() > steps) {
        throw new IllegalArgumentException("connection '" + c.spec().name() + "' has delays up to " + c.delayMax()
            + " steps, longer than the simulation (" + steps + " steps): shorten delay_max or run longer");
      }
    }
    int[][] now = new int[batch][]; // this step's input spikes per row; the input layer reads them in step()
    for (int t = 0; t < steps; t++) {
      for (float[] in : inputs.values()) {
        java.util.Arrays.fill(in, 0);
      }
      for (Connection c : connections.values()) {
        deliver(c, t);
      }
      if (injector != null) {
        for (Map.Entry<String, float[]> e : inputs.entrySet()) {
          injector.inject(t, e.getKey(), e.getValue());
        }
      }
      for (Map.Entry<String, Nodes> e : layers.entrySet()) {
        Nodes l = e.getValue();
        if (l instanceof InputNodes in) {
          SpikeTrain[] tr = trains.get(e.getKey());
          if (tr != null) {
            for (int b = 0; b < batch; b++) {
              now[b] = tr[b].spikes()[t];
            }
            in.set(now);
          }
          l.step(null);
        } else {
          l.step(inputs.get(e.getKey()));
          neuronUpdates += (long) batch * l.size();
        }
      }
      if (learning) {
        for (Connection c : connections.values()) {
          c.learn(t, reward);
        }
      }
      for (Monitor m : monitors) {
        Nodes l = layers.get(m.layer());
        if (l == null) {
          throw new IllegalArgumentException("monitor names layer '" + m.layer() + "', which the network does not "
              + "have");
        }
        m.record(t, l);
      }
    }
    if (learning) {
      for (Connection c : connections.values()) {
        if (c.spec().learnsWeights()) {
          c.normalize();
        }
      }
    }
  }

  private void deliver(Connection c, int t) {
    float[] in = inputs.get(c.target().name());
    int nPost = c.target().size();
    if (pool == null || nPost < PARALLEL_MIN) {
      c.deliver(in, t, 0, nPost);
      return;
    }
    int chunks = threads;
    pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(k -> c.deliver(in, t,
        (int) ((long) nPost * k / chunks), (int) ((long) nPost * (k + 1) / chunks)))).join();
  }

  /** Normalises every connection that has a norm (the initial weights of Diehl and Cook's network are). */
  public void normalizeAll() {
    for (Connection c : connections.values()) {
      c.normalize();
    }
  }

  public NetworkSpec spec() {
    return spec;
  }

  public long seed() {
    return seed;
  }

  public int batch() {
    return batch;
  }

  /** The layer named {@code name}. */
  public Nodes layer(String name) {
    Nodes l = layers.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no layer named '" + name + "' (layers: " + String.join(", ",
          layers.keySet()) + ")");
    }
    return l;
  }

  /** The connection named {@code name}. */
  public Connection connection(String name) {
    Connection c = connections.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no connection named '" + name + "' (connections: " + String.join(", ",
          connections.keySet()) + ")");
    }
    return c;
  }

  /** Every connection, in spec order. */
  public List<Connection> connections() {
    return List.copyOf(connections.values());
  }

  /** Neuron updates so far (non-input neurons times steps times batch). */
  public long neuronUpdates() {
    return neuronUpdates;
  }

  /** Synaptic events so far, over every connection. */
  public long synapticEvents() {
    long e = 0;
    for (Connection c : connections.values()) {
      e += c.events();
    }
    return e;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
