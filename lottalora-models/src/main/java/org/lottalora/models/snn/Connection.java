package org.lottalora.models.snn;

import java.util.Arrays;

/**
 * A live connection: weights {@code [pre][post]} (row-major by pre-synaptic neuron, so a pre spike adds one
 * contiguous row), an optional mask of existing synapses, optional per-synapse delays, and its learning rule.
 * Delivery is event-driven: only the rows of neurons that spiked are read. Delayed spikes wait in a ring of
 * future input currents, one slot per step of the longest delay.
 *
 * <p>The canonical layout of the artifact and the backbone stream is {@code [post, pre]} ({@code [d_out, d_in]});
 * {@link #weightsCanonical} and {@link #setWeightsCanonical} convert.
 */
public final class Connection {
  private final ConnectionSpec spec;
  private final Nodes source;
  private final Nodes target;
  private final int nPre;
  private final int nPost;
  private final float[] w;
  private final boolean[] mask;
  private final int[] fanout;
  private final int[] delay;
  private final int delayMin;
  private final int delayMax;
  private final float[][] ring;
  private final float wmin;
  private final float wmax;
  private final boolean bounded;
  private final LearningRule rule;
  private long events;

  Connection(ConnectionSpec spec, Nodes source, Nodes target, float[] weights, boolean[] mask, int[] delay) {
    this.spec = spec;
    this.source = source;
    this.target = target;
    this.nPre = source.size();
    this.nPost = target.size();
    this.w = weights;
    this.mask = mask;
    this.delay = delay;
    this.delayMin = (int) spec.p("delay_min");
    this.delayMax = (int) spec.p("delay_max");
    this.ring = delay == null ? null : new float[delayMax + 1][target.batch() * nPost];
    this.bounded = spec.params().containsKey("wmin") || spec.params().containsKey("wmax");
    this.wmin = (float) spec.p("wmin", Float.NEGATIVE_INFINITY);
    this.wmax = (float) spec.p("wmax", Float.POSITIVE_INFINITY);
    this.fanout = new int[nPre];
    for (int i = 0; i < nPre; i++) {
      int c = 0;
      for (int j = 0; j < nPost; j++) {
        if (mask == null || mask[i * nPost + j]) {
          c++;
        }
      }
      fanout[i] = c;
    }
    this.rule = LearningRule.create(spec.rule(), this);
  }

  /**
   * Adds to {@code in} (the target's input of step {@code t}, [batch * post]) what arrives at step t: the source's
   * spikes of step t - 1 with delay 1, and earlier spikes whose delay ends now. Only posts in [j0, j1) are touched,
   * so threads may split the posts without sharing a float.
   */
  void deliver(float[] in, int t, int j0, int j1) {
    int batch = target.batch();
    if (delay == null) {
      for (int b = 0; b < batch; b++) {
        int[] sp = source.spiking(b);
        int c = source.spikeCount(b);
        int o = b * nPost;
        for (int k = 0; k < c; k++) {
          int row = sp[k] * nPost;
          for (int j = j0; j < j1; j++) {
            in[o + j] += w[row + j];
          }
        }
      }
    } else {
      int slots = ring.length;
      for (int b = 0; b < batch; b++) {
        int[] sp = source.spiking(b);
        int c = source.spikeCount(b);
        int o = b * nPost;
        for (int k = 0; k < c; k++) {
          int row = sp[k] * nPost;
          for (int j = j0; j < j1; j++) {
            // a spike of step t-1 with delay d arrives at step t-1+d
            ring[(t - 1 + delay[row + j]) % slots][o + j] += w[row + j];
          }
        }
      }
      float[] now = ring[t % slots];
      for (int b = 0; b < batch; b++) {
        int o = b * nPost;
        for (int j = j0; j < j1; j++) {
          in[o + j] += now[o + j];
          now[o + j] = 0;
        }
      }
    }
    if (j0 == 0) {
      for (int b = 0; b < batch; b++) {
        int[] sp = source.spiking(b);
        for (int k = 0, c = source.spikeCount(b); k < c; k++) {
          events += fanout[sp[k]];
        }
      }
    }
  }

