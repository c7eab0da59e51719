package org.lottalora.core.engine;

/** The numerically stable softmax the hand-written engines and their callers share. */
public final class Softmax {
  private Softmax() {
  }

  /** {@code exp(z - max) / sum}, in a new array. */
  public static float[] of(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    float[] p = new float[logits.length];
    for (int k = 0; k < p.length; k++) {
      p[k] = (float) (Math.exp(logits[k] - max) / sum);
    }
    return p;
  }

  /** {@code exp(z - max) / sum} of {@code len} values of z from {@code zOff}, written to out from {@code outOff}. */
  public static void into(float[] z, int zOff, int len, float[] out, int outOff) {
    float max = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < len; c++) {
      max = Math.max(max, z[zOff + c]);
    }
    double sum = 0;
    for (int c = 0; c < len; c++) {
      sum += Math.exp(z[zOff + c] - max);
    }
    for (int c = 0; c < len; c++) {
      out[outOff + c] = (float) (Math.exp(z[zOff + c] - max) / sum);
    }
  }
}
