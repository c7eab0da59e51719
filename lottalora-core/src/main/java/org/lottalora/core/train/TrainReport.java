package org.lottalora.core.train;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run, as the final report prints it and the artifact stores it.
 *
 * @param testAccuracy accuracy of the kept (best-validation) weights on the test split
 * @param bestValAccuracy best validation accuracy seen
 * @param bestEpoch epoch whose weights were kept (1-based)
 * @param epochs per-epoch statistics, in order
 * @param trainableParams parameters the optimizer changed
 * @param modelParams parameters of the full model (what full training would train)
 * @param betas learned beta per adapted layer (empty in full mode or with beta fixed)
 * @param wallSeconds total wall time of training and evaluation
 * @param samplesPerSecond training throughput over all epochs
 * @param stoppedEarly true if early stopping ended the run
 * @param failure null, or a one-line reason the run stopped abnormally (e.g. a NaN loss)
 */
public record TrainReport(double testAccuracy, double bestValAccuracy, int bestEpoch, List<EpochStats> epochs,
    long trainableParams, long modelParams, Map<String, Float> betas, double wallSeconds,
    double samplesPerSecond, boolean stoppedEarly, String failure) {

  /** trainable / model parameters. */
  public double trainableFraction() {
    return modelParams == 0 ? 0 : trainableParams / (double) modelParams;
  }
}
