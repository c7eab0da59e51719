package org.lottalora.models.conversion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.models.LottaModel;

/**
 * Conversion of a small Plain-N CNN (adapters on the kernels, BatchNorm with stored running statistics, a stride-2
 * stage, global average pooling) and of its fully trained twin: with BatchNorm and the input normalisation folded
 * into the kernels and pooling into the head, the ReLU network classifies as the SameDiff model does, and its
 * spiking twin comes close to it.
 */
class CnnConversionTest {
  @Test
  void foldedCnnMatchesTheModelAndItsSpikingTwinComesClose() {
    DataSplits digits = Datasets.load("digits", Datasets.Options.defaults()).limit(800);
    for (boolean full : new boolean[] {false, true}) {
      LottaModel cnn = LottaModel.create(new ModelSpec("cnn", 64, 10, new int[] {8, 8, 16}, 0.0, 5, InitSpec.DEFAULT,
          new AdapterConfig(4, 1.0, false, true, 0.0, false, 2), full));
      cnn.train(digits, new TrainConfig(4, 32, 1e-2, 1e-2, 1, true, 0, 4), Progress.silent());
      int[] model = cnn.classify(digits.test());
      int[] folded = AnnToSnn.reluNetwork(cnn).classify(digits.test());
      int same = 0;
      for (int i = 0; i < model.length; i++) {
        same += model[i] == folded[i] ? 1 : 0;
      }
      assertTrue(same >= model.length - 2, (full ? "full" : "adapters") + ": folded network agrees on " + same
          + " of " + model.length);
      double ann = cnn.accuracy(digits.test());
      SimulationResult r = AnnToSnn.convert(cnn, digits.train(), ConversionConfig.defaults())
          .simulate(digits.test(), new int[] {50, 300}, 2);
      assertTrue(ann > 0.5, "the CNN learned digits: " + ann);
      assertTrue(r.accuracyAt(300) >= ann - 0.05, "SNN at 300 steps " + r.accuracyAt(300) + " vs ANN " + ann);
    }
  }
}
