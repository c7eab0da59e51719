package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.util.NdArrays;
import org.lottalora.format.TrustPolicy;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adapter dropout on wrapped graphs: it trains, touches only the adapters, predicts like the merged graph,
 * reloads and replays, repeats exactly, and is refused where there is no matrix-product input to mask.
 */
class AdapterDropoutTest {
  @BeforeAll
  static void data() {
    GraphAdapterTest.data();
  }

  static AdapterConfig dropout(int rank, double p) {
    return new AdapterConfig(rank, 1.0, false, true, p, false, 1L);
  }

  /** The test MLP with its logits straight out of the second product: the dropout sum must take that name. */
  static SameDiff mlpWithoutOutputBias() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 64);
    Backbone bb = Backbone.regenerate(3, List.of(TensorSpec.of("w1", new int[] {64, 32}, InitSpec.DEFAULT),
        TensorSpec.of("w2", new int[] {10, 32}, InitSpec.DEFAULT)));
    SDVariable h = sd.nn.relu(x.mmul(sd.var("w1", NdArrays.of(bb.get("w1"), 64, 32))), 0);
    sd.mmul(h, sd.var("w2", NdArrays.of(bb.get("w2"), 10, 32)), false, true, false).rename("logits");
    return sd;
  }

  static INDArray mergedOutput(SameDiff merged, INDArray x) {
    return merged.output(Map.of("input", x), "logits").get("logits");
  }

  @Test
  void dropoutTrainsOnlyTheAdaptersPredictsLikeTheMergedGraphAndReloads(@TempDir Path dir) throws Exception {
    AdaptedGraph g = GraphAdapter.of(GraphAdapterTest.mlp()).seeded(5, InitSpec.DEFAULT).adapter(dropout(8, 0.1))
        .classifier("logits", 10).apply();
    assertEquals(List.of("mask.w1.lora_dropout", "mask.w2.lora_dropout"), g.dropoutMasks());
    Map<String, INDArray> frozen = GraphAdapterTest.constants(g.sameDiff());
    Map<String, float[]> start = g.trainedTensors();
    g.fit(new DatasetIterator(GraphAdapterTest.train, 32, 1), 8,
        AdaptedGraph.FitOptions.defaults().withLearningRate(2e-2));
    for (Map.Entry<String, INDArray> e : frozen.entrySet()) {
      assertEquals(e.getValue(), g.sameDiff().getVariable(e.getKey()).getArr(), e.getKey() + " must stay frozen");
    }
    Map<String, float[]> end = g.trainedTensors();
    assertEquals(List.of("w1.beta", "w1.lora_A", "w1.lora_B", "w2.beta", "w2.lora_A", "w2.lora_B"),
        end.keySet().stream().sorted().toList());
    for (String name : start.keySet()) {
      assertFalse(Arrays.equals(start.get(name), end.get(name)), name + " must train");
    }
    double acc = GraphAdapterTest.accuracy(g);
    assertTrue(acc > 0.85, "rank-8 adapters with dropout 0.1 over a random scaffold learn digits: " + acc);

    INDArray x = GraphAdapterTest.batch();
    INDArray want = g.output(x);
    assertEquals(want, g.output(x), "inference feeds masks of ones: deterministic");
    assertTrue(want.equalsWithEps(mergedOutput(g.merged(), x), 1e-4), "dropout is training-only: the merged "
        + "graph predicts as output()");

    Path file = dir.resolve("d.lotta");
    g.save(file);
    AdaptedGraph back = GraphArtifacts.load(file, TrustPolicy.NONE);
    assertEquals(0.1, back.spec().adapter().dropout());
    assertEquals(g.dropoutMasks(), back.dropoutMasks(), "the reload replays the same mask sites");
    assertEquals(want, back.output(x), "reloaded: the same outputs");
    Path exported = dir.resolve("merged.sdz");
    back.exportMerged(exported);
    assertTrue(want.equalsWithEps(mergedOutput(SameDiff.load(exported.toFile(), false), x), 1e-4),
        "the merged export predicts as the adapted graph");
  }

  @Test
  void twoRunsFromTheSameStateAreIdenticalAndTheMasksAct() {
    Map<String, float[]> a = shortRun(0.25);
    Map<String, float[]> b = shortRun(0.25);
    Map<String, float[]> none = shortRun(0);
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name + ": same seeds, same masks, same training");
    }
    assertFalse(Arrays.equals(a.get("w1.lora_A"), none.get("w1.lora_A")), "dropout changes what A learns");
  }

  /** 8 batches of the MLP whose logits are a product's own output; checks the output is the dropout sum. */
  private static Map<String, float[]> shortRun(double p) {
    AdaptedGraph g = GraphAdapter.of(mlpWithoutOutputBias()).seeded(5, InitSpec.DEFAULT).adapter(dropout(4, p))
        .classifier("logits", 10).apply();
    g.fit(new DatasetIterator(GraphAdapterTest.train.head(256), 32, 1), 1,
        AdaptedGraph.FitOptions.defaults().withLearningRate(2e-2));
    INDArray x = GraphAdapterTest.batch();
    INDArray merged = mergedOutput(g.merged(), x);
    assertTrue(g.output(x).equalsWithEps(merged, 1e-4), "logits carry the low-rank part (p=" + p + ")");
    Map<String, float[]> t = g.trainedTensors();
    float[] b2 = t.get("w2.lora_B");
    assertFalse(Arrays.equals(b2, new float[b2.length]), "the loss reads the renamed sum, so w2's B trains");
    return t;
  }

  @Test
  void masksFollowAnActivationWhoseBatchDimensionIsFolded() {
    // each 8x8 digit as 8 rows of 8: the product sees [N*8, 8], so the mask's first dimension is 8 per example
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 8, 8);
    Backbone bb = Backbone.regenerate(3, List.of(TensorSpec.of("w", new int[] {8, 10}, InitSpec.DEFAULT)));
    SDVariable w = sd.var("w", NdArrays.of(bb.get("w"), 8, 10));
    sd.mmul(x.reshape(-1, 8), w).reshape(-1, 8, 10).mean(1).rename("logits");
    AdaptedGraph g = GraphAdapter.of(sd).targets(TargetRule.names("w")).adapter(dropout(2, 0.2))
        .classifier("logits", 10).apply();
    g.fit(new DatasetIterator(GraphAdapterTest.train.head(96), 32, 1, 8, 8), 1,
        AdaptedGraph.FitOptions.defaults().withLearningRate(2e-2));
    float[] b = g.trainedTensors().get("w.lora_B");
    assertFalse(Arrays.equals(b, new float[b.length]), "B trains through the masked path");
    INDArray in = GraphAdapterTest.batch().reshape(16, 8, 8);
    assertTrue(g.output(in).equalsWithEps(g.merged().output(Map.of("input", in), "logits").get("logits"), 1e-4));
  }

  @Test
  void dropoutOnATargetFeedingAnotherOpIsRefusedNamingIt() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 8);
    SDVariable w = sd.var("w", Nd4j.ones(DataType.FLOAT, 8, 4));
    x.mmul(w).add(w.mean(0)).rename("logits");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphAdapter.of(sd).targets(TargetRule.names("w")).adapter(dropout(2, 0.1)).classifier("logits", 4)
            .apply());
    assertTrue(e.getMessage().contains("target 'w' also feeds op 'reduce_mean'"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
    // without dropout the same target is fine: the weight-space rewrite covers any consumer
    GraphAdapter.of(sd).targets(TargetRule.names("w")).adapter(dropout(2, 0)).classifier("logits", 4).apply();
  }
}
