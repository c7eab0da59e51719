package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.StochasticBlockModel;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.LossGuard;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GcnTrainer;
import org.lottalora.models.transformer.ByteCorpus;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmTrainer;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.Vit;
import org.lottalora.models.transformer.VitTrainer;

/**
 * A learning rate of 1e30 (or, for the recurrent cell, whose tanh and sigmoid saturate, an injected NaN) makes a
 * family's loss non-finite within a few steps: each trainer stops with the one line of {@link LossGuard} naming the
 * step, and leaves its model on finite (last good) arrays, so that nothing a caller saves afterwards holds NaN.
 */
class DivergenceTest {
  private static final Pattern LINE = Pattern.compile(
      "loss became (NaN|Infinity|-Infinity) at step \\d+; the last good model is kept; lower --lr");
  static DataSplits digits;

  @BeforeAll
  static void data() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
  }

  private static void allFinite(Map<String, float[]> trained) {
    trained.forEach((name, v) -> {
      for (float f : v) {
        assertTrue(Float.isFinite(f), name + " holds " + f + " after a diverged run");
      }
    });
  }

  /** Diverged in its first epoch (lr 1e30 overflows at step 2): the last good arrays are the initial ones. */
  private static void same(Map<String, float[]> before, Map<String, float[]> after) {
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v, after.get(name), 0f, name));
  }

  private static void oneLine(LossGuard.Diverged e) {
    assertTrue(LINE.matcher(e.getMessage()).matches(), e.getMessage());
    assertTrue(e.step() >= 1);
  }

  @Test
  void theVitStopsAndKeepsItsLastGoodArrays() {
    Vit vit = new Vit(new Vit.Spec(8, 4, 8, 2, 1, 12, 10, 5, InitSpec.DEFAULT, AdapterConfig.defaults(2),
        Targets.of(false, true)));
    Map<String, float[]> before = vit.trained();
    LossGuard.Diverged e = assertThrows(LossGuard.Diverged.class, () -> VitTrainer.train(vit, digits,
        new VitTrainer.Config(3, 32, 1e30, 0, 1), Progress.silent()));
    oneLine(e);
    allFinite(vit.trained());
    same(before, vit.trained());
  }

  @Test
  void theByteLmStopsAndKeepsItsLastGoodArrays() {
    byte[] text = "the quick brown fox jumps over the lazy dog. ".repeat(40).getBytes(
        java.nio.charset.StandardCharsets.US_ASCII);
    ByteLm lm = new ByteLm(new ByteLm.Spec(8, 2, 1, 12, 16, 5, InitSpec.parse("normal"), AdapterConfig.defaults(2),
        false));
    Map<String, float[]> before = lm.trained();
    LossGuard.Diverged e = assertThrows(LossGuard.Diverged.class, () -> LmTrainer.train(lm,
        ByteCorpus.of(text, "fox", 0.1), new LmTrainer.Config(200, 8, 16, 1e30, 0, 256, 1), Progress.silent()));
    oneLine(e);
    allFinite(lm.trained());
    same(before, lm.trained());
  }

  @Test
  void theGcnStopsAndKeepsItsLastGoodArrays() {
    Graph g = StochasticBlockModel.generate(new StochasticBlockModel.Params(200, 4, 0.05, 0.004, 16, 3.0), 7);
    GcnNetwork net = new GcnNetwork(new GcnNetwork.Spec(16, new int[] {16, 16}, 4, 3, InitSpec.parse("normal"),
        AdapterConfig.defaults(4), false), g);
    Map<String, float[]> before = GcnTrainer.copy(net.trained());
    LossGuard.Diverged e = assertThrows(LossGuard.Diverged.class, () -> GcnTrainer.train(net, g,
        new GcnTrainer.Config(200, 1e30, 0, 0.5, 0.2, 1), Progress.silent()));
    oneLine(e);
    allFinite(net.trained());
    same(before, net.trained());
  }

  @Test
  void ginRecurrentAndTextStopTheSameWay() throws Exception {
    org.lottalora.core.data.graph.GraphSet set = org.lottalora.core.data.graph.GraphSet.synthetic(60, 5, 9, 2);
    org.lottalora.models.graph.GinNetwork gin = new org.lottalora.models.graph.GinNetwork(new GcnNetwork.Spec(
        org.lottalora.core.data.graph.GraphSet.FEATURES, new int[] {8, 8}, 2, 4, InitSpec.parse("normal"),
        AdapterConfig.defaults(2), false), Map.of());
    Map<String, float[]> ginBefore = GcnTrainer.copy(gin.trained());
    oneLine(assertThrows(LossGuard.Diverged.class, () -> org.lottalora.models.graph.GinTrainer.train(gin, set,
        new org.lottalora.models.graph.GinTrainer.Config(3, 8, 1e30, 0, 0.5, 0.2, 1), Progress.silent())));
    same(ginBefore, gin.trained());

    // a recurrent cell saturates (tanh, sigmoid), so its loss stays finite at any rate: inject a NaN instead
    org.lottalora.models.recurrent.SequenceSet seq = org.lottalora.models.recurrent.IrregularSeries.generate(40, 0.5,
        3);
    org.lottalora.models.recurrent.SequenceSet poisoned = org.lottalora.models.recurrent.IrregularSeries.generate(40,
        0.5, 3);
    for (float[][] series : poisoned.x()) {
      series[0][0] = Float.NaN;
    }
    org.lottalora.models.recurrent.RecurrentNetwork rnn = new org.lottalora.models.recurrent.RecurrentNetwork(
        new org.lottalora.models.recurrent.RecurrentNetwork.Spec("cfc", 1, 4, 5, 2, 2, InitSpec.parse("normal"),
            AdapterConfig.defaults(2), false), Map.of());
    Map<String, float[]> rnnBefore = GcnTrainer.copy(rnn.trained());
    oneLine(assertThrows(LossGuard.Diverged.class, () -> org.lottalora.models.recurrent.RecurrentTrainer.train(rnn,
        poisoned, seq, seq, new org.lottalora.models.recurrent.RecurrentTrainer.Config(3, 8, 1e-3, 0, false, 1),
        Progress.silent())));
    same(rnnBefore, rnn.trained());

    java.nio.file.Path csv = java.nio.file.Files.createTempFile("texts", ".csv");
    StringBuilder b = new StringBuilder("text,label\n");
    for (int i = 0; i < 60; i++) {
      b.append(i % 2 == 0 ? "waves and salt" : "stone and snow").append(i).append(',').append(i % 2).append('\n');
    }
    java.nio.file.Files.writeString(csv, b);
    org.lottalora.models.transformer.TextCsv texts = org.lottalora.models.transformer.TextCsv.read(csv, 16, true,
        null);
    org.lottalora.models.transformer.TextClassifier tc = new org.lottalora.models.transformer.TextClassifier(
        new org.lottalora.models.transformer.TextClassifier.Spec(16, 8, 2, 1, 12, 2, 4, InitSpec.DEFAULT,
            AdapterConfig.defaults(2), Targets.of(false, true)));
    Map<String, float[]> tcBefore = tc.trained();
    oneLine(assertThrows(LossGuard.Diverged.class, () -> org.lottalora.models.transformer.TextTrainer.train(tc, texts,
        new org.lottalora.models.transformer.TextTrainer.Config(3, 8, 1e30, 0, 1), Progress.silent())));
    same(tcBefore, tc.trained());
    java.nio.file.Files.delete(csv);
  }

  @Test
  void trainStopsWithTheSameLineAndKeepsFiniteArrays() {
    LottaModel m = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {32}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(4), false));
    Map<String, float[]> before = m.graph().trainedValues();
    TrainReport r = m.train(digits, new TrainConfig(3, 64, 1e30, 0, 0, false, 0, 0), Progress.silent());
    assertNotNull(r.failure(), "lr 1e30 must diverge");
    assertTrue(LINE.matcher(r.failure()).matches(), r.failure());
    allFinite(m.graph().trainedValues());
    same(before, m.graph().trainedValues());
    // the SameDiff path (a variant MLP) follows the same rule
    LottaModel v = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {32}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(4).withVariants(false, true, false), false));
    TrainReport rv = v.train(digits, new TrainConfig(3, 64, 1e30, 0, 0, false, 0, 0), Progress.silent());
    assertNotNull(rv.failure(), "lr 1e30 must diverge");
    assertTrue(LINE.matcher(rv.failure()).matches(), rv.failure());
    allFinite(v.graph().trainedValues());
  }
}
