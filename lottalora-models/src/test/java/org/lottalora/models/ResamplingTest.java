package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.StochasticBlockModel;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.Resampling;
import org.lottalora.core.train.ScaffoldSchedule;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GcnTrainer;
import org.lottalora.models.transformer.ByteCorpus;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmTrainer;

/**
 * Scaffold resampling on the one loop, for the engine families: under a {@link Resampling} scope of schedule
 * {@code epoch} each epoch (the LM: each interval) trains on another scaffold, under {@code cycle:K} each step averages
 * the gradients of K scaffolds, under {@code subbatch:K} part j of each batch goes through scaffold j; the adapters
 * differ from a fixed run's, and the network ends on its own scaffold 0 (a fresh network built from the seed and the
 * trained arrays predicts the same bits); a full-batch family refuses subbatch in one line.
 */
class ResamplingTest {
  private static final Graph G = StochasticBlockModel.generate(new StochasticBlockModel.Params(300, 3, 0.06, 0.006,
      8, 2.0), 5);
  private static final GcnNetwork.Spec SPEC = new GcnNetwork.Spec(8, new int[] {16}, 3, 3, InitSpec.parse("normal"),
      AdapterConfig.defaults(2), false);
  private static final GcnTrainer.Config CONFIG = new GcnTrainer.Config(12, 0.01, 5e-4, 0.3, 0.2, 1);

  private static float[][] features() {
    float[][] x = new float[G.nodes()][G.dims()];
    for (int i = 0; i < G.nodes(); i++) {
      x[i] = Arrays.copyOfRange(G.features(), i * G.dims(), (i + 1) * G.dims());
    }
    return x;
  }

  @Test
  void aGcnResampledPerEpochLearnsOtherAdaptersAndEndsOnItsOwnScaffold() {
    GcnNetwork fixed = new GcnNetwork(SPEC, G);
    GcnTrainer.train(fixed, G, CONFIG, Progress.silent());
    GcnNetwork resampled = new GcnNetwork(SPEC, G);
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("epoch"))) {
      GcnTrainer.train(resampled, G, CONFIG, Progress.silent());
    }
    Map<String, float[]> a = fixed.trained();
    Map<String, float[]> b = resampled.trained();
    assertFalse(Arrays.equals(a.get("gcn.0.lora_B"), b.get("gcn.0.lora_B")), "other scaffolds, other adapters");
    float[][] trainedNet = resampled.forward(features());
    float[][] rebuilt = new GcnNetwork(SPEC, G, GcnTrainer.copy(b)).forward(features());
    for (int i = 0; i < trainedNet.length; i++) {
      assertArrayEquals(trainedNet[i], rebuilt[i], "node " + i + ": the network is back on scaffold 0");
    }
    GcnNetwork again = new GcnNetwork(SPEC, G);
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("epoch"))) {
      GcnTrainer.train(again, G, CONFIG, Progress.silent());
    }
    assertArrayEquals(b.get("gcn.0.lora_B"), again.trained().get("gcn.0.lora_B"), "reproducible");
  }

  @Test
  void cycleAveragesTheGradientsOfKScaffoldsAndSubbatchNeedsBatchesToSplit() {
    GcnNetwork fixed = new GcnNetwork(SPEC, G);
    GcnTrainer.train(fixed, G, CONFIG, Progress.silent());
    GcnNetwork cycled = new GcnNetwork(SPEC, G);
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("cycle:2"))) {
      GcnTrainer.train(cycled, G, CONFIG, Progress.silent());
    }
    assertFalse(Arrays.equals(fixed.trained().get("gcn.0.lora_B"), cycled.trained().get("gcn.0.lora_B")));
    float[][] trainedNet = cycled.forward(features());
    float[][] rebuilt = new GcnNetwork(SPEC, G, GcnTrainer.copy(cycled.trained())).forward(features());
    for (int i = 0; i < trainedNet.length; i++) {
      assertArrayEquals(trainedNet[i], rebuilt[i], "node " + i + ": back on scaffold 0");
    }
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("subbatch:2"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GcnTrainer.train(new GcnNetwork(SPEC, G), G, CONFIG, Progress.silent()));
      assertTrue(e.getMessage().contains("subbatch:2") && e.getMessage().contains("one full batch")
          && e.getMessage().contains("cycle:2"), e.getMessage());
    }
  }

  @Test
  void subbatchSplitsTheLmsBatchesOverScaffoldsAndEndsOnItsOwn() {
    ByteCorpus c = ByteCorpus.of("And God said, Let there be light: and there was light. ".repeat(40)
        .getBytes(StandardCharsets.UTF_8), "light", 0.1);
    ByteLm.Spec spec = new ByteLm.Spec(16, 2, 1, 24, 32, 3, InitSpec.DEFAULT,
        new AdapterConfig(2, 4.0, false, true, 0, false, 1), false);
    LmTrainer.Config cfg = new LmTrainer.Config(8, 4, 16, 0.02, 4, 0, 9);
    ByteLm fixed = new ByteLm(spec);
    LmTrainer.train(fixed, c, cfg, Progress.silent());
    ByteLm split = new ByteLm(spec);
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("subbatch:2"))) {
      LmTrainer.train(split, c, cfg, Progress.silent());
    }
    int[] probe = ByteCorpus.tokens(c.validation(), 0, 16);
    assertFalse(Arrays.equals(fixed.nextTokenDistribution(probe), split.nextTokenDistribution(probe)),
        "half of each batch went through scaffold 1");
    ByteLm rebuilt = new ByteLm(spec);
    rebuilt.restore(split.trained());
    assertArrayEquals(split.nextTokenDistribution(probe), rebuilt.nextTokenDistribution(probe), "back on 0");
  }

  @Test
  void theLmResamplesPerIntervalAndEndsOnItsOwnScaffold() {
    ByteCorpus c = ByteCorpus.of("In the beginning God created the heaven and the earth. ".repeat(40)
        .getBytes(StandardCharsets.UTF_8), "light", 0.1);
    ByteLm.Spec spec = new ByteLm.Spec(16, 2, 1, 24, 32, 3, InitSpec.DEFAULT,
        new AdapterConfig(2, 4.0, false, true, 0, false, 1), false);
    LmTrainer.Config cfg = new LmTrainer.Config(12, 2, 16, 0.02, 4, 0, 9);
    ByteLm fixed = new ByteLm(spec);
    LmTrainer.train(fixed, c, cfg, Progress.silent());
    ByteLm resampled = new ByteLm(spec);
    try (Resampling r = Resampling.open(ScaffoldSchedule.parse("epoch"))) {
      LmTrainer.train(resampled, c, cfg, Progress.silent());
    }
    int[] probe = ByteCorpus.tokens(c.validation(), 0, 16);
    assertFalse(Arrays.equals(fixed.nextTokenDistribution(probe), resampled.nextTokenDistribution(probe)));
    ByteLm rebuilt = new ByteLm(spec);
    rebuilt.restore(resampled.trained());
    assertArrayEquals(resampled.nextTokenDistribution(probe), rebuilt.nextTokenDistribution(probe),
        "back on scaffold 0");
  }
}
