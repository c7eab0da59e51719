package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.MatrixMode;
import org.lottalora.core.engine.Param;

/**
 * LLaMA's SwiGLU MLP: {@code y = W_down (silu(W_gate x) * W_up x)} over one sequence, the three matrices
 * ({@code <prefix>.gate|up|down}) either adapted or frozen random with no adapter (the paper's WikiText setting).
 */
public final class SwiGlu {
  private final AdaptedDense gate;
  private final AdaptedDense up;
  private final AdaptedDense down;
  private float[][] x;
  private float[][] g;
  private float[][] u;
  private float[][] h;

  /** The backbone tensors of a SwiGLU of width {@code d} and hidden width {@code hidden}. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(AdaptedDense.tensors(prefix + ".gate", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".up", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".down", hidden, d, init));
    return ts;
  }

  /** Declares the MLP with its three matrices in {@code mode} (frozen: no trained arrays at all). */
  public SwiGlu(String prefix, int d, int hidden, Backbone bb, AdapterConfig ac, MatrixMode mode,
      List<Param> params) {
    gate = mode.layer(prefix + ".gate", d, hidden, bb, ac, params);
    up = mode.layer(prefix + ".up", d, hidden, bb, ac, params);
    down = mode.layer(prefix + ".down", hidden, d, bb, ac, params);
    refresh();
  }

  /** Recomputes the effective weights. */
  public void refresh() {
    gate.refresh();
    up.refresh();
    down.refresh();
  }

  /** The MLP's output for rows x [T][d]. */
  public float[][] forward(float[][] input) {
    x = input;
    g = gate.forward(input);
    u = up.forward(input);
    h = new float[g.length][g[0].length];
    for (int i = 0; i < g.length; i++) {
      for (int j = 0; j < g[i].length; j++) {
        h[i][j] = silu(g[i][j]) * u[i][j];
      }
    }
    return down.forward(h);
  }

  /** Adds the gradients for output gradient {@code dy}; returns d x. */
  public float[][] backward(float[][] dy) {
    float[][] dh = down.accumulate(dy, h);
    float[][] dg = new float[dh.length][dh[0].length];
    float[][] du = new float[dh.length][dh[0].length];
    for (int i = 0; i < dh.length; i++) {
      for (int j = 0; j < dh[i].length; j++) {
        double sg = 1 / (1 + Math.exp(-g[i][j]));
        du[i][j] = (float) (dh[i][j] * g[i][j] * sg);
        dg[i][j] = (float) (dh[i][j] * u[i][j] * sg * (1 + g[i][j] * (1 - sg)));
      }
    }
    float[][] dx = gate.accumulate(dg, x);
    float[][] dxu = up.accumulate(du, x);
    for (int i = 0; i < dx.length; i++) {
      for (int j = 0; j < dx[i].length; j++) {
        dx[i][j] += dxu[i][j];
      }
    }
    return dx;
  }

  /** Turns accumulated gradients into the trained arrays' gradients. */
  public void finish() {
    gate.finish();
    up.finish();
    down.finish();
  }

  private static float silu(float v) {
    return (float) (v / (1 + Math.exp(-v)));
  }
}
