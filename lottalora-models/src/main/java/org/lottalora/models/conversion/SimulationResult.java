package org.lottalora.models.conversion;

/**
 * What one simulation of a converted network measured, at every checkpoint of a single run.
 *
 * @param rows samples simulated
 * @param steps the checkpoints, in time steps, ascending
 * @param accuracy accuracy at each checkpoint
 * @param spikesPerNeuronStep mean spikes per neuron per step up to each checkpoint, over every spiking neuron of
 *     the network (hidden and output; the input is not counted) and every sample: the sparsity figure
 * @param layerRates each layer's mean firing rate (spikes per neuron per step) over the whole run
 * @param predictions the predicted class of every sample at each checkpoint, [checkpoint][row]
 * @param seconds wall time of the run
 */
public record SimulationResult(int rows, int[] steps, double[] accuracy, double[] spikesPerNeuronStep,
    double[] layerRates, int[][] predictions, double seconds) {
  /** The accuracy at checkpoint {@code t}. */
  public double accuracyAt(int t) {
    for (int i = 0; i < steps.length; i++) {
      if (steps[i] == t) {
        return accuracy[i];
      }
    }
    throw new IllegalArgumentException("no checkpoint at step " + t);
  }
}
