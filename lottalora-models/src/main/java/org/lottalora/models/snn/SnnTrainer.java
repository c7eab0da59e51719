package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;
import java.util.List;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.train.Progress;

/**
 * Trains a spiking classifier the way the papers do. Image networks (Diehl and Cook, LM-SNN): one unsupervised
 * pass of STDP over {@code trainExamples} presentations (seeded order, reshuffled each epoch; the LM-SNN's
 * inhibition following its schedule), then, with learning off, a labelling pass over the first
 * {@code labelExamples} training rows that fits the label assignment and the n-gram table, then the test. The
 * delay network: supervised delay-STDP on balanced pattern presentations (a teacher current picks the output),
 * tested on fresh jittered presentations, with its accuracy before training for reference.
 */
public final class SnnTrainer {
  private SnnTrainer() {
  }

  /**
   * How much to run.
   *
   * @param trainExamples learning presentations
   * @param labelExamples labelling presentations (image networks)
   * @param testExamples test presentations (all test rows when <= 0 for images)
   * @param threads threads for the labelling and test passes (learning is sequential)
   */
  public record Config(int trainExamples, int labelExamples, int testExamples, int threads) {
    /** Validates. */
    public Config {
      if (trainExamples < 1) {
        throw new IllegalArgumentException("--train-examples must be >= 1, got " + trainExamples);
      }
      if (labelExamples < 1) {
        throw new IllegalArgumentException("--label-examples must be >= 1, got " + labelExamples);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
      }
    }
  }

  /**
   * What a run did.
   *
   * @param network the network id
   * @param neurons readout neurons
   * @param trainExamples learning presentations
   * @param labelExamples labelling presentations
   * @param test the test scores
   * @param untrained the delay network's test scores before learning (null for image networks)
   * @param trainSeconds wall time of the learning pass
   * @param labelSeconds wall time of the labelling pass
   * @param neuronUpdates neuron updates during learning
   * @param synapticEvents synaptic events during learning
   * @param meanTrainSpikes mean readout spikes per learning presentation
   * @param retried learning presentations that needed a raised rate
   * @param neuronsPerClass readout neurons assigned to each class (image networks)
   */
  public record Report(String network, int neurons, int trainExamples, int labelExamples, SnnModel.Evaluation test,
      SnnModel.Evaluation untrained, double trainSeconds, double labelSeconds, long neuronUpdates,
      long synapticEvents, double meanTrainSpikes, int retried, int[] neuronsPerClass) {
    /** Learning presentations per second. */
    public double trainExamplesPerSecond() {
      return trainExamples / Math.max(1e-9, trainSeconds);
    }
  }

  /**
   * Where and how often learning saves its state, and a saved state to continue from. A checkpoint is a model
   * artifact without readout that records how many presentations it has learned from; since presentation k's input
   * spikes and the example order depend only on the seed and k, a resumed run ends with the same bits as one that
   * was never interrupted.
   *
   * @param path the checkpoint file (rewritten atomically)
   * @param every presentations between saves (0: never)
   * @param resume the checkpoint to continue, or null
   */
  public record Checkpoint(java.nio.file.Path path, int every, SnnModel resume) {
  }

  /** A trained model and its report. */
  public record Result(SnnModel model, Report report) {
  }

  /** Trains an image network on raw {@code train} rows and tests on {@code test}. */
  public static Result trainImages(SnnSpec spec, long seed, Dataset train, Dataset test, Config cfg, Progress p) {
    return trainImages(spec, seed, train, test, cfg, p, null);
  }

