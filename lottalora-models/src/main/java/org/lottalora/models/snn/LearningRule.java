package org.lottalora.models.snn;

/**
 * How a connection learns, applied once per step after every layer has stepped (BindsNET's order), reading the
 * spikes and traces of both ends. Updates over a batch are summed, as BindsNET does. Weight rules are
 * event-driven: they touch only the rows of spiking pre neurons and the columns of spiking post neurons, and clamp
 * what they touch to the connection's bounds.
 */
public abstract class LearningRule {
  protected final Connection c;
  protected final RuleSpec spec;

  protected LearningRule(RuleSpec spec, Connection c) {
    this.spec = spec;
    this.c = c;
  }

  /** The rule a spec names, bound to {@code c}; null for "none". */
  static LearningRule create(RuleSpec spec, Connection c) {
    switch (spec.kind()) {
      case "none":
        return null;
      case "post-pre":
        return new PostPre(spec, c, false);
      case "weight-dependent":
        return new PostPre(spec, c, true);
      case "hebbian":
        return new Hebbian(spec, c);
      case "mstdp":
        return new RewardModulatedStdp(spec, c);
      case "delay-stdp":
        return new DelayStdp(spec, c);
      default:
        throw new IllegalArgumentException("unknown learning rule '" + spec.kind() + "'");
    }
  }

  /** One step of learning at step {@code t} with the network's current {@code reward}. */
  abstract void apply(int t, double reward);

  /** Forgets any state kept between steps (called when the network resets between examples). */
  void reset() {
  }

  /**
   * Adds {@code k * x[b*nPre + i]} to column j for every i (the post-spike term), masked and clamped.
   */
  protected final void addColumn(int b, int j, float k, float[] x, boolean weightDependent) {
    float[] w = c.w();
    boolean[] mask = c.mask();
    int nPre = c.source().size();
    int nPost = c.target().size();
    int o = b * nPre;
    for (int i = 0; i < nPre; i++) {
      int at = i * nPost + j;
      if (mask != null && !mask[at]) {
        continue;
      }
      float dw = k * x[o + i];
      if (weightDependent) {
        dw *= c.wmax() - w[at];
      }
      w[at] = c.clamp(w[at] + dw);
    }
  }

  /** Adds {@code k * y[b*nPost + j]} to row i for every j (the pre-spike term), masked and clamped. */
  protected final void addRow(int b, int i, float k, float[] y, boolean weightDependent) {
    float[] w = c.w();
    boolean[] mask = c.mask();
    int nPost = c.target().size();
    int o = b * nPost;
    int row = i * nPost;
    for (int j = 0; j < nPost; j++) {
      int at = row + j;
      if (mask != null && !mask[at]) {
        continue;
      }
      float dw = k * y[o + j];
      if (weightDependent) {
        dw *= w[at] - c.wmin();
      }
      w[at] = c.clamp(w[at] + dw);
    }
  }

  public RuleSpec spec() {
    return spec;
  }
}
