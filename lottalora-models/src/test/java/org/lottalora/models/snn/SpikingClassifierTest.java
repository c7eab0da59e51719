package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactException;

/**
 * The networks end to end on the embedded digits: they learn, reruns are bit-identical, thread counts do not change
 * a bit, and a saved model gives the same spikes after reloading.
 */
class SpikingClassifierTest {
  @TempDir
  Path dir;

  private static final DataSplits DIGITS = Datasets.load("digits", Datasets.Options.defaults());

  private static SnnSetup setup(String network, int neurons) {
    return new SnnSetup(network, neurons, 150, 1.0, "poisson", 128, 5, 3, 32, 22.5, network.equals("lm-snn") ? 40
        : 120, 1.0, "growing", 0.05, 1e-4, 1e-2, Double.NaN, 2, 4, 20, 20, 1, 4, 2, 9);
  }

  private static SnnTrainer.Result train(String network, int neurons, int examples, int threads) {
    SnnSpec s = setup(network, neurons).imageSpec(8, 8, 10, 16);
    return SnnTrainer.trainImages(s, 3, DIGITS.train(), DIGITS.test(), new SnnTrainer.Config(examples, 300, 200,
        threads), Progress.silent());
  }

  @Test
  void diehlCookLearnsDigitsAndRerunsAreBitIdentical() {
    SnnTrainer.Result a = train("diehl-cook", 36, 800, 1);
    assertTrue(a.report().test().proportion() > 0.6, "well above the 10% of chance: " + a.report());
    SnnTrainer.Result b = train("diehl-cook", 36, 800, 2);
    assertArrayEquals(a.model().network().connection(SnnNetworks.INPUT_EXC).weightsCanonical(),
        b.model().network().connection(SnnNetworks.INPUT_EXC).weightsCanonical());
    assertArrayEquals(((AdaptiveLifNodes) a.model().network().layer(SnnNetworks.EXC)).theta(),
        ((AdaptiveLifNodes) b.model().network().layer(SnnNetworks.EXC)).theta());
    assertEquals(a.report().test(), b.report().test().withSeconds(a.report().test().seconds()),
        "1 and 2 threads: same scores");
  }

  @Test
  void locallyConnectedNetworkLearnsThroughItsWindows() {
    SnnTrainer.Result r = train("lc-snn", 0, 600, 2);
    assertEquals(81, r.model().network().layer(SnnNetworks.EXC).size(), "9 filters x 3 x 3 windows");
    assertTrue(r.report().test().proportion() > 0.4, r.report().toString());
    float[] w = r.model().network().connection(SnnNetworks.INPUT_EXC).weightsCanonical();
    for (int i = 0; i < 64; i++) {
      if (i / 8 >= 4 || i % 8 >= 4) {
        assertEquals(0f, w[i], "neuron 0 sees only its 4 x 4 window; pixel " + i);
      }
    }
  }

  @Test
  void latticeMapLearnsAndItsScheduleMoves() {
    SnnTrainer.Result r = train("lm-snn", 36, 800, 2);
    assertTrue(r.report().test().proportion() > 0.5, r.report().toString());
    InhibitionSchedule g = new InhibitionSchedule("growing", 1, 9);
    assertEquals(1, g.at(0));
    assertEquals(5, g.at(0.5));
    assertEquals(9, g.at(1));
    InhibitionSchedule t = new InhibitionSchedule("two-level", 1, 9);
    assertEquals(1, t.at(0.49));
    assertEquals(9, t.at(0.5));
  }

  @Test
  void savedModelGivesTheSameSpikesAfterReload() {
    SnnTrainer.Result r = train("diehl-cook", 25, 300, 2);
    Path f = dir.resolve("dc.lotta");
    SnnArtifact.save(r.model(), f, null, null);
    SnnModel back = SnnArtifact.load(f);
    float[] x = SnnModel.row(DIGITS.test(), 3);
    SnnModel.Prediction p1 = r.model().predict(x, "k");
    SnnModel.Prediction p2 = back.predict(x, "k");
    assertArrayEquals(p1.activity().counts(), p2.activity().counts());
    assertArrayEquals(p1.activity().order(), p2.activity().order());
    assertEquals(p1, new SnnModel.Prediction(p2.allActivity(), p2.proportion(), p2.ngram(), p1.activity()));
    SnnModel.Evaluation e1 = r.model().evaluate(DIGITS.test(), 100, 2, Progress.silent());
    SnnModel.Evaluation e2 = back.evaluate(DIGITS.test(), 100, 1, Progress.silent());
    assertEquals(e1.proportion(), e2.proportion());
    assertEquals(e1.ngram(), e2.ngram());
  }

