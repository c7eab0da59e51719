package org.lottalora.models.snn;

/**
 * Diehl and Cook's (2015) excitatory neuron: a {@link LifNodes} whose threshold is {@code thresh + theta}, where
 * theta (one per neuron, shared by the batch) grows by {@code theta_plus} at each spike and decays with
 * {@code tc_theta_decay} while learning, and stays fixed otherwise. Theta is what the neuron learned about its own
 * excitability: it survives {@link #reset} and is saved in the artifact.
 *
 * <p>With {@code one_spike = 1} at most one neuron per batch row emits a spike per step (every crossing neuron is
 * still reset and adapts): BindsNET picks it at random, we pick the largest overshoot (lowest index on a tie), so
 * the choice needs no random draw.
 */
public final class AdaptiveLifNodes extends LifNodes {
  private final float[] theta;
  private final float thetaPlus;
  private final float thetaDecay;
  private final boolean oneSpike;

  AdaptiveLifNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
    this.theta = new float[n];
    this.thetaPlus = (float) spec.p("theta_plus");
    this.thetaDecay = (float) Math.exp(-dt / spec.p("tc_theta_decay"));
    this.oneSpike = spec.p("one_spike") != 0;
  }

  @Override
  protected void update(float[] in) {
    if (learning) {
      for (int j = 0; j < n; j++) {
        theta[j] *= thetaDecay;
      }
    }
    for (int b = 0; b < batch; b++) {
      int o = b * n;
      int best = -1;
      float bestOver = 0;
      for (int j = 0; j < n; j++) {
        int i = o + j;
        float vi = integrate(i, in);
        float over = vi - (thresh + theta[j]);
        if (over >= 0) {
          s[i] = 1;
          if (best < 0 || over > bestOver) {
            best = j;
            bestOver = over;
          }
          vi = reset;
          refrac[i] = period;
        } else {
          s[i] = 0;
        }
        v[i] = vi;
      }
      if (learning) {
        for (int j = 0; j < n; j++) {
          if (s[o + j] != 0) {
            theta[j] += thetaPlus;
          }
        }
      }
      if (oneSpike && best >= 0) {
        for (int j = 0; j < n; j++) {
          s[o + j] = j == best ? 1 : 0;
        }
      }
    }
  }

  /** The adaptive threshold offsets [n] (live array). */
  public float[] theta() {
    return theta;
  }
}
