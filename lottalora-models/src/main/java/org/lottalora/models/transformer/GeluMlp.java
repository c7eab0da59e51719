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
 * The ViT/BERT MLP: {@code y = W_2 GELU(W_1 x + b_1) + b_2} over rows, {@code <prefix>.fc1} [hidden, d] and
 * {@code <prefix>.fc2} [d, hidden] adapted (the ViT default), trained in full or frozen random. GELU in its tanh form
 * ({@code 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3)))}), as GPT-2 and BERT's reference code use.
 */
public final class GeluMlp {
  private static final double C = Math.sqrt(2 / Math.PI);
  private final AdaptedDense fc1;
  private final AdaptedDense fc2;
  private float[][] x;
  private float[][] pre;
  private float[][] act;

  /** The backbone tensors of an MLP of width {@code d} and hidden width {@code hidden}. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(AdaptedDense.tensors(prefix + ".fc1", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".fc2", hidden, d, init));
    return ts;
  }

  /** Declares the MLP with both matrices in {@code mode}. */
  public GeluMlp(String prefix, int d, int hidden, Backbone bb, AdapterConfig ac, MatrixMode mode,
      List<Param> params) {
    fc1 = mode.layer(prefix + ".fc1", d, hidden, bb, ac, params);
    fc2 = mode.layer(prefix + ".fc2", hidden, d, bb, ac, params);
    refresh();
  }

  /** Recomputes the effective weights. */
  public void refresh() {
    fc1.refresh();
    fc2.refresh();
  }

  /** The MLP's output for rows x [n][d]. */
  public float[][] forward(float[][] input) {
    x = input;
    pre = fc1.forward(input);
    act = new float[pre.length][pre[0].length];
    for (int i = 0; i < pre.length; i++) {
      for (int j = 0; j < pre[i].length; j++) {
        double v = pre[i][j];
        act[i][j] = (float) (0.5 * v * (1 + Math.tanh(C * (v + 0.044715 * v * v * v))));
      }
    }
    return fc2.forward(act);
  }

  /** Adds the gradients for output gradient {@code dy}; returns d x. */
  public float[][] backward(float[][] dy) {
    float[][] da = fc2.accumulate(dy, act);
    for (int i = 0; i < da.length; i++) {
      for (int j = 0; j < da[i].length; j++) {
        double v = pre[i][j];
        double t = Math.tanh(C * (v + 0.044715 * v * v * v));
        double grad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * 0.044715 * v * v);
        da[i][j] = (float) (da[i][j] * grad);
      }
    }
    return fc1.accumulate(da, x);
  }

  /** Turns accumulated gradients into the trained arrays' gradients. */
  public void finish() {
    fc1.finish();
    fc2.finish();
  }
}
