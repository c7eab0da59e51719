package org.lottalora.models.snn;

import java.util.List;

/**
 * The networks of the related work, as {@link NetworkSpec}s with the papers' (BindsNET's) defaults:
 * <ul>
 *   <li>{@link #diehlCook}: Diehl and Cook (2015). Poisson input, dense STDP connection (post-pre, nu = 1e-4 /
 *       1e-2, weights in [0, 1], initial {@code U(0, 0.3)}, each neuron's inputs normalised to 0.1 per input) onto
 *       adaptive-threshold excitatory neurons, one-to-one excitation (22.5) of an inhibitory layer that inhibits
 *       every other excitatory neuron ({@code -inh}; BindsNET's example uses 120).</li>
 *   <li>{@link #latticeMap}: the LM-SNN of Hazan et al. (2018). The same input and excitatory layer on a square
 *       lattice; no inhibitory layer: excitatory neurons inhibit each other directly by
 *       {@code -min(c_max, c sqrt(distance))}, c following the schedule in {@link InhibitionSchedule}.</li>
 *   <li>{@link #delayNetwork}: fixed, equal weights from the inputs onto leaky coincidence detectors, one per
 *       class; seeded random delays learned by delay-STDP.</li>
 * </ul>
 */
public final class SnnNetworks {
  /** The input layer's name in every network here. */
  public static final String INPUT = "input";
  /** The excitatory (classifying) layer's name. */
  public static final String EXC = "exc";
  /** The inhibitory layer's name (Diehl and Cook). */
  public static final String INH = "inh";
  /** The learned input connection. */
  public static final String INPUT_EXC = "input_exc";
  /** The LM-SNN's lateral inhibition. */
  public static final String LATERAL = "exc_exc";
  /** The delay network's output layer. */
  public static final String OUT = "out";
  /** The delay network's connection. */
  public static final String INPUT_OUT = "input_out";

  private SnnNetworks() {
  }

  /**
   * Settings of the two competitive networks.
   *
   * @param inputs input neurons (pixels)
   * @param neurons excitatory neurons (a square number for the lattice)
   * @param exc excitatory-to-inhibitory weight
   * @param inh inhibition strength (Diehl and Cook: the inhibitory-to-excitatory weight; LM-SNN: c_max)
   * @param nuPre STDP depression rate
   * @param nuPost STDP potentiation rate
   * @param norm each excitatory neuron's summed input weight (0.1 per input in the paper)
   * @param thetaPlus threshold increase per spike
   * @param cMin the LM-SNN's starting inhibition scale
   * @param dt step in ms
   */
  public record Competitive(int inputs, int neurons, double exc, double inh, double nuPre, double nuPost, double norm,
      double thetaPlus, double cMin, double dt) {
    /** BindsNET's example settings for {@code inputs} pixels and {@code neurons} excitatory neurons. */
    public static Competitive defaults(int inputs, int neurons) {
      return new Competitive(inputs, neurons, 22.5, 120, 1e-4, 1e-2, 0.1 * inputs, 0.05, 1.0, 1.0);
    }
  }

  /** Diehl and Cook's network. */
  public static NetworkSpec diehlCook(Competitive c) {
    NodeSpec in = NodeSpec.of(INPUT, "input", c.inputs());
    NodeSpec exc = excitatory(c);
    NodeSpec inh = NodeSpec.of(INH, "lif", c.neurons(), "rest", -60.0, "reset", -45.0, "thresh", -40.0, "tc_decay",
        10.0, "refrac", 2.0);
    ConnectionSpec ie = inputConnection(c);
    ConnectionSpec ei = ConnectionSpec.of("exc_inh", EXC, INH, "one-to-one", RuleSpec.NONE, "w", c.exc(), "wmin", 0,
        "wmax", c.exc());
    ConnectionSpec he = ConnectionSpec.of("inh_exc", INH, EXC, "all-but-self", RuleSpec.NONE, "w", -c.inh(), "wmin",
        -c.inh(), "wmax", 0);
    return new NetworkSpec(List.of(in, exc, inh), List.of(ie, ei, he), c.dt());
  }

