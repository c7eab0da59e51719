package org.lottalora.core.train;

/**
 * What one epoch did.
 *
 * @param epoch 1-based
 * @param loss mean training loss over its steps
 * @param trainAccuracy accuracy on the batches as they were trained
 * @param valAccuracy accuracy on the validation split after the epoch
 * @param seconds wall time of the training pass
 * @param samplesPerSecond training throughput
 */
public record EpochStats(int epoch, double loss, double trainAccuracy, double valAccuracy, double seconds,
    double samplesPerSecond) {}
