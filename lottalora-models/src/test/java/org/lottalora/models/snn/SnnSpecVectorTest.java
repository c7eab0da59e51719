package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spiking simulation against its specification: the expected spikes were computed by
 * benchmarks/scripts/snn_from_spec.py from the text of lottalora-format/docs/artifact-format.md (section 4, item 7)
 * and numpy's Philox alone, not from this code. The network exercises seeded weights and delays ([post, pre] backbone
 * tensors under a negative seed), the delay buffer, lattice, one-to-one and all-but-self connections, the
 * adaptive-LIF one-spike rule, IF and Izhikevich neurons, and the Poisson encoder's stream.
 */
class SnnSpecVectorTest {
  private static final long SEED = -5;
  private static final int T = 50;

  @Test
  void spikesMatchTheSpecComputedIndependently() {
    NetworkSpec spec = new NetworkSpec(List.of(
        NodeSpec.of("input", "input", 12),
        NodeSpec.of("exc", "adaptive-lif", 4, "rest", -65.0, "reset", -65.0, "thresh", -62.0, "tc_decay", 20.0,
            "refrac", 2.0, "one_spike", 1.0),
        NodeSpec.of("inh", "if", 4, "thresh", -60.0, "reset", -65.0, "refrac", 1.0),
        NodeSpec.of("izh", "izhikevich", 3)), List.of(
        ConnectionSpec.of("input_exc", "input", "exc", "dense", RuleSpec.NONE, "w_lo", 0.0, "w_hi", 6.0,
            "delay_min", 1, "delay_max", 3),
        ConnectionSpec.of("exc_exc", "exc", "exc", "lattice", RuleSpec.NONE, "c", 1.5, "c_max", 2.0),
        ConnectionSpec.of("exc_inh", "exc", "inh", "one-to-one", RuleSpec.NONE, "w", 10.0),
        ConnectionSpec.of("inh_exc", "inh", "exc", "all-but-self", RuleSpec.NONE, "w", -3.0),
        ConnectionSpec.of("exc_izh", "exc", "izh", "dense", RuleSpec.NONE, "w", 8.0)), 1.0);
    float[] image = new float[12];
    for (int k = 0; k < image.length; k++) {
      image[k] = (float) (((k * 5) % 7) / 6.0);
    }
    SpikeTrain train = new PoissonEncoder(300.0, 1.0).encode(image, T, 1.0, new Draws(SEED, "snn.encode/spec/0"));
    Monitor exc = new Monitor("exc", true);
    Monitor inh = new Monitor("inh", false);
    Monitor izh = new Monitor("izh", false);
    try (Network net = Network.build(spec, SEED)) {
      net.run(T, Map.of("input", new SpikeTrain[] {train}), null, List.of(exc, inh, izh));
    }
    assertArrayEquals(new int[] {7, 5, 4, 10}, exc.counts(0, 4));
    assertArrayEquals(new int[] {6, 5, 4, 10}, inh.counts(0, 4));
    assertArrayEquals(new int[] {1, 1, 1}, izh.counts(0, 3));
    assertArrayEquals(new int[] {0, 3, 3, 0, 2, 3, 1, 1, 2, 3, 0, 3, 0, 3, 2, 3, 0, 2, 3, 1, 3, 0, 1, 3, 1, 0},
        exc.firingOrder(0));
  }
}
