package org.lottalora.models.snn;

/**
 * Pair-based STDP (BindsNET's PostPre): at each pre spike the weight falls by {@code nu_pre x_post}, at each post
 * spike it rises by {@code nu_post x_pre}, x being the spike traces. The weight-dependent variant scales
 * depression by {@code w - wmin} and potentiation by {@code wmax - w}, so weights approach the bounds softly.
 */
final class PostPre extends LearningRule {
  private final float nuPre;
  private final float nuPost;
  private final boolean weightDependent;

  PostPre(RuleSpec spec, Connection c, boolean weightDependent) {
    super(spec, c);
    this.nuPre = (float) spec.p("nu_pre");
    this.nuPost = (float) spec.p("nu_post");
    this.weightDependent = weightDependent;
  }

  @Override
  void apply(int t, double reward) {
    Nodes pre = c.source();
    Nodes post = c.target();
    for (int b = 0; b < pre.batch(); b++) {
      if (nuPre != 0) {
        int[] sp = pre.spiking(b);
        for (int k = 0, n = pre.spikeCount(b); k < n; k++) {
          addRow(b, sp[k], -nuPre, post.traces(), weightDependent);
        }
      }
      if (nuPost != 0) {
        int[] sp = post.spiking(b);
        for (int k = 0, n = post.spikeCount(b); k < n; k++) {
          addColumn(b, sp[k], nuPost, pre.traces(), weightDependent);
        }
      }
    }
  }
}
