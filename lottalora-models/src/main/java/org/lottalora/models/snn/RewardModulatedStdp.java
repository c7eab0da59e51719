package org.lottalora.models.snn;

import java.util.Arrays;

/**
 * Reward-modulated STDP (Florian 2007, BindsNET's MSTDP): traces {@code p+ <- p+ e^(-dt/tc_plus) + a_plus s_pre}
 * and {@code p- <- p- e^(-dt/tc_minus) + a_minus s_post}; the eligibility of a step is {@code p+ (x) s_post +
 * s_pre (x) p-}, and the weight moves by {@code nu * reward * eligibility of the previous step}. The eligibility is
 * never stored as a matrix: the rule keeps the previous step's traces and spike lists and applies it sparsely.
 */
final class RewardModulatedStdp extends LearningRule {
  private final float nu;
  private final float aPlus;
  private final float aMinus;
  private final float decayPlus;
  private final float decayMinus;
  private final float[] pPlus;
  private final float[] pMinus;
  private final float[] prevPlus;
  private final float[] prevMinus;
  private final int[][] prevPre;
  private final int[][] prevPost;
  private final int[] prevPreCount;
  private final int[] prevPostCount;

  RewardModulatedStdp(RuleSpec spec, Connection c) {
    super(spec, c);
    int batch = c.source().batch();
    int nPre = c.source().size();
    int nPost = c.target().size();
    double dt = c.source().dt();
    this.nu = (float) spec.p("nu");
    this.aPlus = (float) spec.p("a_plus");
    this.aMinus = (float) spec.p("a_minus");
    this.decayPlus = (float) Math.exp(-dt / spec.p("tc_plus"));
    this.decayMinus = (float) Math.exp(-dt / spec.p("tc_minus"));
    this.pPlus = new float[batch * nPre];
    this.pMinus = new float[batch * nPost];
    this.prevPlus = new float[batch * nPre];
    this.prevMinus = new float[batch * nPost];
    this.prevPre = new int[batch][nPre];
    this.prevPost = new int[batch][nPost];
    this.prevPreCount = new int[batch];
    this.prevPostCount = new int[batch];
  }

  @Override
  void apply(int t, double reward) {
    Nodes pre = c.source();
    Nodes post = c.target();
    float k = (float) (nu * reward);
    for (int b = 0; b < pre.batch(); b++) {
      if (k != 0) {
        for (int q = 0; q < prevPostCount[b]; q++) {
          addColumn(b, prevPost[b][q], k, prevPlus, false);
        }
        for (int q = 0; q < prevPreCount[b]; q++) {
          addRow(b, prevPre[b][q], k, prevMinus, false);
        }
      }
    }
    float[] sPre = pre.spikes();
    float[] sPost = post.spikes();
    for (int i = 0; i < pPlus.length; i++) {
      pPlus[i] = pPlus[i] * decayPlus + aPlus * sPre[i];
    }
    for (int j = 0; j < pMinus.length; j++) {
      pMinus[j] = pMinus[j] * decayMinus + aMinus * sPost[j];
    }
    System.arraycopy(pPlus, 0, prevPlus, 0, pPlus.length);
    System.arraycopy(pMinus, 0, prevMinus, 0, pMinus.length);
    for (int b = 0; b < pre.batch(); b++) {
      prevPreCount[b] = pre.spikeCount(b);
      System.arraycopy(pre.spiking(b), 0, prevPre[b], 0, prevPreCount[b]);
      prevPostCount[b] = post.spikeCount(b);
      System.arraycopy(post.spiking(b), 0, prevPost[b], 0, prevPostCount[b]);
    }
  }

  @Override
  void reset() {
    Arrays.fill(pPlus, 0);
    Arrays.fill(pMinus, 0);
    Arrays.fill(prevPlus, 0);
    Arrays.fill(prevMinus, 0);
    Arrays.fill(prevPreCount, 0);
    Arrays.fill(prevPostCount, 0);
  }
}
