package org.lottalora.models.reservoir;

/**
 * An echo state network read as an image classifier: the image's rows are the time steps (a 28 x 28 image is
 * 28 steps of 28 inputs), the state starts at zero for every image, and the features are the states of every
 * layer at {@code samples} evenly spaced rows, plus a constant 1 (ReservoirPy's classification tutorial keeps
 * only the last state; a few snapshots keep what the early rows said).
 */
public final class EsnImageFeatures implements FeatureMap {
  private final EchoStateNetwork esn;
  private final int height;
  private final int width;
  private final int[] sampleAt;
  private final int units;

  /** Reads {@code height x width} images through {@code esn} (whose input width must be {@code width}). */
  public EsnImageFeatures(EchoStateNetwork esn, int height, int width, int samples) {
    if (esn.inputDim() != width) {
      throw new IllegalArgumentException("the network takes " + esn.inputDim() + " inputs per step, images are "
          + width + " wide");
    }
    if (samples < 1 || samples > height) {
      throw new IllegalArgumentException("--samples must be in 1.." + height + " (image rows), got " + samples);
    }
    this.esn = esn;
    this.height = height;
    this.width = width;
    this.sampleAt = new int[samples];
    for (int s = 0; s < samples; s++) {
      sampleAt[s] = (int) Math.round((s + 1) * (double) height / samples) - 1;
    }
    int u = 0;
    for (Reservoir r : esn.layers()) {
      u += r.spec().units();
    }
    this.units = u;
  }

  @Override
  public int featureCount() {
    return units * sampleAt.length + 1;
  }

  @Override
  public double[] features(float[] image) {
    if (image.length != height * width) {
      throw new IllegalArgumentException("image has " + image.length + " values, expected " + height + "x" + width);
    }
    EchoStateNetwork.State s = esn.newState();
    double[] f = new double[featureCount()];
    f[0] = 1;
    double[] u = new double[width];
    int k = 0;
    for (int row = 0; row < height; row++) {
      for (int c = 0; c < width; c++) {
        u[c] = image[row * width + c];
      }
      esn.step(s, u);
      if (k < sampleAt.length && row == sampleAt[k]) {
        int off = 1 + k * units;
        for (int l = 0; l < esn.layers().size(); l++) {
          double[] x = s.layer(l);
          System.arraycopy(x, 0, f, off, x.length);
          off += x.length;
        }
        k++;
      }
    }
    return f;
  }

  /** Number of snapshots. */
  public int samples() {
    return sampleAt.length;
  }
}
