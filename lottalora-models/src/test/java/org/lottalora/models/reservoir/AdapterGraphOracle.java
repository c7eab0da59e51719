package org.lottalora.models.reservoir;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff twin of {@link AdapterBptt}, kept as a test oracle: the unrolled graph the reservoir adapter trainer
 * ran on before it moved to the engine (issue 16), unchanged.
 */
final class AdapterGraphOracle {
  private AdapterGraphOracle() {
  }

  /**
   * The unrolled graph: placeholders {@code x0} [batch, N] (the state before the window), {@code u<t>} and
   * {@code y<t>} per step; variables A [r, N], B [N, r] (zeros), beta (a constant 1 unless trained), the
   * readout as {@code Wout_T} [N, O] and {@code bout} [1, O]; scalar {@code loss}, the mean squared error over
   * the window.
   */
  static SameDiff graph(Reservoir res, int d, int o, int span, double[][] ro, int rank, double scale, float[] a0,
      boolean trainBeta) {
    int n = res.spec().units();
    SameDiff sd = SameDiff.create();
    SDVariable wT = sd.constant("W_T", Nd4j.create(toDouble(res.recurrentFloat()), new long[] {n, n}, DataType.FLOAT)
        .transpose().dup());
    SDVariable winT = sd.constant("Win_T", Nd4j.create(toDouble(res.inputFloat()), new long[] {n, d}, DataType.FLOAT)
        .transpose().dup());
    SDVariable bias = sd.constant("bias", Nd4j.create(toDouble(res.biasFloat()), new long[] {1, n}, DataType.FLOAT));
    SDVariable av = sd.var("A", Nd4j.create(toDouble(a0), new long[] {rank, n}, DataType.FLOAT));
    SDVariable bv = sd.var("B", Nd4j.zeros(DataType.FLOAT, n, rank));
    SDVariable beta = trainBeta ? sd.var("beta", Nd4j.ones(DataType.FLOAT, 1, 1))
        : sd.constant("beta", Nd4j.ones(DataType.FLOAT, 1, 1));
    float[] woutT = new float[n * o];
    float[] bout = new float[o];
    for (int k = 0; k < o; k++) {
      bout[k] = (float) ro[k][0];
      for (int i = 0; i < n; i++) {
        woutT[i * o + k] = (float) ro[k][1 + i];
      }
    }
    SDVariable wout = sd.var("Wout_T", Nd4j.create(toDouble(woutT), new long[] {n, o}, DataType.FLOAT));
    SDVariable bo = sd.var("bout", Nd4j.create(toDouble(bout), new long[] {1, o}, DataType.FLOAT));
    double leak = res.spec().leakRate();
    SDVariable x = sd.placeHolder("x0", DataType.FLOAT, -1, n);
    List<SDVariable> losses = new ArrayList<>();
    for (int t = 0; t < span; t++) {
      SDVariable ut = sd.placeHolder("u" + t, DataType.FLOAT, -1, d);
      SDVariable rec = x.mmul(wT).mul(beta).add(sd.mmul(sd.mmul(x, av, false, true, false), bv, false, true, false)
          .mul(scale));
      SDVariable pre = ut.mmul(winT).add(bias).add(rec);
      x = x.mul(1 - leak).add(sd.math.tanh(pre).mul(leak));
      SDVariable yt = sd.placeHolder("y" + t, DataType.FLOAT, -1, o);
      SDVariable err = x.mmul(wout).add(bo).sub(yt);
      losses.add(err.mul(err).mean());
    }
    SDVariable loss = losses.get(0);
    for (int i = 1; i < losses.size(); i++) {
      loss = loss.add(losses.get(i));
    }
    loss = loss.div("loss", losses.size());
    sd.setLossVariables("loss");
    return sd;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
