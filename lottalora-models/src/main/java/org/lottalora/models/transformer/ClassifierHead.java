package org.lottalora.models.transformer;

import java.util.List;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.LayerNorm;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.SoftmaxCrossEntropy;

/**
 * The end of an encoder classifier (the ViT's and the text classifier's): a LayerNorm ({@code final_norm}) on one
 * pooled vector per example, then a linear head ({@code head.weight} [classes, d], {@code head.bias}) trained in
 * full from its seed values; softmax cross-entropy in {@link #backward}.
 */
final class ClassifierHead {
  private final int d;
  private final int classes;
  private final LayerNorm norm;
  private final Param weight;
  private final Param bias;
  private float[][] normed;

  /** Declares the norm and the head (their arrays go to {@code params}, the head's from the scaffold {@code bb}). */
  ClassifierHead(int d, int classes, Backbone bb, List<Param> params) {
    this.d = d;
    this.classes = classes;
    norm = new LayerNorm("final_norm", d, params);
    weight = new Param("head.weight", bb.get("head.weight").clone());
    bias = new Param("head.bias", bb.get("head.bias").clone());
    params.add(weight);
    params.add(bias);
  }

  /** The head's weight (the only array weight decay applies to). */
  Param weight() {
    return weight;
  }

  /** Logits [B][classes] of pooled vectors [B][d]. */
  float[][] forward(float[][] pooled) {
    int n = pooled.length;
    normed = Blas.rows(norm.forward(Blas.flat(pooled, d), n, new float[n * d]), n, d);
    float[][] z = Blas.timesTransposed(normed, weight.v, classes);
    for (float[] zb : z) {
      for (int k = 0; k < classes; k++) {
        zb[k] += bias.v[k];
      }
    }
    return z;
  }

  /**
   * What {@link #backward} gives.
   *
   * @param loss mean cross-entropy
   * @param dPooled gradient of the pooled vectors [B][d]
   */
  record Backward(double loss, float[][] dPooled) {
  }

  /**
   * Mean cross-entropy of the last forward's logits {@code z} against {@code labels}; adds the norm's and head's
   * gradients and returns the pooled vectors' gradient with the loss.
   *
   * @throws IllegalArgumentException on a label outside the classes
   */
  Backward backward(float[][] z, int[] labels) {
    int n = z.length;
    for (int y : labels) {
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException("label " + y + " is outside 0.." + (classes - 1));
      }
    }
    float[] flatDz = new float[n * classes];
    double loss = SoftmaxCrossEntropy.of(Blas.flat(z, classes), classes, labels, null, flatDz).loss();
    float[][] dz = Blas.rows(flatDz, n, classes);
    for (float[] row : dz) {
      for (int k = 0; k < classes; k++) {
        bias.g[k] += row[k];
      }
    }
    Blas.addTransposedTimes(dz, normed, weight.g, classes, d);
    float[] dPooled = new float[n * d];
    norm.backward(Blas.flat(Blas.times(dz, weight.v, d), d), n, dPooled);
    return new Backward(loss, Blas.rows(dPooled, n, d));
  }
}
