package org.lottalora.models.snn;

/**
 * A layer of spiking neurons, batched: every state array holds {@code batch} rows of {@code n} neurons, row-major.
 * One call to {@link #step} advances the layer by dt given the summed synaptic input of this step; the base class
 * then lists the spiking neurons of each batch row (what connections propagate) and updates the spike traces
 * that learning rules read (BindsNET's convention: x decays by exp(-dt / tc_trace) and is set to 1 on a spike,
 * or incremented when trace_additive is 1).
 *
 * <p>Written on plain arrays rather than ND4J: a step is a few passes over n floats, and M2.1's per-op overhead
 * (about 30 us here) would cost more than the arithmetic; plain loops also give the same bits on any thread count.
 */
public abstract class Nodes {
  protected final NodeSpec spec;
  protected final int n;
  protected final int batch;
  protected final double dt;
  /** Spikes of the last step, 0 or 1, [batch * n]. */
  protected final float[] s;
  /** Spike traces, [batch * n]. */
  protected final float[] trace;
  private final int[][] spiking;
  private final int[] spikeCount;
  private final float traceDecay;
  private final boolean additive;
  protected boolean learning;

  protected Nodes(NodeSpec spec, int batch, double dt) {
    if (!(dt > 0) || !Double.isFinite(dt)) {
      throw new IllegalArgumentException("dt must be > 0 ms, got " + dt);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    this.spec = spec;
    this.n = spec.n();
    this.batch = batch;
    this.dt = dt;
    this.s = new float[batch * n];
    this.trace = new float[batch * n];
    this.spiking = new int[batch][n];
    this.spikeCount = new int[batch];
    this.traceDecay = (float) Math.exp(-dt / spec.p("tc_trace"));
    this.additive = spec.p("trace_additive") != 0;
  }

  /** The layer a spec describes. */
  public static Nodes create(NodeSpec spec, int batch, double dt) {
    switch (spec.model()) {
      case "input":
        return new InputNodes(spec, batch, dt);
      case "if":
        return new IfNodes(spec, batch, dt);
      case "lif":
        return new LifNodes(spec, batch, dt);
      case "adaptive-lif":
        return new AdaptiveLifNodes(spec, batch, dt);
      case "izhikevich":
        return new IzhikevichNodes(spec, batch, dt);
      case "mcculloch-pitts":
        return new McCullochPittsNodes(spec, batch, dt);
      default:
        throw new IllegalArgumentException("unknown neuron model '" + spec.model() + "'");
    }
  }

  /** Advances one step given this step's input [batch * n] (null: no input); then lists spikes and traces. */
  public final void step(float[] input) {
    update(input);
    for (int b = 0; b < batch; b++) {
      int c = 0;
      int[] list = spiking[b];
      int o = b * n;
      for (int i = 0; i < n; i++) {
        float x = trace[o + i] * traceDecay;
        if (s[o + i] != 0) {
          list[c++] = i;
          x = additive ? x + 1 : 1;
        }
        trace[o + i] = x;
      }
      spikeCount[b] = c;
    }
  }

  /** The model's own update: reads {@code input}, advances its state variables and writes {@link #s}. */
  protected abstract void update(float[] input);

  /** Back to the resting state (voltages, refractory counters, traces); learned adaptation such as theta stays. */
  public void reset() {
    java.util.Arrays.fill(s, 0);
    java.util.Arrays.fill(trace, 0);
    java.util.Arrays.fill(spikeCount, 0);
    resetState();
  }

  protected abstract void resetState();

  /** Turns learning-time adaptation (adaptive thresholds) on or off. */
  public void learning(boolean on) {
    this.learning = on;
  }

  /** The membrane voltage [batch * n], or null for a model without one. The live array: do not write. */
  public float[] voltage() {
    return null;
  }

  /** The spiking neurons of batch row {@code b} in the last step: indices {@code [0, spikeCount(b))}. */
  public int[] spiking(int b) {
    return spiking[b];
  }

  /** How many neurons of batch row {@code b} spiked in the last step. */
  public int spikeCount(int b) {
    return spikeCount[b];
  }

  /** Spikes of the last step [batch * n] (live array). */
  public float[] spikes() {
    return s;
  }

  /** Spike traces [batch * n] (live array). */
  public float[] traces() {
    return trace;
  }

  public NodeSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public int size() {
    return n;
  }

  public int batch() {
    return batch;
  }

  public double dt() {
    return dt;
  }
}
