package org.lottalora.cli;

import org.lottalora.core.backbone.Draws;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.backbone.Draws;
import org.lottalora.models.snn.EncoderSpec;
import org.lottalora.models.snn.Monitor;
import org.lottalora.models.snn.Network;
import org.lottalora.models.snn.NetworkSpec;
import org.lottalora.models.snn.NetworkSpecJson;
import org.lottalora.models.snn.NodeSpec;
import org.lottalora.models.snn.SnnPlots;
import org.lottalora.models.snn.SpikeTrain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora snn simulate}: run a network described in JSON on encoded images and show what it does. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a network of your own (a JSON spec: layers, connections, rules; see NetworkSpecJson) on "
        + "encoded images, learning on or off: spike counts and rates per layer, speed, raster and voltage plots.")
final class SnnSimulateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, description = "The network spec (JSON).")
  Path specFile;

  @Mixin
  DataOptions data;

  @Option(names = "--examples", defaultValue = "1", description = "Images presented, from the start of the "
      + "training split (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--time", defaultValue = "250", description = "Steps per image (default: ${DEFAULT-VALUE}).")
  int time;

  @Option(names = "--encoder", defaultValue = "poisson", description = "poisson, bernoulli or rank-order (default: "
      + "${DEFAULT-VALUE}).")
  String encoder;

  @Option(names = "--rate", defaultValue = "128", description = "Peak rate in Hz (bernoulli: probability per step; "
      + "default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--learn", description = "Learning on (rules change weights and delays, thresholds adapt).")
  boolean learn;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of initial weights, delays and input spikes "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", defaultValue = "1", description = "Threads for delivery into large layers "
      + "(default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--plots", description = "Folder for raster.png/.svg and voltage.png/.svg of the last image.")
  Path plots;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (examples < 1) {
      throw new IllegalArgumentException("--examples must be >= 1, got " + examples);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    NetworkSpec net = NetworkSpecJson.read(specFile);
    NodeSpec input = net.layers().stream().filter(l -> l.model().equals("input")).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(specFile + ": the network has no input layer to feed "
            + "images to"));
    DataSplits d = data.load(0);
    if (input.n() != d.train().cols()) {
      throw new IllegalArgumentException(specFile + ": input layer '" + input.name() + "' has " + input.n()
          + " neurons but " + data.dataset + " images have " + d.train().cols() + " pixels");
    }
    float scale = 0;
    for (float v : d.train().features()) {
      scale = Math.max(scale, v);
    }
    EncoderSpec enc = new EncoderSpec(encoder, rate, scale > 0 ? scale : 1);
    List<Monitor> mons = new ArrayList<>();
    for (NodeSpec l : net.layers()) {
      mons.add(l.model().equals("input") ? new Monitor(l.name(), true)
          : new Monitor(l.name(), true, java.util.stream.IntStream.range(0, Math.min(3, l.n())).toArray()));
    }
    Map<String, long[]> totals = new LinkedHashMap<>();
    long t0;
    double secs;
    long updates;
    long events;
    try (Network n = Network.build(net, seed, 1, threads)) {
      n.learning(learn);
      t0 = System.nanoTime();
      for (int e = 0; e < Math.min(examples, d.train().rows()); e++) {
        float[] x = java.util.Arrays.copyOfRange(d.train().features(), e * d.train().cols(), (e + 1)
            * d.train().cols());
        SpikeTrain tr = enc.encoder().encode(x, time, net.dt(), new Draws(seed, "snn.encode/simulate/" + e + "/0"));
        for (Monitor m : mons) {
          m.clear();
        }
        n.reset();
        n.run(time, Map.of(input.name(), new SpikeTrain[] {tr}), null, mons);
        for (Monitor m : mons) {
          long s = java.util.Arrays.stream(m.counts()).asLongStream().sum();
          totals.computeIfAbsent(m.layer(), k -> new long[1])[0] += s;
        }
      }
      secs = (System.nanoTime() - t0) / 1e9;
      updates = n.neuronUpdates();
      events = n.synapticEvents();
    }
    int shown = Math.min(examples, d.train().rows());
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("spec", specFile.toString());
    j.put("examples", shown);
    j.put("steps", time);
    j.put("learning", learn);
    Map<String, Object> rates = new LinkedHashMap<>();
    for (NodeSpec l : net.layers()) {
      rates.put(l.name(), totals.get(l.name())[0] / (double) l.n() / (shown * time * net.dt() / 1000.0));
    }
    j.put("mean_rate_hz", rates);
    j.put("seconds", secs);
    j.put("neuron_updates_per_s", updates / secs);
    j.put("synaptic_events_per_s", events / secs);
    if (plots != null) {
      SnnPlots.raster(plots.resolve("raster"), "spikes, image " + (shown - 1), mons);
      Monitor v = mons.stream().filter(m -> m.voltageNeurons().length > 0).findFirst().orElse(null);
      if (v != null) {
        SnnPlots.voltage(plots.resolve("voltage"), v.layer() + " neurons 0-2", v);
      }
      j.put("plots", plots.toString());
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "%s: %d image(s) x %d steps in %.2f s (%.3g neuron updates/s, %.3g synaptic events/s)%n",
          specFile, shown, time, secs, updates / secs, events / secs);
      rates.forEach((k, v) -> o.printf(Locale.ROOT, "  %-10s %8.2f Hz%n", k, (Double) v));
    }
    o.flush();
    return 0;
  }
}