  /** The lattice-map network; its lateral connection starts at {@code cMin}. */
  public static NetworkSpec latticeMap(Competitive c) {
    NodeSpec in = NodeSpec.of(INPUT, "input", c.inputs());
    ConnectionSpec lat = ConnectionSpec.of(LATERAL, EXC, EXC, "lattice", RuleSpec.NONE, "c", c.cMin(), "c_max",
        c.inh());
    return new NetworkSpec(List.of(in, excitatory(c)), List.of(inputConnection(c), lat), c.dt());
  }

  private static NodeSpec excitatory(Competitive c) {
    return NodeSpec.of(EXC, "adaptive-lif", c.neurons(), "rest", -65.0, "reset", -60.0, "thresh", -52.0, "tc_decay",
        100.0, "refrac", 5.0, "theta_plus", c.thetaPlus(), "tc_theta_decay", 1e7);
  }

  private static ConnectionSpec inputConnection(Competitive c) {
    return ConnectionSpec.of(INPUT_EXC, INPUT, EXC, "dense", RuleSpec.of("post-pre", "nu_pre", c.nuPre(), "nu_post",
        c.nuPost()), "w_lo", 0, "w_hi", 0.3, "wmin", 0, "wmax", 1, "norm", c.norm());
  }

  /**
   * The LC-SNN of Saunders et al. (2019): the input seen through {@code kernel x kernel} windows at {@code stride}
   * by {@code filters} adaptive neurons per window (unshared weights, STDP, each neuron's weights normalised to
   * {@code c.norm()}); neurons at the same window inhibit each other
   * ({@code -inh}), so each window is a winner-take-all of its own and one_spike is off. {@code c.neurons()} is
   * ignored: the geometry fixes the size.
   */
  public static NetworkSpec locallyConnected(Competitive c, int height, int width, int kernel, int stride,
      int filters) {
    int windows = NetworkSpec.localPositions(height, kernel, stride) * NetworkSpec.localPositions(width, kernel,
        stride);
    int n = filters * windows;
    NodeSpec in = NodeSpec.of(INPUT, "input", height * width);
    NodeSpec ex = excitatory(new Competitive(c.inputs(), n, c.exc(), c.inh(), c.nuPre(), c.nuPost(), c.norm(),
        c.thetaPlus(), c.cMin(), c.dt()));
    java.util.Map<String, Double> p = new java.util.HashMap<>(ex.params());
    p.put("one_spike", 0.0);
    NodeSpec exc = new NodeSpec(EXC, ex.model(), n, p);
    ConnectionSpec ie = ConnectionSpec.of(INPUT_EXC, INPUT, EXC, "local", RuleSpec.of("post-pre", "nu_pre",
        c.nuPre(), "nu_post", c.nuPost()), "w_lo", 0, "w_hi", 0.3, "wmin", 0, "wmax", 1, "norm",
        c.norm(), "in_height", height, "in_width", width, "kernel", kernel, "stride", stride, "filters",
        filters);
    ConnectionSpec comp = ConnectionSpec.of(LATERAL, EXC, EXC, "local-competition", RuleSpec.NONE, "w", -c.inh(),
        "filters", filters);
    return new NetworkSpec(List.of(in, exc), List.of(ie, comp), c.dt());
  }

  /**
   * The delay-learning network: {@code inputs} inputs onto {@code classes} leaky coincidence detectors through
   * equal weights {@code w}, delays in [1, maxDelay] learned by delay-STDP.
   */
  public static NetworkSpec delayNetwork(int inputs, int classes, int maxDelay, double w, double tcDecay,
      double dt) {
    NodeSpec in = NodeSpec.of(INPUT, "input", inputs);
    NodeSpec out = NodeSpec.of(OUT, "lif", classes, "rest", 0.0, "reset", 0.0, "thresh", 1.0, "tc_decay", tcDecay,
        "refrac", 0.0);
    ConnectionSpec c = ConnectionSpec.of(INPUT_OUT, INPUT, OUT, "dense", RuleSpec.of("delay-stdp", "window",
        maxDelay), "w", w, "delay_min", 1, "delay_max", maxDelay);
    return new NetworkSpec(List.of(in, out), List.of(c), dt);
  }
}
