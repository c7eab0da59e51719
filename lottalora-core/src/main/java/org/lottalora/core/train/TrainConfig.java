package org.lottalora.core.train;

/**
 * How a model is trained: AdamW (Adam with decoupled weight decay) under a cosine schedule with optional
 * linear warmup, mini-batches in a seeded order, and early stopping on validation accuracy.
 *
 * @param epochs maximum number of passes over the training split
 * @param batchSize samples per step
 * @param learningRate peak learning rate
 * @param weightDecay decoupled weight decay coefficient (PyTorch AdamW's {@code weight_decay})
 * @param warmupEpochs epochs of linear warmup before the cosine decay; 0 for none
 * @param cosine decay with a half cosine to 0 over the run; false keeps the rate constant
 * @param patience stop after this many epochs without a better validation accuracy; 0 never stops early
 * @param shuffleSeed seed of the batch order and the dropout masks
 */
public record TrainConfig(int epochs, int batchSize, double learningRate, double weightDecay, int warmupEpochs,
    boolean cosine, int patience, long shuffleSeed) {

  /** The paper's recipe: 20 epochs, batch 128, lr 1e-3, wd 1e-2, cosine, no early stop. */
  public static TrainConfig defaults() {
    return new TrainConfig(20, 128, 1e-3, 1e-2, 0, true, 0, 0L);
  }

  /** Validates ranges. */
  public TrainConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
    if (warmupEpochs < 0 || warmupEpochs >= epochs) {
      throw new IllegalArgumentException("warmup epochs must be in [0, epochs), got " + warmupEpochs);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0, got " + patience);
    }
  }
}
