package org.lottalora.bench;

import java.util.Locale;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.train.Progress;
import org.lottalora.models.reservoir.FeatureMap;
import org.lottalora.models.reservoir.ImageReadout;

/**
 * The reference row for reservoir classifiers: the same ridge one-vs-rest readout on the normalised raw pixels
 * (plus a constant 1), with the same ridge choice on the validation split. What a reservoir adds is its
 * accuracy above this line. Prints one JSON line per dataset.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.ReadoutBaseline digits
 * fashion-mnist}
 */
public final class ReadoutBaseline {
  private ReadoutBaseline() {
  }

  /** Entry point: dataset names. */
  public static void main(String[] args) {
    for (String name : args) {
      DataSplits d = Datasets.load(name, Datasets.Options.defaults()).normalized();
      int cols = d.train().cols();
      FeatureMap pixels = new FeatureMap() {
        @Override
        public int featureCount() {
          return cols + 1;
        }

        @Override
        public double[] features(float[] x) {
          double[] f = new double[cols + 1];
          f[0] = 1;
          for (int i = 0; i < cols; i++) {
            f[i + 1] = x[i];
          }
          return f;
        }
      };
      long t0 = System.nanoTime();
      ImageReadout.Fit fit = ImageReadout.fit(pixels, d.train(), d.validation(), new double[] {1e-2, 1, 100, 1e4}, 2,
          Progress.silent());
      double acc = ImageReadout.accuracy(pixels, fit.weights(), d.test(), 2, Progress.silent());
      System.out.printf(Locale.ROOT, "{\"case\":\"pixels-ridge\",\"dataset\":\"%s\",\"train_rows\":%d,\"ridge\":%g,"
          + "\"test_accuracy\":%.4f,\"seconds\":%.1f}%n", name, d.train().rows(), fit.ridge(), acc,
          (System.nanoTime() - t0) / 1e9);
    }
  }
}