  @Test
  void aResumedRunEndsWithTheSameBitsAsAnUninterruptedOne() {
    SnnSpec s = setup("diehl-cook", 16).imageSpec(8, 8, 10, 16);
    Path ck = dir.resolve("run.ckpt");
    SnnTrainer.Config cfg = new SnnTrainer.Config(200, 100, 50, 2);
    SnnTrainer.Result whole = SnnTrainer.trainImages(s, 5, DIGITS.train(), DIGITS.test(), cfg, Progress.silent(),
        new SnnTrainer.Checkpoint(ck, 120, null));
    SnnModel half = SnnArtifact.load(ck);
    assertEquals(120, half.learnedExamples());
    assertThrows(IllegalArgumentException.class, () -> half.predict(SnnModel.row(DIGITS.test(), 0)),
        "a checkpoint has no readout");
    SnnTrainer.Result resumed = SnnTrainer.trainImages(s, 5, DIGITS.train(), DIGITS.test(), cfg, Progress.silent(),
        new SnnTrainer.Checkpoint(dir.resolve("again.ckpt"), 0, half));
    assertArrayEquals(whole.model().network().connection(SnnNetworks.INPUT_EXC).weightsCanonical(),
        resumed.model().network().connection(SnnNetworks.INPUT_EXC).weightsCanonical());
    assertEquals(whole.report().test().proportion(), resumed.report().test().proportion());
    SnnSpec other = setup("diehl-cook", 16).imageSpec(8, 8, 10, 15);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SnnTrainer.trainImages(other, 5,
        DIGITS.train(), DIGITS.test(), cfg, Progress.silent(), new SnnTrainer.Checkpoint(ck, 0,
            SnnArtifact.load(ck))));
    assertTrue(e.getMessage().contains("other settings"), e.getMessage());
  }

  @Test
  void delayNetworkLearnsTimingWithFixedWeights() {
    SnnSpec s = setup("delay", 0).patternSpec();
    SnnTrainer.Result r = SnnTrainer.trainPatterns(s, 2, new SnnTrainer.Config(120, 1, 100, 2), Progress.silent());
    assertTrue(r.report().test().allActivity() > 0.9, r.report().toString());
    assertTrue(r.report().untrained().allActivity() < 0.5, r.report().toString());
    float[] w = r.model().network().connection(SnnNetworks.INPUT_OUT).weightsCanonical();
    for (float v : w) {
      assertEquals(2f / 20, v, "weights never move");
    }
    Path f = dir.resolve("delay.lotta");
    SnnArtifact.save(r.model(), f, null, null);
    SnnModel back = SnnArtifact.load(f);
    assertArrayEquals(r.model().network().connection(SnnNetworks.INPUT_OUT).delaysCanonical(),
        back.network().connection(SnnNetworks.INPUT_OUT).delaysCanonical());
    assertEquals(r.model().predictPattern(1, "x"), back.predictPattern(1, "x"));
  }

  @Test
  void twoThreadDeliveryGivesTheSameSpikesAsOne() {
    NetworkSpec spec = new NetworkSpec(List.of(NodeSpec.of("in", "input", 300), NodeSpec.of("l", "lif", 3000,
        "tc_decay", 20.0)), List.of(ConnectionSpec.of("c", "in", "l", "dense", RuleSpec.NONE, "w_lo", 0, "w_hi", 1.2),
        ConnectionSpec.of("r", "l", "l", "dense", RuleSpec.NONE, "w_lo", -0.03, "w_hi", 0.02)), 1.0);
    float[] x = new float[300];
    java.util.Arrays.fill(x, 1f);
    SpikeTrain t = new PoissonEncoder(30, 1).encode(x, 100, 1.0, new Draws(4, "in"));
    int[][] orders = new int[2][];
    for (int threads = 1; threads <= 2; threads++) {
      try (Network net = Network.build(spec, 8, 1, threads)) {
        Monitor m = new Monitor("l", true, 0);
        net.run(100, Map.of("in", new SpikeTrain[] {t}), null, List.of(m));
        orders[threads - 1] = m.firingOrder(0);
      }
    }
    assertTrue(orders[0].length > 100, "the network is active");
    assertArrayEquals(orders[0], orders[1]);
  }

  @Test
  void specErrorsNameTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> setup("lm-snn", 10).imageSpec(8, 8, 10, 16));
    assertTrue(e.getMessage().contains("square number"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SnnSpec.Presentation(0, 5, 3, 32));
    assertTrue(e.getMessage().contains("--time"), e.getMessage());
    SnnSpec s = setup("diehl-cook", 16).imageSpec(8, 8, 10, 16);
    e = assertThrows(IllegalArgumentException.class, () -> SnnTrainer.trainImages(s, 1,
        Datasets.load("digits", Datasets.Options.defaults()).train().subset(new int[] {0}, "one"),
        DIGITS.test(), new SnnTrainer.Config(0, 1, 1, 1), Progress.silent()));
    assertTrue(e.getMessage().contains("--train-examples"), e.getMessage());
  }

  @Test
  void aTamperedOrForeignArtifactIsRefused() throws Exception {
    SnnTrainer.Result r = train("diehl-cook", 16, 50, 1);
    Path f = dir.resolve("m.lotta");
    SnnArtifact.save(r.model(), f, null, null);
    byte[] b = java.nio.file.Files.readAllBytes(f);
    b[b.length / 2] ^= 1;
    Path bad = dir.resolve("bad.lotta");
    java.nio.file.Files.write(bad, b);
    assertThrows(ArtifactException.class, () -> SnnArtifact.load(bad));
    ArtifactException e = assertThrows(ArtifactException.class, () -> org.lottalora.models.LottaModel.load(f));
    assertTrue(e.getMessage().contains("SnnArtifact.load"), e.getMessage());
  }
}
