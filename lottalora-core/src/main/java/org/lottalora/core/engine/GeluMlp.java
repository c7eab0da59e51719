package org.lottalora.core.engine;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * The ViT/BERT MLP: {@code y = W_2 GELU(W_1 x + b_1) + b_2} over the rows of [n, d], {@code <prefix>.fc1}
 * [hidden, d] and {@code <prefix>.fc2} [d, hidden] adapted (the ViT default), trained in full or frozen random.
 * GELU in its tanh form ({@code 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3)))}), as GPT-2 and BERT's reference
 * code use.
 */
public final class GeluMlp {
  private static final double C = Math.sqrt(2 / Math.PI);
  private final AdaptedDense fc1;
  private final AdaptedDense fc2;
  private final int hidden;
  private final AdaptedDense.Cache c1 = new AdaptedDense.Cache();
  private final AdaptedDense.Cache c2 = new AdaptedDense.Cache();
  private float[] x;
  private int n;
  private float[] pre = new float[0];
  private float[] act = new float[0];
  private float[] th = new float[0];

  /** The backbone tensors of an MLP of width {@code d} and hidden width {@code hidden}. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(AdaptedDense.tensors(prefix + ".fc1", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".fc2", hidden, d, init));
    return ts;
  }

  /** Declares the MLP with both matrices in {@code mode} (trained arrays go to {@code params}). */
  public GeluMlp(String prefix, int d, int hidden, Backbone bb, AdapterConfig ac, MatrixMode mode,
      List<Param> params) {
    this.hidden = hidden;
    fc1 = mode.layer(prefix + ".fc1", d, hidden, bb, ac, params);
    fc2 = mode.layer(prefix + ".fc2", hidden, d, bb, ac, params);
    refresh();
  }

  /** Recomputes the effective weights. */
  public void refresh() {
    fc1.refresh();
    fc2.refresh();
  }


  /** The output [rows, d] for input [rows, d]; {@code train} keeps what {@link #backward} needs. */
  public float[] forward(float[] input, int rows, boolean train) {
    x = input;
    n = rows;
    int size = rows * hidden;
    pre = Buffers.fit(pre, size);
    act = Buffers.fit(act, size);
    th = Buffers.fit(th, size);
    if (train) {
      fc1.forwardTrain(input, rows, pre, c1);
    } else {
      fc1.forward(input, rows, pre);
    }
    float c = (float) C;
    for (int i = 0; i < size; i++) { // act holds tanh's argument first
      float v = pre[i];
      act[i] = c * (v + 0.044715f * v * v * v);
    }
    Activations.tanh(act, th, 0, size); // the tanh is kept for backward
    for (int i = 0; i < size; i++) {
      act[i] = 0.5f * pre[i] * (1 + th[i]);
    }
    float[] y = new float[rows * fc2.out];
    if (train) {
      fc2.forwardTrain(act, rows, y, c2);
    } else {
      fc2.forward(act, rows, y);
    }
    return y;
  }

  /** Adds the trained arrays' gradients for dy [n, d] of the last training forward; adds d input into dx. */
  public void backward(float[] dy, float[] dx) {
    int size = n * hidden;
    float[] da = new float[size];
    fc2.backward(dy, act, n, c2, da, false);
    for (int i = 0; i < size; i++) {
      double v = pre[i];
      double t = th[i];
      double grad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * 0.044715 * v * v);
      da[i] = (float) (da[i] * grad);
    }
    fc1.backward(da, x, n, c1, dx, true);
  }

  /** Turns dense-dW gradients (DoRA, full mode) into the trained arrays' gradients. */
  public void finish() {
    fc1.finish();
    fc2.finish();
  }

  /** Its two matrices, for a scaffold switch ({@link org.lottalora.core.train.ScaffoldSwitch}). */
  public void scaffoldLayers(java.util.List<AdaptedDense> out) {
    out.add(fc1);
    out.add(fc2);
  }
}