  /** Runs the learning rule for step {@code t} (after every layer has stepped). */
  void learn(int t, double reward) {
    if (rule != null) {
      rule.apply(t, reward);
    }
  }

  /** Rescales each post neuron's incoming weights to sum to {@code norm}, when the connection has one. */
  public void normalize() {
    if (!spec.params().containsKey("norm")) {
      return;
    }
    float norm = (float) spec.p("norm");
    for (int j = 0; j < nPost; j++) {
      double sum = 0;
      for (int i = 0; i < nPre; i++) {
        sum += w[i * nPost + j];
      }
      if (sum != 0) {
        float k = (float) (norm / sum);
        for (int i = 0; i < nPre; i++) {
          w[i * nPost + j] *= k;
        }
      }
    }
  }

  /** Clamps one weight to the bounds. */
  float clamp(float x) {
    return x < wmin ? wmin : x > wmax ? wmax : x;
  }

  /** Clears in-flight delayed spikes and the rule's own traces. */
  void reset() {
    if (ring != null) {
      for (float[] r : ring) {
        Arrays.fill(r, 0);
      }
    }
    if (rule != null) {
      rule.reset();
    }
  }

  /** Weights in the canonical layout [post][pre], flattened. */
  public float[] weightsCanonical() {
    float[] out = new float[w.length];
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        out[j * nPre + i] = w[i * nPost + j];
      }
    }
    return out;
  }

  /** Sets the weights from the canonical layout [post][pre]; masked-out synapses stay 0. */
  public void setWeightsCanonical(float[] v) {
    if (v.length != w.length) {
      throw new IllegalArgumentException("connection '" + spec.name() + "' has " + nPost + " x " + nPre
          + " weights, got " + v.length + " values");
    }
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        w[i * nPost + j] = mask == null || mask[i * nPost + j] ? v[j * nPre + i] : 0;
      }
    }
  }

  /** Delays in the canonical layout [post][pre], or null when every delay is 1 and fixed. */
  public int[] delaysCanonical() {
    if (delay == null) {
      return null;
    }
    int[] out = new int[delay.length];
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        out[j * nPre + i] = delay[i * nPost + j];
      }
    }
    return out;
  }

  /** Sets the delays from the canonical layout [post][pre]; each must lie in [delay_min, delay_max]. */
  public void setDelaysCanonical(int[] v) {
    if (delay == null || v.length != delay.length) {
      throw new IllegalArgumentException("connection '" + spec.name() + "' has no " + nPost + " x " + nPre
          + " delays to set");
    }
    for (int k = 0; k < v.length; k++) {
      if (v[k] < delayMin || v[k] > delayMax) {
        throw new IllegalArgumentException("connection '" + spec.name() + "': delay " + v[k] + " outside ["
            + delayMin + ", " + delayMax + "]");
      }
    }
    for (int i = 0; i < nPre; i++) {
      for (int j = 0; j < nPost; j++) {
        delay[i * nPost + j] = v[j * nPre + i];
      }
    }
  }

  /** Synaptic events delivered so far (pre spikes times their fan-out). */
  public long events() {
    return events;
  }

  public ConnectionSpec spec() {
    return spec;
  }

  public Nodes source() {
    return source;
  }

  public Nodes target() {
    return target;
  }

  /** The live weights [pre][post]. */
  float[] w() {
    return w;
  }

  /** The live delays [pre][post], or null. */
  int[] d() {
    return delay;
  }

  /** The synapse mask [pre][post], or null when every pair is connected. */
  boolean[] mask() {
    return mask;
  }

  int delayMin() {
    return delayMin;
  }

  int delayMax() {
    return delayMax;
  }

  boolean bounded() {
    return bounded;
  }

  float wmin() {
    return wmin;
  }

  float wmax() {
    return wmax;
  }

  public LearningRule rule() {
    return rule;
  }
}
