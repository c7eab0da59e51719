package org.lottalora.models.snn;

import java.util.Arrays;

/**
 * Delay learning with an STDP shape (memory in delays, weights untouched): when post neuron j spikes at step t,
 * every pre neuron i that spiked within the last {@code window} steps moves its delay towards the spike: a pre
 * spike of step t_i arrives at t_i + d; if that is before t the delay grows by {@code step}, if after (still in
 * flight) it shrinks, bounded by [delay_min, delay_max]. Repeated pairings make a pattern's spikes arrive together
 * at the neuron that fired for it, which is what a coincidence detector needs.
 */
final class DelayStdp extends LearningRule {
  private final int step;
  private final int window;
  private final int[] lastPre;

  DelayStdp(RuleSpec spec, Connection c) {
    super(spec, c);
    this.step = (int) Math.max(1, Math.round(spec.p("step")));
    this.window = (int) Math.round(spec.p("window"));
    this.lastPre = new int[c.source().batch() * c.source().size()];
    reset();
  }

  @Override
  void apply(int t, double reward) {
    Nodes pre = c.source();
    Nodes post = c.target();
    int nPre = pre.size();
    int nPost = post.size();
    int[] d = c.d();
    boolean[] mask = c.mask();
    for (int b = 0; b < pre.batch(); b++) {
      int[] sp = pre.spiking(b);
      for (int k = 0, n = pre.spikeCount(b); k < n; k++) {
        lastPre[b * nPre + sp[k]] = t;
      }
      int[] ps = post.spiking(b);
      for (int k = 0, n = post.spikeCount(b); k < n; k++) {
        int j = ps[k];
        for (int i = 0; i < nPre; i++) {
          int ti = lastPre[b * nPre + i];
          if (ti == Integer.MIN_VALUE || ti < t - window) {
            continue;
          }
          int at = i * nPost + j;
          if (mask != null && !mask[at]) {
            continue;
          }
          // a spike emitted at step ti is delivered at step ti + d (see Connection.deliver)
          int arrival = ti + d[at];
          if (arrival < t) {
            d[at] = Math.min(c.delayMax(), d[at] + step);
          } else if (arrival > t) {
            d[at] = Math.max(c.delayMin(), d[at] - step);
          }
        }
      }
    }
  }

  @Override
  void reset() {
    Arrays.fill(lastPre, Integer.MIN_VALUE);
  }
}
