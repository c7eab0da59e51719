package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.util.Threads;
import org.lottalora.models.LottaModel;
import org.lottalora.models.conversion.AnnToSnn;
import org.lottalora.models.conversion.ConversionConfig;
import org.lottalora.models.conversion.InputCoding;
import org.lottalora.models.conversion.Occlusion;
import org.lottalora.models.conversion.ReluLayer;
import org.lottalora.models.conversion.Reset;
import org.lottalora.models.conversion.SimulationResult;
import org.lottalora.models.conversion.SpikingNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora snn convert}: an MLP or Plain-N CNN artifact as a rate-coded spiking network, its accuracy
 * against the ANN's at several simulation times, on clean and occluded test images.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Convert a trained MLP, linear or Plain-N CNN model (adapters merged, BatchNorm folded) into a "
        + "rate-coded network of integrate-and-fire neurons with data-based weight normalisation (Rueckauer et al. "
        + "2017), and report ANN and SNN accuracy at each simulation time, clean and with a centred square of the "
        + "image occluded, with the mean spikes per neuron per step.")
final class SnnConvertCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact (family mlp, linear or cnn).")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Mixin
  DataOptions data;

  @Option(names = "--steps", split = ",", defaultValue = "50,100,250,500",
      description = "Simulation times in steps, read off one run (default: ${DEFAULT-VALUE}).")
  int[] steps;

  @Option(names = "--percentile", defaultValue = "99.9",
      description = "Normalisation percentile of each layer's positive activations; 100 is the max rule "
          + "(default: ${DEFAULT-VALUE}).")
  double percentile;

  @Option(names = "--reset", defaultValue = "subtract", description = "subtract or zero (default: ${DEFAULT-VALUE}).")
  String reset;

  @Option(names = "--coding", defaultValue = "current",
      description = "current (the image as a constant input current) or poisson (default: ${DEFAULT-VALUE}).")
  String coding;

  @Option(names = "--occlusion", defaultValue = "0.25",
      description = "Share of the image area zeroed as a centred square for the occluded figures; 0 for none "
          + "(default: ${DEFAULT-VALUE}).")
  double occlusion;

  @Option(names = "--limit", defaultValue = "0", description = "Test rows to use, the first N (0: all; default: "
      + "${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--calibration", defaultValue = "1000",
      description = "Training rows the normalisation percentiles are taken over (default: ${DEFAULT-VALUE}).")
  int calibration;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the Poisson input (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", defaultValue = "2",
      description = "Simulation threads and ND4J threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    int[] times = SpikingNetwork.checkpoints(steps);
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be 0 (all) or positive, got " + limit);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    ConversionConfig config = new ConversionConfig(percentile, Reset.parse(reset), InputCoding.parse(coding),
        calibration, seed);
    Occlusion occ = new Occlusion(occlusion);
    Threads.apply(threads);
    long t0 = System.nanoTime();
    LottaModel m = AnnToSnn.load(model, trust.policy());
    AnnToSnn.reluNetwork(m); // refuse an unconvertible variant before loading any data
    DataSplits d = data.load(m.artifact().getTraining().getConfig().getSplitSeed());
    Dataset test = limit > 0 && limit < d.test().rows() ? d.test().head(limit) : d.test();
    SpikingNetwork snn = AnnToSnn.convert(m, d.train(), config);
    double ann = m.accuracy(test);
    SimulationResult clean = snn.simulate(test, times, threads);
    Dataset occluded = occlusion > 0 ? occ.apply(test) : null;
    double annOcc = occluded != null ? m.accuracy(occluded) : Double.NaN;
    SimulationResult occ2 = occluded != null ? snn.simulate(occluded, times, threads) : null;
    double seconds = (System.nanoTime() - t0) / 1e9;

    PrintWriter o = spec.commandLine().getOut();
    String what = m.spec().family() + " " + m.spec().layout() + (m.spec().full() ? ", fully trained"
        : ", rank " + m.spec().adapter().rank());
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", model.toString());
      j.put("family", m.spec().family());
      j.put("layout", m.spec().layout());
      j.put("full", m.spec().full());
      j.put("rank", m.spec().full() ? 0 : m.spec().adapter().rank());
      j.put("dataset", data.dataset);
      j.put("rows", test.rows());
      j.put("percentile", percentile);
      j.put("reset", config.reset().id());
      j.put("coding", config.coding().id());
      j.put("calibration_rows", Math.min(calibration, d.train().rows()));
      j.put("input_scale", snn.inputScale());
      j.put("neurons", snn.neurons());
      j.put("steps", times);
      j.put("ann_accuracy", ann);
      j.put("snn_accuracy", list(clean.accuracy()));
      j.put("spikes_per_neuron_step", list(clean.spikesPerNeuronStep()));
      j.put("layer_rates", list(clean.layerRates()));
      if (occ2 != null) {
        j.put("occlusion", occlusion);
        j.put("occlusion_patch", occ.patch((int) Math.round(Math.sqrt(test.cols()))));
        j.put("ann_accuracy_occluded", annOcc);
        j.put("snn_accuracy_occluded", list(occ2.accuracy()));
        j.put("spikes_per_neuron_step_occluded", list(occ2.spikesPerNeuronStep()));
      }
      j.put("simulation_seconds", clean.seconds() + (occ2 != null ? occ2.seconds() : 0));
      j.put("seconds", seconds);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "model      %s (%s)%n", model, what);
      o.printf(Locale.ROOT, "snn        %,d IF neurons in %d layers (%s), threshold 1, reset %s, input %s, "
          + "percentile %s over %,d training rows%n", snn.neurons(), snn.network().layers().size(), sizes(snn),
          config.reset().id(), config.coding().id(), Double.toString(percentile),
          Math.min(calibration, d.train().rows()));
      o.printf(Locale.ROOT, "data       %s/test, %,d rows%s%n", data.dataset, test.rows(), occ2 == null ? ""
          : "; occluded: centred " + occ.patch((int) Math.round(Math.sqrt(test.cols()))) + "x"
              + occ.patch((int) Math.round(Math.sqrt(test.cols()))) + " square zeroed ("
              + Math.round(occlusion * 100) + "% of the area)");
      StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-24s %8s", "", "ANN"));
      for (int t : times) {
        head.append(String.format(Locale.ROOT, " %9s", "SNN@" + t));
      }
      o.println(head);
      o.println(row("accuracy, clean", ann, clean.accuracy(), times.length));
      o.println(row("spikes/neuron/step", Double.NaN, clean.spikesPerNeuronStep(), times.length));
      if (occ2 != null) {
        o.println(row("accuracy, occluded", annOcc, occ2.accuracy(), times.length));
        o.println(row("spikes/neuron/step, occl", Double.NaN, occ2.spikesPerNeuronStep(), times.length));
      }
      o.printf(Locale.ROOT, "time       %.1f s (simulation %.1f s, %d threads)%n", seconds,
          clean.seconds() + (occ2 != null ? occ2.seconds() : 0), threads);
    }
    o.flush();
    return 0;
  }

  private static List<Double> list(double[] a) {
    List<Double> out = new ArrayList<>();
    for (double v : a) {
      out.add(v);
    }
    return out;
  }

  private static String sizes(SpikingNetwork snn) {
    StringBuilder sb = new StringBuilder();
    for (ReluLayer l : snn.network().layers()) {
      sb.append(sb.length() == 0 ? "" : "-").append(l.outSize());
    }
    return sb.toString();
  }

  private static String row(String label, double ann, double[] snn, int n) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-24s %8s", label,
        Double.isNaN(ann) ? "-" : String.format(Locale.ROOT, "%.4f", ann)));
    for (int i = 0; i < n; i++) {
      sb.append(String.format(Locale.ROOT, " %9.4f", snn[i]));
    }
    return sb.toString();
  }
}
