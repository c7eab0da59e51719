package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.engine.Gemm;
import org.lottalora.core.engine.Param;

/**
 * Truncated BPTT of a leaky tanh reservoir with a low-rank adapter on its recurrent matrix, on the toolkit's engine
 * (plain float arrays, products through {@link Gemm}). Over a batch of windows of {@code span} steps, from start
 * states {@code x0}:
 *
 * <pre>
 *   pre_t   = u_t Win^T + bias + beta x_t W^T + s (x_t A^T) B^T
 *   x_{t+1} = (1 - leak) x_t + leak tanh(pre_t)
 *   out_t   = x_{t+1} Wout_T + bout
 *   loss    = (1 / span) sum_t mean over (batch, outputs) of (out_t - y_t)^2
 * </pre>
 *
 * <p>W is {@code [N, N]} and Win {@code [N, D]} row-major (the reservoir's own arrays, frozen); A is {@code [r, N]},
 * B {@code [N, r]}, the readout {@code Wout_T [N, O]} and {@code bout [O]}. The low-rank term is always taken as
 * {@code (x A^T) B^T}, never as a dense {@code B A}. {@link #lossAndGradients} writes the gradient of every
 * parameter (beta included, whether trained or not) into its {@link Param#g}. Not thread-safe (the forward pass's
 * states live in the instance).
 */
final class AdapterBptt {
  final Param a;
  final Param b;
  final Param beta;
  final Param wout;
  final Param bout;

  private final float[] w;
  private final float[] win;
  private final float[] bias;
  private final int n;
  private final int d;
  private final int o;
  private final float leak;
  private final int rank;
  private final float scale;

  // the last forward pass: states x_0..x_span, tanh outputs, (x A^T) and the scaled errors per step
  private int batch;
  private int span;
  private float[][] xs = new float[0][];
  private float[][] hs = new float[0][];
  private float[][] zs = new float[0][];
  private float[][] errs = new float[0][];

  /**
   * @param w the recurrent matrix [N, N] row-major (not copied)
   * @param win the input matrix [N, D] row-major (not copied)
   * @param bias the bias [N] (not copied)
   * @param a0 A's start [r, N] (copied); B starts at zero and beta at 1
   * @param ro the readout as {@code ro[k] = {bias, w_1..w_N}} per output
   */
  AdapterBptt(float[] w, float[] win, float[] bias, int d, int o, double leak, int rank, double scale, float[] a0,
      double[][] ro) {
    this.n = bias.length;
    if (w.length != n * n || win.length != n * d || a0.length != rank * n || ro.length != o) {
      throw new IllegalArgumentException("adapter BPTT: sizes do not fit N = " + n + ", D = " + d + ", r = " + rank);
    }
    this.w = w;
    this.win = win;
    this.bias = bias;
    this.d = d;
    this.o = o;
    this.leak = (float) leak;
    this.rank = rank;
    this.scale = (float) scale;
    this.a = new Param("A", a0.clone());
    this.b = new Param("B", new float[n * rank]);
    this.beta = new Param("beta", new float[] {1f});
    float[] wo = new float[n * o];
    float[] bo = new float[o];
    for (int k = 0; k < o; k++) {
      bo[k] = (float) ro[k][0];
      for (int i = 0; i < n; i++) {
        wo[i * o + k] = (float) ro[k][1 + i];
      }
    }
    this.wout = new Param("Wout_T", wo);
    this.bout = new Param("bout", bo);
  }

  /** The adapter's arrays: A, B, and beta when trained. */
  List<Param> adapterParams(boolean trainBeta) {
    List<Param> l = new ArrayList<>(List.of(a, b));
    if (trainBeta) {
      l.add(beta);
    }
    return l;
  }

  /** The readout's arrays. */
  List<Param> readoutParams() {
    return List.of(wout, bout);
  }

