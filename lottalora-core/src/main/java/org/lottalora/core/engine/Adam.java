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
    double b1 = 0.9;
    double b2 = 0.999;
    double c1 = 1 - Math.pow(b1, step);
    double c2 = 1 - Math.pow(b2, step);
    for (Param p : params) {
      boolean decay = wd > 0 && WeightDecay.appliesTo(p.name);
      for (int i = 0; i < p.v.length; i++) {
        p.m[i] = (float) (b1 * p.m[i] + (1 - b1) * p.g[i]);
        p.s[i] = (float) (b2 * p.s[i] + (1 - b2) * p.g[i] * p.g[i]);
        double upd = lr * (p.m[i] / c1) / (Math.sqrt(p.s[i] / c2) + 1e-8);
        if (decay) {
          upd += lr * wd * p.v[i];
        }
        p.v[i] -= (float) upd;
      }
    }
  }
}
