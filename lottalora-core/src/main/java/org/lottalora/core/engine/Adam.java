package org.lottalora.core.engine;

import java.util.List;
import org.lottalora.core.train.WeightDecay;

/**
 * Adam (beta 0.9 / 0.999, eps 1e-8, bias-corrected) over the hand-written engines' arrays, with decoupled weight
 * decay ({@code p -= lr * wd * p}, PyTorch's AdamW) on the arrays {@link WeightDecay#appliesTo} names: weight
 * matrices (heads, fully trained layers) and adapter factors, never betas, biases, norms, DoRA magnitudes or
 * embeddings. The same rule as {@code lottalora train}'s optimizer, so {@code --wd} means one thing in every family.
 */
public final class Adam {
  private Adam() {
  }

  /** One Adam step over {@code params} ({@code step} counts from 1), decay {@code wd} as the class says. */
  public static void step(List<Param> params, double lr, double wd, int step) {
    double c1 = 1 - Math.pow(0.9, step);
    double c2 = 1 - Math.pow(0.999, step);
    // PyTorch's form, in float so the loop vectorises (a double loop was 40% of a full-mode MLP step):
    // p = p (1 - lr wd) - (lr / c1) m / (sqrt(v) / sqrt(c2) + eps)
    float stepSize = (float) (lr / c1);
    float rootC2 = (float) Math.sqrt(c2);
    for (Param p : params) {
      float keep = wd > 0 && WeightDecay.appliesTo(p.name) ? (float) (1 - lr * wd) : 1f;
      update(p.v, p.g, p.m, p.s, keep, stepSize, rootC2);
    }
  }

  private static void update(float[] v, float[] g, float[] m, float[] s, float keep, float stepSize, float rootC2) {
    for (int i = 0; i < v.length; i++) {
      float gi = g[i];
      float mi = 0.9f * m[i] + 0.1f * gi;
      float si = 0.999f * s[i] + 0.001f * gi * gi;
      m[i] = mi;
      s[i] = si;
      v[i] = v[i] * keep - stepSize * mi / ((float) Math.sqrt(si) / rootC2 + 1e-8f);
    }
  }
}
