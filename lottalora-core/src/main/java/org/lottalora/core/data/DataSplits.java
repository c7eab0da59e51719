package org.lottalora.core.data;

/**
 * The three splits a run uses, raw (as read from disk), with the normalization fitted on the raw training
 * split. Training uses {@link #normalized()}; a saved model normalizes raw data with its own stored
 * normalization, so evaluation never depends on refitting.
 *
 * @param train what the optimizer sees
 * @param validation for early stopping and model selection
 * @param test reported once, at the end
 * @param normalization fitted on the raw training split
 */
public record DataSplits(Dataset train, Dataset validation, Dataset test, Normalization normalization) {

  /** Raw splits with a normalization fitted on {@code train}. */
  public static DataSplits of(Dataset train, Dataset validation, Dataset test) {
    return new DataSplits(train, validation, test, Normalization.fit(train));
  }

  /** All three splits normalized with {@link #normalization()}. */
  public DataSplits normalized() {
    return new DataSplits(train.normalized(normalization), validation.normalized(normalization),
        test.normalized(normalization), normalization);
  }

  /** At most {@code maxTrain} training rows (validation and test cut in proportion), for quick runs. */
  public DataSplits limit(int maxTrain) {
    if (maxTrain >= train.rows()) {
      return this;
    }
    double k = maxTrain / (double) train.rows();
    return new DataSplits(train.head(maxTrain), validation.head(Math.max(1, (int) (validation.rows() * k))),
        test.head(Math.max(1, (int) (test.rows() * k))), normalization);
  }
}
