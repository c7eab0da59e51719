package org.lottalora.core.train;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdamW exactly as PyTorch's {@code torch.optim.AdamW} computes it (beta1 0.9, beta2 0.999, eps 1e-8):
 * {@code p -= lr*wd*p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. M2.1 has no AdamW class. The update runs in plain
 * Java over each parameter's native buffer (one memcpy in, one out): a dozen ND4J ops per parameter cost
 * more than the arithmetic for adapter-sized tensors. Decay applies to the tensors {@link WeightDecay#appliesTo}
 * names only (weight matrices and adapter factors; never betas, biases, norms, DoRA magnitudes, embeddings).
 */
final class AdamW {
  private static final double B1 = 0.9;
  private static final double B2 = 0.999;
  private static final double EPS = 1e-8;
  private final CosineSchedule schedule;
  private final double weightDecay;
  private final Map<String, float[][]> state = new HashMap<>();

  AdamW(CosineSchedule schedule, double weightDecay) {
    this.schedule = schedule;
    this.weightDecay = weightDecay;
  }

  /** Applies step {@code iteration} (0-based) to every parameter in {@code grads}. */
  void step(Map<String, INDArray> params, Map<String, INDArray> grads, int iteration) {
    double lr = schedule.at(iteration);
    int t = iteration + 1;
    double c1 = 1 - Math.pow(B1, t);
    double c2 = Math.sqrt(1 - Math.pow(B2, t));
    float decay = (float) (1 - lr * weightDecay);
    float stepSize = (float) (lr / c1);
    for (Map.Entry<String, INDArray> e : grads.entrySet()) {
      INDArray pa = params.get(e.getKey());
      int n = (int) pa.length();
      float[][] s = state.computeIfAbsent(e.getKey(),
          k -> new float[][] {new float[n], new float[n], new float[n], new float[n]});
      float[] m = s[0];
      float[] v = s[1];
      float[] p = s[2];
      float[] g = s[3];
      float keep = WeightDecay.appliesTo(e.getKey()) ? decay : 1f;
      ((FloatPointer) e.getValue().data().addressPointer()).get(g, 0, n);
      FloatPointer pp = (FloatPointer) pa.data().addressPointer();
      pp.get(p, 0, n);
      for (int i = 0; i < n; i++) {
        float gi = g[i];
        m[i] = (float) (B1 * m[i] + (1 - B1) * gi);
        v[i] = (float) (B2 * v[i] + (1 - B2) * gi * gi);
        p[i] = p[i] * keep - stepSize * m[i] / (float) (Math.sqrt(v[i]) / c2 + EPS);
      }
      pp.put(p, 0, n);
    }
  }
}
