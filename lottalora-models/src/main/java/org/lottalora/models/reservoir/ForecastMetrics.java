package org.lottalora.models.reservoir;

/**
 * Error measures of a forecast, over every channel and step: NRMSE is the RMSE divided by the standard
 * deviation of the truth (Jaeger's normalisation; ReservoirPy's {@code nrmse} divides by the range instead,
 * {@link #nrmseRange} gives that one), R^2 is 1 - SSE / SST with SST about the truth's per-channel mean.
 */
public record ForecastMetrics(double rmse, double nrmse, double nrmseRange, double r2, int steps) {
  /** Measures {@code pred} against {@code truth} ([steps][channels]). */
  public static ForecastMetrics of(double[][] truth, double[][] pred) {
    if (truth.length != pred.length || truth.length == 0) {
      throw new IllegalArgumentException("need equal, non-zero step counts: " + truth.length + " vs " + pred.length);
    }
    int d = truth[0].length;
    double sse = 0;
    double sst = 0;
    double[] mean = new double[d];
    double[] lo = new double[d];
    double[] hi = new double[d];
    java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
    for (double[] row : truth) {
      for (int c = 0; c < d; c++) {
        mean[c] += row[c] / truth.length;
        lo[c] = Math.min(lo[c], row[c]);
        hi[c] = Math.max(hi[c], row[c]);
      }
    }
    for (int t = 0; t < truth.length; t++) {
      for (int c = 0; c < d; c++) {
        double e = pred[t][c] - truth[t][c];
        sse += e * e;
        double m = truth[t][c] - mean[c];
        sst += m * m;
      }
    }
    double range = 0;
    for (int c = 0; c < d; c++) {
      range += (hi[c] - lo[c]) / d;
    }
    double n = (double) truth.length * d;
    double rmse = Math.sqrt(sse / n);
    double std = Math.sqrt(sst / n);
    return new ForecastMetrics(rmse, std == 0 ? Double.NaN : rmse / std, range == 0 ? Double.NaN : rmse / range,
        sst == 0 ? Double.NaN : 1 - sse / sst, truth.length);
  }
}
