package org.lottalora.models.reservoir;

/**
 * Turns one input (an image, flattened row-major) into the feature vector a linear readout sees. Reservoirs
 * used as classifiers implement it; {@link ImageReadout} fits and applies the readout. Implementations must be
 * thread-safe: features of different images are computed in parallel.
 */
public interface FeatureMap {
  /** Length of every feature vector (the constant 1 included). */
  int featureCount();

  /** The features of one input. */
  double[] features(float[] input);
}
