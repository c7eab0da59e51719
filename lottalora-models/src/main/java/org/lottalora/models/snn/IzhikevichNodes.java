package org.lottalora.models.snn;

/**
 * Izhikevich's (2003) neuron: {@code v' = 0.04 v^2 + 5 v + 140 - u + I}, {@code u' = a (b v - u)}; v is advanced in
 * two half steps of dt / 2 for stability, as in the original code, then u by dt; a spike when {@code v >= thresh}
 * (30 mV), then {@code v = c}, {@code u += d}. Starts at {@code v = c}, {@code u = b c}.
 */
public final class IzhikevichNodes extends Nodes {
  private final float[] v;
  private final float[] u;
  private final float a;
  private final float b;
  private final float c;
  private final float d;
  private final float thresh;

  IzhikevichNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
    this.v = new float[batch * n];
    this.u = new float[batch * n];
    this.a = (float) spec.p("a");
    this.b = (float) spec.p("b");
    this.c = (float) spec.p("c");
    this.d = (float) spec.p("d");
    this.thresh = (float) spec.p("thresh");
    resetState();
  }

  @Override
  protected void update(float[] in) {
    float h = (float) (dt / 2);
    for (int i = 0; i < v.length; i++) {
      float x = in == null ? 0 : in[i];
      float vi = v[i];
      float ui = u[i];
      vi += h * (0.04f * vi * vi + 5f * vi + 140f - ui + x);
      vi += h * (0.04f * vi * vi + 5f * vi + 140f - ui + x);
      ui += (float) dt * a * (b * vi - ui);
      if (vi >= thresh) {
        s[i] = 1;
        vi = c;
        ui += d;
      } else {
        s[i] = 0;
      }
      v[i] = vi;
      u[i] = ui;
    }
  }

  @Override
  protected void resetState() {
    java.util.Arrays.fill(v, c);
    java.util.Arrays.fill(u, b * c);
  }

  @Override
  public float[] voltage() {
    return v;
  }

  /** The recovery variable [batch * n] (live array). */
  public float[] recovery() {
    return u;
  }
}
