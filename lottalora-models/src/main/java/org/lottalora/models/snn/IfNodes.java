package org.lottalora.models.snn;

/**
 * Integrate-and-fire: {@code v += I} (no leak) outside the refractory period; a spike when {@code v >= thresh},
 * then {@code v = reset} and the input is ignored for {@code refrac} ms. Starts at {@code reset}.
 */
public final class IfNodes extends Nodes {
  private final float[] v;
  private final float[] refrac;
  private final float thresh;
  private final float reset;
  private final float period;

  IfNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
    this.v = new float[batch * n];
    this.refrac = new float[batch * n];
    this.thresh = (float) spec.p("thresh");
    this.reset = (float) spec.p("reset");
    this.period = (float) spec.p("refrac");
    resetState();
  }

  @Override
  protected void update(float[] in) {
    float d = (float) dt;
    for (int i = 0; i < v.length; i++) {
      float x = in == null ? 0 : in[i];
      if (refrac[i] > 0) {
        x = 0;
      }
      refrac[i] -= d;
      float vi = v[i] + x;
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
    java.util.Arrays.fill(v, reset);
    java.util.Arrays.fill(refrac, 0);
  }

  @Override
  public float[] voltage() {
    return v;
  }
}