  /**
   * The loss over a batch of windows (forward only; the states are kept for {@link #backward}).
   *
   * @param x0 start states [batch, N]
   * @param u inputs, step-major: step t's [batch, D] block at {@code t * batch * D}
   * @param y targets, step-major: step t's [batch, O] block at {@code t * batch * O}
   */
  double forward(float[] x0, float[] u, float[] y, int batch, int span) {
    if (x0.length != batch * n || u.length != span * batch * d || y.length != span * batch * o) {
      throw new IllegalArgumentException("adapter BPTT: batch arrays do not fit batch " + batch + ", span " + span);
    }
    this.batch = batch;
    this.span = span;
    if (xs.length != span + 1 || xs[0].length != batch * n) {
      xs = new float[span + 1][batch * n];
      hs = new float[span][batch * n];
      zs = new float[span][batch * rank];
      errs = new float[span][batch * o];
    }
    System.arraycopy(x0, 0, xs[0], 0, x0.length);
    float bt = beta.v[0];
    float keep = 1 - leak;
    double sq = 0;
    for (int t = 0; t < span; t++) {
      float[] x = xs[t];
      float[] h = hs[t];
      float[] z = zs[t];
      // pre (in h) = beta x W^T + s (x A^T) B^T + u Win^T + bias
      Gemm.mm(false, true, batch, n, n, bt, x, 0, w, 0, 0f, h, 0);
      Gemm.mm(false, true, batch, rank, n, 1f, x, 0, a.v, 0, 0f, z, 0);
      Gemm.mm(false, true, batch, n, rank, scale, z, 0, b.v, 0, 1f, h, 0);
      Gemm.mm(false, true, batch, n, d, 1f, u, t * batch * d, win, 0, 1f, h, 0);
      float[] x1 = xs[t + 1];
      for (int r = 0; r < batch; r++) {
        int off = r * n;
        for (int i = 0; i < n; i++) {
          float th = (float) Math.tanh(h[off + i] + bias[i]);
          h[off + i] = th;
          x1[off + i] = keep * x[off + i] + leak * th;
        }
      }
      float[] e = errs[t];
      Gemm.mm(false, false, batch, o, n, 1f, x1, 0, wout.v, 0, 0f, e, 0);
      int yo = t * batch * o;
      for (int r = 0; r < batch; r++) {
        for (int k = 0; k < o; k++) {
          float diff = e[r * o + k] + bout.v[k] - y[yo + r * o + k];
          e[r * o + k] = diff;
          sq += (double) diff * diff;
        }
      }
    }
    return sq / ((double) batch * o * span);
  }

  /**
   * Backpropagation through the window of the last {@link #forward}: overwrites the gradients of A, B, beta and the
   * readout with those of its loss.
   */
  void backward() {
    int nb = batch * n;
    for (Param p : List.of(a, b, beta, wout, bout)) {
      java.util.Arrays.fill(p.g, 0f);
    }
    float c = (float) (2.0 / ((double) batch * o * span));
    float bt = beta.v[0];
    float keep = 1 - leak;
    float[] gx = new float[nb];
    float[] gpre = new float[nb];
    float[] q = new float[nb];
    float[] ge = new float[batch * o];
    float[] gz = new float[batch * rank];
    double gbeta = 0;
    for (int t = span - 1; t >= 0; t--) {
      float[] x = xs[t];
      float[] x1 = xs[t + 1];
      float[] h = hs[t];
      float[] e = errs[t];
      for (int i = 0; i < ge.length; i++) {
        ge[i] = c * e[i];
      }
      // readout: out = x1 Wout_T + bout
      Gemm.mm(true, false, n, o, batch, 1f, x1, 0, ge, 0, 1f, wout.g, 0);
      for (int r = 0; r < batch; r++) {
        for (int k = 0; k < o; k++) {
          bout.g[k] += ge[r * o + k];
        }
      }
      Gemm.mm(false, true, batch, n, o, 1f, ge, 0, wout.v, 0, 1f, gx, 0);
      // x1 = keep x + leak tanh(pre)
      for (int i = 0; i < nb; i++) {
        gpre[i] = gx[i] * leak * (1 - h[i] * h[i]);
      }
      // beta x W^T: d beta = <gpre, x W^T> = <gpre W, x>, d x = beta gpre W
      Gemm.mm(false, false, batch, n, n, 1f, gpre, 0, w, 0, 0f, q, 0);
      double dot = 0;
      for (int i = 0; i < nb; i++) {
        dot += (double) q[i] * x[i];
        gx[i] = keep * gx[i] + bt * q[i];
      }
      gbeta += dot;
      // s (x A^T) B^T with z = x A^T
      Gemm.mm(true, false, n, rank, batch, scale, gpre, 0, zs[t], 0, 1f, b.g, 0);
      Gemm.mm(false, false, batch, rank, n, scale, gpre, 0, b.v, 0, 0f, gz, 0);
      Gemm.mm(true, false, rank, n, batch, 1f, gz, 0, x, 0, 1f, a.g, 0);
      Gemm.mm(false, false, batch, n, rank, 1f, gz, 0, a.v, 0, 1f, gx, 0);
    }
    beta.g[0] = (float) gbeta;
  }

  /** {@link #forward} then {@link #backward}; returns the loss. */
  double lossAndGradients(float[] x0, float[] u, float[] y, int batch, int span) {
    double loss = forward(x0, u, y, batch, span);
    backward();
    return loss;
  }
}
