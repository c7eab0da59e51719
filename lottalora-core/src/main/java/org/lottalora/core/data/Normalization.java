package org.lottalora.core.data;

/**
 * The input normalization a model was trained with, {@code x' = (x - mean) / std} with one mean and one
 * standard deviation over all features of the training split. It is stored in the artifact, so a loaded
 * model normalizes raw inputs exactly as training did.
 *
 * @param mean subtracted from every feature
 * @param std divides every feature; positive
 */
public record Normalization(float mean, float std) {

  /** Identity normalization. */
  public static final Normalization NONE = new Normalization(0f, 1f);

  /** Rejects a non-positive or non-finite std. */
  public Normalization {
    if (!(std > 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
      throw new IllegalArgumentException("normalization needs a finite mean and std > 0, got mean=" + mean
          + " std=" + std);
    }
  }

  /** Mean and std over every feature of {@code d} (std 1 for constant data). */
  public static Normalization fit(Dataset d) {
    double s = 0;
    double s2 = 0;
    for (float v : d.features()) {
      s += v;
      s2 += (double) v * v;
    }
    double n = d.features().length;
    double mean = s / n;
    double var = Math.max(0, s2 / n - mean * mean);
    double std = var > 1e-12 ? Math.sqrt(var) : 1.0;
    return new Normalization((float) mean, (float) std);
  }

  /** Normalizes {@code x} in place. */
  public void applyInPlace(float[] x) {
    float inv = 1f / std;
    for (int i = 0; i < x.length; i++) {
      x[i] = (x[i] - mean) * inv;
    }
  }
}
