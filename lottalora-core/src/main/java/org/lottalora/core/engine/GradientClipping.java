package org.lottalora.core.engine;

import java.util.List;

/**
 * The engine's one gradient-clipping rule, global-norm clipping as PyTorch's {@code clip_grad_norm_}: when the L2
 * norm over all of a group's gradients exceeds {@code max}, every gradient is scaled by {@code max / norm}, so the
 * update keeps its direction. Trainers that clip (the reservoir's BPTT, whose gradients through time can explode)
 * call it between backward and the optimizer step; the others do not clip.
 */
public final class GradientClipping {
  private GradientClipping() {
  }

  /** Clips the gradients of {@code params} to global norm {@code max}; returns the norm before clipping. */
  public static double clipGlobalNorm(List<Param> params, double max) {
    double sq = 0;
    for (Param p : params) {
      for (float g : p.g) {
        sq += (double) g * g;
      }
    }
    double norm = Math.sqrt(sq);
    if (norm > max) {
      float f = (float) (max / norm);
      for (Param p : params) {
        for (int i = 0; i < p.g.length; i++) {
          p.g[i] *= f;
        }
      }
    }
    return norm;
  }
}
