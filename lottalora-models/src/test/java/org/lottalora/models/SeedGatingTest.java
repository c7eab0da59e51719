package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;

/** Seed gating on digits: the seed selects the task the shared adapters perform. */
class SeedGatingTest {
  static final List<int[]> SUBSETS = List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5, 6}, new int[] {7, 8, 9});

  @Test
  void eachSeedPerformsItsOwnSubsetsTask() {
    DataSplits digits = Datasets.load("digits", Datasets.Options.defaults());
    ModelSpec base = new ModelSpec("mlp", 64, 10, new int[] {64, 32}, 0, 4, InitSpec.DEFAULT,
        AdapterConfig.defaults(8), false);
    LottaModel m = LottaModel.create(SeedGating.spec(base, 10));
    SeedGating.Result r = SeedGating.run(m, digits, SUBSETS, new TrainConfig(8, 32, 1e-2, 1e-2, 0, true, 0, 1),
        Progress.silent());
    assertEquals(10, r.outOfClass());
    assertEquals(4, r.seeds()[0], "s1 is the model's own seed");
    for (int i = 0; i < 3; i++) {
      assertTrue(r.accuracy()[i] > 0.6, "seed " + i + ": " + r.accuracy()[i]);
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          assertTrue(r.crossAccuracy()[i][i] > r.crossAccuracy()[i][j] + 0.1,
              "scaffold " + i + " does its own task better than task " + j + ": " + r.crossAccuracy()[i][i] + " vs "
                  + r.crossAccuracy()[i][j]);
        }
      }
    }
  }

  @Test
  void badSubsetsAreRefused() {
    DataSplits digits = Datasets.load("digits", Datasets.Options.defaults());
    ModelSpec base = new ModelSpec("mlp", 64, 10, new int[] {16}, 0, 4, InitSpec.DEFAULT, AdapterConfig.defaults(2),
        false);
    TrainConfig tc = new TrainConfig(1, 32, 1e-2, 0, 0, true, 0, 1);
    assertThrows(IllegalArgumentException.class, () -> SeedGating.run(LottaModel.create(SeedGating.spec(base, 10)),
        digits, List.of(new int[] {0, 1}, new int[] {1, 2}), tc, Progress.silent()));
    assertThrows(IllegalArgumentException.class, () -> SeedGating.run(LottaModel.create(SeedGating.spec(base, 10)),
        digits, List.of(new int[] {0, 1}, new int[] {12}), tc, Progress.silent()));
    assertThrows(IllegalArgumentException.class, () -> SeedGating.run(LottaModel.create(SeedGating.spec(base, 10)),
        digits, List.of(new int[] {0, 1}), tc, Progress.silent()));
  }
}
