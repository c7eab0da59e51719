package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.Progress;
import org.lottalora.models.ArtifactMapper;
import org.lottalora.models.snn.SnnArtifact;
import org.lottalora.models.snn.SnnModel;
import org.lottalora.models.snn.SnnSetup;
import org.lottalora.models.snn.SnnSpec;
import org.lottalora.models.snn.SnnTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lottalora snn train}: train a spiking classifier and save it as seed + what it learned. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a spiking network: diehl-cook, lm-snn or lc-snn on images (unsupervised STDP, then label "
        + "assignment), or the delay network on spike-timing patterns (delay-STDP with fixed weights).")
final class SnnTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--network", defaultValue = "diehl-cook", description = "diehl-cook, lm-snn, lc-snn or delay "
      + "(default: "
      + "${DEFAULT-VALUE}).")
  String network;

  @Mixin
  DataOptions data;

  @Option(names = "--neurons", defaultValue = "100", description = "Excitatory neurons (lm-snn: a square number; "
      + "lc-snn: filters x windows instead; default: ${DEFAULT-VALUE}).")
  int neurons;

  @Option(names = "--train-examples", defaultValue = "5000", description = "Learning presentations; the training "
      + "set is reshuffled each pass (default: ${DEFAULT-VALUE}).")
  int trainExamples;

  @Option(names = "--label-examples", defaultValue = "1000", description = "Training rows used to assign labels "
      + "(default: ${DEFAULT-VALUE}).")
  int labelExamples;

  @Option(names = "--test-examples", defaultValue = "0", description = "Test rows (0: all; delay network: 200; "
      + "default: ${DEFAULT-VALUE}).")
  int testExamples;

  @Option(names = "--time", defaultValue = "250", description = "Steps per presentation (default: ${DEFAULT-VALUE}).")
  int time;

  @Option(names = "--dt", defaultValue = "1.0", description = "Step in ms (default: ${DEFAULT-VALUE}).")
  double dt;

  @Option(names = "--encoder", defaultValue = "poisson", description = "poisson, bernoulli or rank-order (default: "
      + "${DEFAULT-VALUE}).")
  String encoder;

  @Option(names = "--rate", defaultValue = "128", description = "Peak input rate in Hz (bernoulli: probability per "
      + "step; default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--min-spikes", defaultValue = "5", description = "Repeat a presentation louder below this many "
      + "excitatory spikes (default: ${DEFAULT-VALUE}).")
  int minSpikes;

  @Option(names = "--retries", defaultValue = "3", description = "Most repeats (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--rate-step", defaultValue = "32", description = "Hz added per repeat (default: "
      + "${DEFAULT-VALUE}).")
  double rateStep;

  @Option(names = "--exc", defaultValue = "22.5", description = "Excitatory-to-inhibitory weight (default: "
      + "${DEFAULT-VALUE}).")
  double exc;

  @Option(names = "--inh", description = "Inhibition: the inhibitory weight of diehl-cook and lc-snn, the lm-snn's "
      + "c_max (default: 120).")
  Double inh;

  @Option(names = "--c-min", defaultValue = "1.0", description = "lm-snn: starting inhibition scale (default: "
      + "${DEFAULT-VALUE}).")
  double cMin;

  @Option(names = "--inhibition", defaultValue = "growing", description = "lm-snn schedule: constant, growing or "
      + "two-level (default: ${DEFAULT-VALUE}).")
  String inhibition;

  @Option(names = "--theta-plus", defaultValue = "0.05", description = "Threshold rise per spike (default: "
      + "${DEFAULT-VALUE}).")
  double thetaPlus;

  @Option(names = "--nu-pre", defaultValue = "1e-4", description = "STDP depression rate (default: ${DEFAULT-VALUE}).")
  double nuPre;

  @Option(names = "--nu-post", defaultValue = "1e-2", description = "STDP potentiation rate (default: "
      + "${DEFAULT-VALUE}).")
  double nuPost;

  @Option(names = "--norm", description = "Summed input weight per neuron (default: 0.1 per input).")
  Double norm;

  @Option(names = "--ngram", defaultValue = "2", description = "n of the n-gram rule (default: ${DEFAULT-VALUE}).")
  int ngram;

  @Option(names = "--patterns", defaultValue = "4", description = "delay: patterns (default: ${DEFAULT-VALUE}).")
  int patterns;

  @Option(names = "--inputs", defaultValue = "20", description = "delay: input neurons (default: ${DEFAULT-VALUE}).")
  int inputs;

  @Option(names = "--window", defaultValue = "20", description = "delay: steps a pattern spans (default: "
      + "${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--jitter", defaultValue = "1", description = "delay: largest shift of one spike in steps "
      + "(default: ${DEFAULT-VALUE}).")
  int jitter;

  @Option(names = "--kernel", description = "lc-snn: window side (default: 4 for images up to 8 x 8, else 12).")
  Integer kernelOption;

  @Option(names = "--stride", description = "lc-snn: window step (default: 2 for images up to 8 x 8, else 4).")
  Integer strideOption;

  @Option(names = "--filters", defaultValue = "25", description = "lc-snn: neurons per window (default: "
      + "${DEFAULT-VALUE}).")
  int filters;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights, delays, input spikes and "
      + "example order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", defaultValue = "2", description = "Threads for labelling and testing; learning is "
      + "sequential (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-o", "--out"}, defaultValue = "snn.lotta", description = "Where to write the model (default: "
      + "${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--checkpoint-every", defaultValue = "10000", description = "Save learning state to <out>.ckpt "
      + "every this many presentations (0: never; default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue from <out>.ckpt, left by an interrupted run with the same "
      + "options; the result is the same as an uninterrupted run.")
  boolean resume;

  @Option(names = "--plots", description = "Folder for pictures: learned filters, a raster and a voltage trace.")
  Path plots;

  @Option(names = "--json", description = "Print JSON instead of text (progress goes away too).")
  boolean json;

  /** The settings for images of side {@code side} (lc-snn windows default by image size). */
  private SnnSetup setup(int side) {
    double inhibitionValue = inh != null ? inh : 120;
    int kernel = kernelOption != null ? kernelOption : side <= 8 ? 4 : 12;
    int stride = strideOption != null ? strideOption : side <= 8 ? 2 : 4;
    return new SnnSetup(network, neurons, time, dt, encoder, rate, minSpikes, retries, rateStep, exc,
        inhibitionValue, cMin, inhibition, thetaPlus, nuPre, nuPost, norm == null ? Double.NaN : norm, ngram,
        patterns, inputs, window, jitter, kernel, stride, filters);
  }

  @Override
  public Integer call() {
    if (!SnnSpec.NETWORKS.contains(network)) {
      throw new IllegalArgumentException("unknown --network '" + network + "' (known: " + String.join(", ",
          SnnSpec.NETWORKS) + ")");
    }
    Progress progress = json ? Progress.silent() : Progress.stderr();
    SnnTrainer.Config cfg = new SnnTrainer.Config(trainExamples, labelExamples, testExamples, threads);
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("network", network);
    SnnTrainer.Result res;
    String dataset;
    long rows;
    byte[] hash = null;
    Dataset test = null;
    long t0 = System.nanoTime();
    if (network.equals("delay")) {
      SnnSpec s = setup(0).patternSpec();
      res = SnnTrainer.trainPatterns(s, seed, cfg, progress);
      dataset = String.format(Locale.ROOT, "spike patterns: %d x %d inputs, window %d, jitter %d", patterns, inputs,
          window, jitter);
      rows = trainExamples;
    } else {
      DataSplits d = data.load(0);
      int side = (int) Math.round(Math.sqrt(d.train().cols()));
      if (side * side != d.train().cols()) {
        throw new IllegalArgumentException(data.dataset + " rows have " + d.train().cols() + " values, not a square "
            + "image");
      }
      float scale = 0;
      for (float v : d.train().features()) {
        scale = Math.max(scale, v);
      }
      if (!(scale > 0)) {
        throw new IllegalArgumentException(data.dataset + " has no positive pixel: nothing to encode as spikes");
      }
      SnnSpec s = setup(side).imageSpec(side, side, d.train().classes(), scale);
      if (checkpointEvery < 0) {
        throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
      }
      Path ckpt = out.resolveSibling(out.getFileName() + ".ckpt");
      SnnModel from = null;
      if (resume) {
        if (!java.nio.file.Files.exists(ckpt)) {
          throw new IllegalArgumentException("--resume: no checkpoint at " + ckpt + " (train without --resume)");
        }
        from = SnnArtifact.load(ckpt);
        j.put("resumed_after", from.learnedExamples());
      }
      res = SnnTrainer.trainImages(s, seed, d.train(), d.test(), cfg, progress,
          new SnnTrainer.Checkpoint(ckpt, checkpointEvery, from));
      try {
        java.nio.file.Files.deleteIfExists(ckpt);
      } catch (java.io.IOException e) {
        progress.say("could not delete the finished run's checkpoint " + ckpt + ": " + e.getMessage());
      }
      dataset = data.dataset;
      rows = d.train().rows();
      hash = ArtifactMapper.datasetHash(d.train());
      test = d.test();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    SnnTrainer.Report r = res.report();
    SnnModel m = res.model();
    double headline = r.test().proportion();
    Map<String, Float> extra = new LinkedHashMap<>();
    extra.put("accuracy_all_activity", (float) r.test().allActivity());
    extra.put("accuracy_proportion", (float) r.test().proportion());
    extra.put("accuracy_ngram", (float) r.test().ngram());
    extra.put("train_examples", (float) r.trainExamples());
    SnnArtifact.save(m, out, new SnnArtifact.Provenance(dataset, hash, rows, headline, secs, threads, extra), null);
    if (plots != null) {
      SnnPictures.write(plots, m, test);
    }
    j.put("dataset", dataset);
    j.put("neurons", r.neurons());
    j.put("seed", seed);
    j.put("train_examples", r.trainExamples());
    j.put("label_examples", r.labelExamples());
    j.put("test_examples", r.test().examples());
    j.put("accuracy_all_activity", r.test().allActivity());
    j.put("accuracy_proportion", r.test().proportion());
    j.put("accuracy_ngram", r.test().ngram());
    if (r.untrained() != null) {
      j.put("accuracy", r.test().allActivity());
      j.put("accuracy_before_training", r.untrained().allActivity());
    }
    j.put("mean_test_spikes", r.test().meanSpikes());
    j.put("silent_test_examples", r.test().silent());
    j.put("train_seconds", r.trainSeconds());
    j.put("train_examples_per_second", r.trainExamplesPerSecond());
    j.put("label_seconds", r.labelSeconds());
    j.put("test_seconds", r.test().seconds());
    j.put("wall_seconds", secs);
    j.put("neuron_updates", r.neuronUpdates());
    j.put("synaptic_events", r.synapticEvents());
    j.put("mean_train_spikes", r.meanTrainSpikes());
    j.put("retried_presentations", r.retried());
    if (r.neuronsPerClass() != null) {
      j.put("neurons_per_class", Arrays.stream(r.neuronsPerClass()).boxed().toList());
    }
    j.put("out", out.toString());
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      o.println(Json.write(j));
    } else if (r.untrained() != null) {
      o.printf(Locale.ROOT, "delay network, %d patterns x %d inputs: test accuracy %.4f on %d presentations "
          + "(before learning %.4f); %d learning presentations in %.1f s%n", patterns, inputs, r.test().allActivity(),
          r.test().examples(), r.untrained().allActivity(), r.trainExamples(), r.trainSeconds());
      o.printf(Locale.ROOT, "saved %s%n", out);
    } else {
      o.printf(Locale.ROOT, "%s, %d neurons on %s: test accuracy all-activity %.4f, proportion %.4f, %d-gram %.4f "
          + "(%d test images)%n", network, r.neurons(), dataset, r.test().allActivity(), r.test().proportion(), ngram,
          r.test().ngram(), r.test().examples());
      o.printf(Locale.ROOT, "learning: %,d presentations in %.1f s (%.0f/s), %.1f spikes each, %d repeated louder; "
          + "labels from %,d rows%n", r.trainExamples(), r.trainSeconds(), r.trainExamplesPerSecond(),
          r.meanTrainSpikes(), r.retried(), r.labelExamples());
      o.printf(Locale.ROOT, "saved %s%n", out);
    }
    o.flush();
    return 0;
  }
}
