package org.lottalora.models.snn;

/**
 * Hebbian learning (BindsNET's Hebbian): both pre spikes ({@code + nu_pre x_post}) and post spikes ({@code + nu_post
 * x_pre}) potentiate; only the bounds or a normalisation keep the weights finite.
 */
final class Hebbian extends LearningRule {
  private final float nuPre;
  private final float nuPost;

  Hebbian(RuleSpec spec, Connection c) {
    super(spec, c);
    this.nuPre = (float) spec.p("nu_pre");
    this.nuPost = (float) spec.p("nu_post");
  }

  @Override
  void apply(int t, double reward) {
    Nodes pre = c.source();
    Nodes post = c.target();
    for (int b = 0; b < pre.batch(); b++) {
      int[] sp = pre.spiking(b);
      for (int k = 0, n = pre.spikeCount(b); k < n; k++) {
        addRow(b, sp[k], nuPre, post.traces(), false);
      }
      sp = post.spiking(b);
      for (int k = 0, n = post.spikeCount(b); k < n; k++) {
        addColumn(b, sp[k], nuPost, pre.traces(), false);
      }
    }
  }
}
