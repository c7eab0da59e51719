package org.lottalora.models.conversion;

/**
 * How to convert and simulate.
 *
 * @param percentile the normalisation percentile p in (0, 100]: each layer is scaled by the p-th percentile of its
 *     positive ReLU activations over the calibration rows; 99.9 is Rueckauer et al. 2017's robust choice (a rare
 *     outlier activation would otherwise make every other neuron fire slowly), 100 is Diehl et al. 2015's max rule
 * @param reset what the membrane does after a spike
 * @param coding how the input enters
 * @param calibrationRows training rows the percentiles are taken over (1,000 is enough for a 99.9th percentile
 *     of hundreds of thousands of activations)
 * @param seed seed of the Poisson input draws (unused with constant-current input)
 */
public record ConversionConfig(double percentile, Reset reset, InputCoding coding, int calibrationRows, long seed) {
  /** Default percentile (Rueckauer et al. 2017). */
  public static final double DEFAULT_PERCENTILE = 99.9;
  /** Default calibration rows. */
  public static final int DEFAULT_CALIBRATION_ROWS = 1000;

  /** Rejects a percentile outside (0, 100], missing enums or no calibration rows. */
  public ConversionConfig {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("the normalisation percentile must be in (0, 100], got " + percentile);
    }
    if (reset == null || coding == null) {
      throw new IllegalArgumentException("a reset and an input coding are required");
    }
    if (calibrationRows < 1) {
      throw new IllegalArgumentException("at least one calibration row is needed, got " + calibrationRows);
    }
  }

  /** p = 99.9, reset by subtraction, constant-current input, 1,000 calibration rows, seed 0. */
  public static ConversionConfig defaults() {
    return new ConversionConfig(DEFAULT_PERCENTILE, Reset.SUBTRACT, InputCoding.CURRENT, DEFAULT_CALIBRATION_ROWS, 0);
  }

  /** This config with another percentile. */
  public ConversionConfig withPercentile(double p) {
    return new ConversionConfig(p, reset, coding, calibrationRows, seed);
  }

  /** This config with another reset. */
  public ConversionConfig withReset(Reset r) {
    return new ConversionConfig(percentile, r, coding, calibrationRows, seed);
  }

  /** This config with another input coding. */
  public ConversionConfig withCoding(InputCoding c) {
    return new ConversionConfig(percentile, reset, c, calibrationRows, seed);
  }
}
