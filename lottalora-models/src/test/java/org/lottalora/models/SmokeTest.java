package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;

class SmokeTest {
  @Test
  void trainsDigits() {
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults());
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {128, 64}, 0.0, 1, InitSpec.DEFAULT,
        AdapterConfig.defaults(8), false);
    LottaModel m = LottaModel.create(spec);
    long t = System.nanoTime();
    TrainReport r = m.train(d, new TrainConfig(10, 64, 3e-3, 1e-2, 0, true, 0, 0), new Progress(System.out, false));
    System.out.println(r + " " + (System.nanoTime() - t) / 1e9);
    assertTrue(r.testAccuracy() > 0.8);
  }
}