  /** Trains an image network, saving and resuming learning as {@code ck} says (null: neither). */
  public static Result trainImages(SnnSpec spec, long seed, Dataset train, Dataset test, Config cfg, Progress p,
      Checkpoint ck) {
    if (spec.patterns() != null) {
      throw new IllegalArgumentException("the delay network trains on its pattern task: use trainPatterns");
    }
    int pixels = spec.height() * spec.width();
    if (train.cols() != pixels || test.cols() != pixels) {
      throw new IllegalArgumentException("the network takes " + spec.height() + " x " + spec.width() + " = " + pixels
          + " inputs; " + train.name() + " has " + train.cols() + " values per row");
    }
    if (train.classes() > spec.classes()) {
      throw new IllegalArgumentException(train.name() + " has " + train.classes() + " classes; the spec has "
          + spec.classes());
    }
    Network net;
    SnnModel model;
    int start = 0;
    if (ck != null && ck.resume() != null) {
      model = ck.resume();
      if (!model.spec().equals(spec) || model.seed() != seed) {
        throw new IllegalArgumentException("the checkpoint was made with other settings or another seed: train "
            + "with the same options, or delete " + ck.path());
      }
      if (model.learnedExamples() > cfg.trainExamples()) {
        throw new IllegalArgumentException("the checkpoint has learned from " + model.learnedExamples()
            + " presentations, more than --train-examples " + cfg.trainExamples());
      }
      net = model.network();
      start = (int) model.learnedExamples();
    } else {
      net = Network.build(spec.net(), seed);
      model = new SnnModel(spec, seed, net, null, null);
    }
    net.learning(true);
    long t0 = System.nanoTime();
    int[] order = null;
    int epoch = -1;
    long spikes = 0;
    int retried = 0;
    String what = start > 0 ? "snn train (resumed after " + start + ")" : "snn train";
    for (int k = start; k < cfg.trainExamples(); k++) {
      if (k / train.rows() != epoch) {
        epoch = k / train.rows();
        order = new Draws(seed, "snn.order/" + epoch).permutation(train.rows());
      }
      if (spec.inhibition() != null) {
        net.setLatticeStrength(SnnNetworks.LATERAL, spec.inhibition().at(k / (double) cfg.trainExamples()));
      }
      SnnModel.Activity a = model.present(net, SnnModel.row(train, order[k % train.rows()]), "train/" + k,
          List.of());
      spikes += a.total();
      retried += a.attempts() > 1 ? 1 : 0;
      if ((k + 1) % 50 == 0 || k + 1 == cfg.trainExamples()) {
        p.work(what, k + 1 - start, cfg.trainExamples() - start, t0);
      }
      if (ck != null && ck.every() > 0 && (k + 1) % ck.every() == 0 && k + 1 < cfg.trainExamples()) {
        model.learnedExamples(k + 1);
        SnnArtifact.save(model, ck.path(), null, null);
      }
    }
    model.learnedExamples(cfg.trainExamples());
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    if (spec.inhibition() != null) {
      net.setLatticeStrength(SnnNetworks.LATERAL, spec.inhibition().cMax());
    }
    net.learning(false);
    long t1 = System.nanoTime();
    int nl = Math.min(cfg.labelExamples(), train.rows());
    int[] rows = new int[nl];
    int[] ys = new int[nl];
    for (int i = 0; i < nl; i++) {
      rows[i] = i;
      ys[i] = train.labels()[i];
    }
    List<SnnModel.Activity> acts = model.activities(train, rows, "label", cfg.threads(), p, "snn label");
    int[][] counts = new int[nl][];
    int[][] orders = new int[nl][];
    for (int i = 0; i < nl; i++) {
      counts[i] = acts.get(i).counts();
      orders[i] = acts.get(i).order();
    }
    LabelAssignment labels = LabelAssignment.fit(counts, ys, spec.classes());
    model.setReadout(labels, NGram.fit(spec.ngram(), spec.classes(), orders, ys));
    double labelSeconds = (System.nanoTime() - t1) / 1e9;
    SnnModel.Evaluation ev = model.evaluate(test, cfg.testExamples(), cfg.threads(), p);
    Report r = new Report(spec.network(), spec.net().layer(spec.readoutLayer()).n(), cfg.trainExamples(), nl, ev,
        null, trainSeconds, labelSeconds, net.neuronUpdates(), net.synapticEvents(),
        spikes / (double) Math.max(1, cfg.trainExamples() - start), retried, labels.perClass());
    return new Result(model, r);
  }

  /** Trains the delay network on its pattern task. */
  public static Result trainPatterns(SnnSpec spec, long seed, Config cfg, Progress p) {
    if (spec.patterns() == null) {
      throw new IllegalArgumentException("only the delay network trains on patterns");
    }
    int tests = cfg.testExamples() <= 0 ? 200 : cfg.testExamples();
    Network net = Network.build(spec.net(), seed);
    SnnModel model = new SnnModel(spec, seed, net, null, null);
    SnnModel.Evaluation before = model.evaluatePatterns(tests, cfg.threads(), Progress.silent());
    int[][] base = spec.patterns().base(seed);
    net.learning(true);
    long t0 = System.nanoTime();
    long spikes = 0;
    model.learnedExamples(cfg.trainExamples());
    for (int k = 0; k < cfg.trainExamples(); k++) {
      spikes += model.presentPattern(net, base, k % spec.classes(), "train/" + k, true, List.of()).total();
      if ((k + 1) % 50 == 0 || k + 1 == cfg.trainExamples()) {
        p.work("snn train", k + 1, cfg.trainExamples(), t0);
      }
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    net.learning(false);
    SnnModel.Evaluation ev = model.evaluatePatterns(tests, cfg.threads(), p);
    Report r = new Report(spec.network(), spec.classes(), cfg.trainExamples(), 0, ev, before, trainSeconds, 0,
        net.neuronUpdates(), net.synapticEvents(), spikes / (double) cfg.trainExamples(), 0, null);
    return new Result(model, r);
  }
}
