package org.lottalora.core.sweep;

import java.util.Map;

/**
 * What one run produced: its test metrics at the best-validation epoch, parameter counts, learned betas and
 * wall time. Written as {@code result.json} beside the run's artifact, last, so that its presence means the
 * run finished.
 *
 * @param id the run's id ({@link RunSpec#id()})
 * @param spec the run
 * @param testAccuracy test accuracy
 * @param testLoss mean test cross-entropy (nats)
 * @param bestValAccuracy best validation accuracy
 * @param bestEpoch epoch of the best validation accuracy
 * @param trainableParams trained parameters
 * @param modelParams parameters of the dense model
 * @param betas learned beta per adapted layer
 * @param wallSeconds training wall time
 * @param failure why the run stopped early (null if it did not)
 * @param scaffoldRemovedAccuracy test accuracy with W_seed set to 0 after training (the adapters and biases
 *     alone; the paper's "W_seed removed" ablation); null for full runs and for results written before it existed
 */
public record RunResult(String id, RunSpec spec, double testAccuracy, double testLoss, double bestValAccuracy,
    int bestEpoch, long trainableParams, long modelParams, Map<String, Float> betas, double wallSeconds,
    String failure, Double scaffoldRemovedAccuracy) {

  /** trainable / model parameters. */
  public double trainableFraction() {
    return modelParams == 0 ? 0 : trainableParams / (double) modelParams;
  }
}
