package org.lottalora.core.engine;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;

/**
 * LLaMA's SwiGLU MLP (Shazeer 2020): {@code y = W_down (silu(W_gate x) * W_up x)} over the rows of [n, d], the
 * three matrices ({@code <prefix>.gate|up|down}) adapted, trained in full, or frozen random with no adapter (the
 * paper's WikiText setting). The gate's element-wise work is one fused pass each way.
 */
public final class SwiGlu {
  private final AdaptedDense gate;
  private final AdaptedDense up;
  private final AdaptedDense down;
  private final int hidden;
  private final AdaptedDense.Cache cg = new AdaptedDense.Cache();
  private final AdaptedDense.Cache cu = new AdaptedDense.Cache();
  private final AdaptedDense.Cache cd = new AdaptedDense.Cache();
  private float[] x;
  private int n;
  private float[] g = new float[0];
  private float[] u = new float[0];
  private float[] h = new float[0];
  private float[] sig = new float[0];

  /** The backbone tensors of a SwiGLU of width {@code d} and hidden width {@code hidden}. */
  public static List<TensorSpec> tensors(String prefix, int d, int hidden, InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>(AdaptedDense.tensors(prefix + ".gate", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".up", d, hidden, init));
    ts.addAll(AdaptedDense.tensors(prefix + ".down", hidden, d, init));
    return ts;
  }

  /** Declares the MLP with its three matrices in {@code mode} (trained arrays go to {@code params}). */
  public SwiGlu(String prefix, int d, int hidden, Backbone bb, AdapterConfig ac, MatrixMode mode,
      List<Param> params) {
    this.hidden = hidden;
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


  /** The output [rows, d] for input [rows, d]; {@code train} keeps what {@link #backward} needs. */
  public float[] forward(float[] input, int rows, boolean train) {
    x = input;
    n = rows;
    int size = rows * hidden;
    g = Buffers.fit(g, size);
    u = Buffers.fit(u, size);
    h = Buffers.fit(h, size);
    sig = Buffers.fit(sig, size);
    if (train) {
      gate.forwardTrain(input, rows, g, cg);
      up.forwardTrain(input, rows, u, cu);
    } else {
      gate.forward(input, rows, g);
      up.forward(input, rows, u);
    }
    float[] gl = g;
    float[] ul = u;
    float[] hl = h;
    float[] sl = sig;
    Parallel.forChunks(size, (from, to) -> { // the gate's sigmoid is kept: backward needs it
      Activations.sigmoid(gl, sl, from, to);
      for (int i = from; i < to; i++) {
        hl[i] = gl[i] * sl[i] * ul[i];
      }
    });
    float[] y = new float[rows * down.out];
    if (train) {
      down.forwardTrain(h, rows, y, cd);
    } else {
      down.forward(h, rows, y);
    }
    return y;
  }

  /** Adds the trained arrays' gradients for dy [n, d] of the last training forward; adds d input into dx. */
  public void backward(float[] dy, float[] dx) {
    int size = n * hidden;
    float[] dh = new float[size];
    down.backward(dy, h, n, cd, dh, false);
    float[] dg = new float[size];
    float[] gl = g;
    float[] ul = u;
    float[] sl = sig;
    Parallel.forChunks(size, (from, to) -> {
      for (int i = from; i < to; i++) { // h = silu(g) u: du = dh silu(g), dg = dh u sig(g) (1 + g (1 - sig(g)))
        float gv = gl[i];
        float sg = sl[i];
        float d = dh[i];
        dg[i] = d * ul[i] * sg * (1 + gv * (1 - sg));
        dh[i] = d * gv * sg; // dh now holds du
      }
    });
    gate.backward(dg, x, n, cg, dx, true);
    up.backward(dh, x, n, cu, dx, true);
  }

  /** Turns dense-dW gradients (DoRA, full mode) into the trained arrays' gradients. */
  public void finish() {
    gate.finish();
    up.finish();
    down.finish();
  }

  /** Its three matrices, for a scaffold switch ({@link org.lottalora.core.train.ScaffoldSwitch}). */
  public void scaffoldLayers(java.util.List<AdaptedDense> out) {
    out.add(gate);
    out.add(up);
    out.add(down);
  }
}
