package org.lottalora.models.snn;

/**
 * McCulloch-Pitts threshold units: no memory, a spike exactly when this step's input reaches {@code thresh}. The
 * "voltage" is the input itself.
 */
public final class McCullochPittsNodes extends Nodes {
  private final float[] v;
  private final float thresh;

  McCullochPittsNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
    this.v = new float[batch * n];
    this.thresh = (float) spec.p("thresh");
  }

  @Override
  protected void update(float[] in) {
    for (int i = 0; i < v.length; i++) {
      v[i] = in == null ? 0 : in[i];
      s[i] = v[i] >= thresh ? 1 : 0;
    }
  }

  @Override
  protected void resetState() {
    java.util.Arrays.fill(v, 0);
  }

  @Override
  public float[] voltage() {
    return v;
  }
}
