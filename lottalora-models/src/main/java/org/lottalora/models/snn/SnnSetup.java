package org.lottalora.models.snn;

/**
 * The settings a user picks for a spiking classifier, and the {@link SnnSpec} they make for given data: what
 * {@code lottalora snn train} parses, usable from Java in one call.
 *
 * @param network "diehl-cook", "lm-snn" or "delay"
 * @param neurons excitatory neurons (diehl-cook, lm-snn: a square number; the lc-snn's follow from its windows)
 * @param time steps per presentation (image networks; the delay network sizes its own)
 * @param dt ms per step
 * @param encoder "poisson", "bernoulli" or "rank-order"
 * @param rate peak rate (Hz; a probability for bernoulli)
 * @param minSpikes fewest readout spikes before a presentation is repeated louder
 * @param retries most repeats
 * @param rateStep rate added per repeat
 * @param exc excitatory-to-inhibitory weight
 * @param inh inhibition (Diehl and Cook: inhibitory weight; lm-snn: c_max)
 * @param cMin the lm-snn's starting inhibition
 * @param inhibition the lm-snn's schedule
 * @param thetaPlus threshold increase per spike
 * @param nuPre STDP depression rate
 * @param nuPost STDP potentiation rate
 * @param norm summed input weight per neuron; NaN for 0.1 per input (lc-snn: 0.2 per input it sees, as BindsNET's
 *     LC-SNN example)
 * @param ngram n of the n-gram rule
 * @param patterns delay task: patterns
 * @param inputs delay task: inputs
 * @param window delay task: steps a pattern spans
 * @param jitter delay task: largest shift of a spike
 * @param kernel lc-snn: window side
 * @param stride lc-snn: window step
 * @param filters lc-snn: neurons per window
 */
public record SnnSetup(String network, int neurons, int time, double dt, String encoder, double rate, int minSpikes,
    int retries, double rateStep, double exc, double inh, double cMin, String inhibition, double thetaPlus,
    double nuPre, double nuPost, double norm, int ngram, int patterns, int inputs, int window, int jitter, int kernel,
    int stride, int filters) {

  /** The spec for images of {@code height x width} raw values up to {@code scale}, in {@code classes} classes. */
  public SnnSpec imageSpec(int height, int width, int classes, double scale) {
    if (neurons < 1 && !network.equals("lc-snn")) {
      throw new IllegalArgumentException("--neurons must be >= 1, got " + neurons);
    }
    if (!(thetaPlus >= 0) || !(nuPre >= 0) || !(nuPost >= 0)) {
      throw new IllegalArgumentException("--theta-plus, --nu-pre and --nu-post must be >= 0");
    }
    int inputs = height * width;
    double n = !Double.isNaN(norm) ? norm : network.equals("lc-snn") ? 0.2 * kernel * kernel : 0.1 * inputs;
    SnnNetworks.Competitive c = new SnnNetworks.Competitive(inputs, neurons, exc, inh, nuPre, nuPost, n, thetaPlus,
        cMin, dt);
    NetworkSpec net;
    InhibitionSchedule sched = null;
    if (network.equals("diehl-cook")) {
      net = SnnNetworks.diehlCook(c);
    } else if (network.equals("lm-snn")) {
      int side = NetworkSpec.latticeSide(neurons);
      if (side * side != neurons) {
        throw new IllegalArgumentException("--neurons must be a square number for the lm-snn lattice, got " + neurons
            + " (try " + side * side + " or " + (side + 1) * (side + 1) + ")");
      }
      sched = new InhibitionSchedule(inhibition, cMin, inh);
      net = SnnNetworks.latticeMap(c);
    } else if (network.equals("lc-snn")) {
      if (kernel < 1 || stride < 1 || filters < 1 || kernel > height || kernel > width) {
        throw new IllegalArgumentException("--kernel " + kernel + ", --stride " + stride + " and --filters " + filters
            + " do not fit " + height + " x " + width + " images");
      }
      net = SnnNetworks.locallyConnected(c, height, width, kernel, stride, filters);
    } else if (network.equals("delay")) {
      throw new IllegalArgumentException("the delay network learns spike-timing patterns, not images: use "
          + "patternSpec");
    } else {
      throw new IllegalArgumentException("unknown network '" + network + "' (known: " + String.join(", ",
          SnnSpec.NETWORKS) + ")");
    }
    return new SnnSpec(network, net, new EncoderSpec(encoder, rate, scale), new SnnSpec.Presentation(time, minSpikes,
        retries, rateStep), classes, height, width, ngram, sched, null);
  }

  /**
   * The delay network's spec: delays in [1, window + 4], the teacher at step window + 1, equal weights of
   * 2 / inputs onto leaky outputs with threshold 1, so about half of a pattern's spikes must arrive together to
   * fire one; the outputs' time constant is 2 + jitter ms, so "together" stretches with the jitter (at 2 ms fixed,
   * +-2 steps of jitter fell to 38-43% accuracy).
   */
  public SnnSpec patternSpec() {
    int maxDelay = window + 4;
    PatternTask task = new PatternTask(patterns, inputs, window, jitter, window + 1, 100);
    NetworkSpec net = SnnNetworks.delayNetwork(inputs, patterns, maxDelay, 2.0 / inputs, 2.0 + jitter, dt);
    return new SnnSpec("delay", net, new EncoderSpec("rank-order", 0, 1), new SnnSpec.Presentation(window + maxDelay
        + 5, 0, 0, 0), patterns, 0, 0, ngram, null, task);
  }
}
