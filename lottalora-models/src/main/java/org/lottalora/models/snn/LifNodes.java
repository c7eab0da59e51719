package org.lottalora.models.snn;

/**
 * Leaky integrate-and-fire, BindsNET's update order: {@code v = rest + (v - rest) exp(-dt / tc_decay)}, then the
 * input is added unless the neuron is refractory; a spike when {@code v >= thresh}, then {@code v = reset} and
 * {@code refrac} ms without input. Starts at {@code rest}.
 */
public class LifNodes extends Nodes {
  protected final float[] v;
  protected final float[] refrac;
  protected final float rest;
  protected final float reset;
  protected final float thresh;
  protected final float decay;
  protected final float period;

  LifNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
    this.v = new float[batch * n];
    this.refrac = new float[batch * n];
    this.rest = (float) spec.p("rest");
    this.reset = (float) spec.p("reset");
    this.thresh = (float) spec.p("thresh");
    this.decay = (float) Math.exp(-dt / spec.p("tc_decay"));
    this.period = (float) spec.p("refrac");
    resetState();
  }

  /** Leak, refractory gate and input: the membrane update shared with the adaptive model. */
  protected final float integrate(int i, float[] in) {
    float x = in == null ? 0 : in[i];
    if (refrac[i] > 0) {
      x = 0;
    }
    refrac[i] -= (float) dt;
    return decay * (v[i] - rest) + rest + x;
  }

  @Override
  protected void update(float[] in) {
    for (int i = 0; i < v.length; i++) {
      float vi = integrate(i, in);
      if (vi >= thresh) {
        s[i] = 1;
        vi = reset;
        refrac[i] = period;
      } else {
        s[i] = 0;
      }
      v[i] = vi;
    }
  }

  @Override
  protected void resetState() {
    java.util.Arrays.fill(v, rest);
    java.util.Arrays.fill(refrac, 0);
  }

  @Override
  public float[] voltage() {
    return v;
  }
}
