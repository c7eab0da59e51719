package org.lottalora.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.models.snn.ConnectionSpec;
import org.lottalora.core.backbone.Draws;
import org.lottalora.models.snn.Monitor;
import org.lottalora.models.snn.Network;
import org.lottalora.models.snn.NetworkSpec;
import org.lottalora.models.snn.NodeSpec;
import org.lottalora.models.snn.PoissonEncoder;
import org.lottalora.models.snn.RuleSpec;
import org.lottalora.models.snn.SpikeTrain;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Simulation speed of the spiking core: a network of N leaky integrate-and-fire neurons driven by 1,000 Poisson
 * inputs at 20 Hz through a dense connection, with dense random recurrent connections (80% excitatory rows, 20%
 * inhibitory), run for 1,000 steps of 1 ms without learning; neuron updates and synaptic events (pre spikes times
 * fan-out) per second, median of 3 runs. Mode {@code nd4j} instead times one LIF step written as ND4J ops against
 * the same step on plain arrays, the measurement behind the choice of plain arrays for the core.
 *
 * <p>Usage: {@code SnnSpeed net <neurons> <threads>} or {@code SnnSpeed nd4j <neurons>}; prints one JSON line.
 */
public final class SnnSpeed {
  private SnnSpeed() {
  }

  public static void main(String[] args) {
    if (args[0].equals("nd4j")) {
      nd4j(Integer.parseInt(args[1]));
      return;
    }
    int n = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int inputs = 1000;
    int steps = 1000;
    double wIn = 0.08;
    double wRec = 40.0 / n;
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("in", "input", inputs),
        NodeSpec.of("lif", "lif", n, "tc_decay", 20.0, "refrac", 2.0)),
        List.of(ConnectionSpec.of("in_lif", "in", "lif", "dense", RuleSpec.NONE, "w_lo", 0, "w_hi", wIn),
            ConnectionSpec.of("lif_lif", "lif", "lif", "dense", RuleSpec.NONE, "w_lo", -1.2 * wRec, "w_hi", wRec)),
        1.0);
    float[] rates = new float[inputs];
    Arrays.fill(rates, 1f);
    SpikeTrain train = new PoissonEncoder(20, 1).encode(rates, steps, 1.0, new Draws(7, "bench.input"));
    List<Double> secs = new ArrayList<>();
    long updates = 0;
    long events = 0;
    long spikes = 0;
    try (Network net = Network.build(spec, 7, 1, threads)) {
      for (int rep = 0; rep < 4; rep++) {
        Monitor m = new Monitor("lif", false);
        net.reset();
        long u0 = net.neuronUpdates();
        long e0 = net.synapticEvents();
        long t0 = System.nanoTime();
        net.run(steps, Map.of("in", new SpikeTrain[] {train}), null, List.of(m));
        double s = (System.nanoTime() - t0) / 1e9;
        if (rep > 0) {
          secs.add(s);
        }
        updates = net.neuronUpdates() - u0;
        events = net.synapticEvents() - e0;
        spikes = Arrays.stream(m.counts()).asLongStream().sum();
      }
    }
    secs.sort(Double::compare);
    double med = secs.get(secs.size() / 2);
    System.out.printf(Locale.ROOT, "{\"neurons\":%d,\"inputs\":%d,\"threads\":%d,\"steps\":%d,\"seconds\":%.4f,"
        + "\"runs\":%s,\"neuron_updates_per_s\":%.4g,\"synaptic_events_per_s\":%.4g,\"events_per_step\":%.1f,"
        + "\"mean_rate_hz\":%.2f}%n", n, inputs, threads, steps, med, secs, updates / med, events / med,
        events / (double) steps, spikes / (double) n / (steps / 1000.0));
  }

  private static void nd4j(int n) {
    INDArray v = Nd4j.zeros(DataType.FLOAT, 1, n).addi(-65);
    INDArray x = Nd4j.ones(DataType.FLOAT, 1, n).muli(0.5);
    INDArray refrac = Nd4j.zeros(DataType.FLOAT, 1, n);
    float[] vj = new float[n];
    float[] xj = new float[n];
    float[] rj = new float[n];
    Arrays.fill(vj, -65);
    Arrays.fill(xj, 0.5f);
    double nd = 0;
    double java = 0;
    for (int rep = 0; rep < 5; rep++) {
      int it = 2000;
      long t0 = System.nanoTime();
      for (int i = 0; i < it; i++) {
        v.subi(-65).muli(0.99f).addi(-65);
        v.addi(x.mul(refrac.lte(0).castTo(DataType.FLOAT)));
        refrac.subi(1);
        INDArray s = v.gte(-52).castTo(DataType.FLOAT);
        v.muli(s.rsub(1)).addi(s.mul(-65));
        refrac.addi(s.mul(5));
      }
      nd = (System.nanoTime() - t0) / 1e3 / it;
      t0 = System.nanoTime();
      for (int i = 0; i < it; i++) {
        for (int j = 0; j < n; j++) {
          float xi = rj[j] > 0 ? 0 : xj[j];
          rj[j] -= 1;
          float vi = 0.99f * (vj[j] + 65) - 65 + xi;
          if (vi >= -52) {
            vi = -65;
            rj[j] = 5;
          }
          vj[j] = vi;
        }
      }
      java = (System.nanoTime() - t0) / 1e3 / it;
    }
    System.out.printf(Locale.ROOT, "{\"mode\":\"lif-step\",\"neurons\":%d,\"nd4j_us_per_step\":%.2f,"
        + "\"arrays_us_per_step\":%.3f,\"ratio\":%.1f}%n", n, nd, java, nd / java);
  }
}
