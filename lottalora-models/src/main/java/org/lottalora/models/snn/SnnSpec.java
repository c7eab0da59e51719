package org.lottalora.models.snn;

import java.util.List;

/**
 * Everything that defines a spiking classifier besides its seed and what it learned: which network, its
 * {@link NetworkSpec}, how inputs are presented, and how the answer is read out.
 *
 * @param network "diehl-cook", "lm-snn", "lc-snn" or "delay"
 * @param net the layers and connections
 * @param encoder how an image becomes spikes (image networks)
 * @param presentation steps per input and the retry rule
 * @param classes how many classes
 * @param height image height (image networks; 0 for delay)
 * @param width image width (image networks; 0 for delay)
 * @param ngram the n of the n-gram rule
 * @param inhibition the LM-SNN's schedule (null for the others)
 * @param patterns the delay network's task (null for the others)
 */
public record SnnSpec(String network, NetworkSpec net, EncoderSpec encoder, Presentation presentation, int classes,
    int height, int width, int ngram, InhibitionSchedule inhibition, PatternTask patterns) {
  /** The network ids. */
  public static final List<String> NETWORKS = List.of("diehl-cook", "lm-snn", "lc-snn", "delay");

  /**
   * How one input is presented: for {@code time} steps; when the excitatory layer fires fewer than
   * {@code minSpikes} spikes, again with the encoder's rate raised by {@code rateStep}, at most {@code retries}
   * times (Diehl and Cook's rule; 0 retries turns it off).
   */
  public record Presentation(int time, int minSpikes, int retries, double rateStep) {
    /** Validates. */
    public Presentation {
      if (time < 1) {
        throw new IllegalArgumentException("--time must be >= 1 step, got " + time);
      }
      if (minSpikes < 0 || retries < 0 || !(rateStep >= 0)) {
        throw new IllegalArgumentException("min spikes, retries and rate step must be >= 0");
      }
    }
  }

  /** Validates. */
  public SnnSpec {
    if (!NETWORKS.contains(network)) {
      throw new IllegalArgumentException("unknown network '" + network + "' (known: " + String.join(", ", NETWORKS)
          + ")");
    }
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    if (ngram < 1 || ngram > 4) {
      throw new IllegalArgumentException("--ngram must be in 1..4, got " + ngram);
    }
    if (network.equals("delay") != (patterns != null)) {
      throw new IllegalArgumentException("the delay network (and only it) needs a pattern task");
    }
    if (network.equals("lm-snn") != (inhibition != null)) {
      throw new IllegalArgumentException("the lm-snn (and only it) needs an inhibition schedule");
    }
    if (presentation.time() < net.maxDelay()) {
      throw new IllegalArgumentException("a delay of " + net.maxDelay() + " steps is longer than the simulation ("
          + presentation.time() + " steps): raise --time or lower the delays");
    }
    if (patterns == null && height * width != net.layer(SnnNetworks.INPUT).n()) {
      throw new IllegalArgumentException(height + " x " + width + " images do not fit an input layer of "
          + net.layer(SnnNetworks.INPUT).n());
    }
  }

  /** The layer whose spikes are read out. */
  public String readoutLayer() {
    return network.equals("delay") ? SnnNetworks.OUT : SnnNetworks.EXC;
  }
}
