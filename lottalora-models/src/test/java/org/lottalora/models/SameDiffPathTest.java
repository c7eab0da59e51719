package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;
import org.lottalora.models.mlp.MlpFamily;

/** Graphs the dense engine cannot run train through SameDiff's own fit, with the same reporting. */
class SameDiffPathTest {
  @Test
  void nonDenseGraphsTrainThroughSameDiff() {
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {32}, 0.0, 1, InitSpec.DEFAULT,
        AdapterConfig.defaults(4), false);
    MlpFamily family = new MlpFamily() {
      @Override
      public ModelGraph build(ModelSpec s, Backbone b, Map<String, float[]> trained) {
        return super.buildMarked(s, b, trained);
      }
    };
    Backbone bb = Backbone.regenerate(spec.seed(), family.backboneTensors(spec));
    ModelGraph g = family.build(spec, bb, Map.of());
    assertNull(g.densePlan(), "marked graphs have no dense plan");
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults()).normalized();
    TrainReport r = new Trainer(new TrainConfig(8, 64, 1e-2, 1e-2, 0, true, 0, 0), Progress.silent()).fit(g, d);
    assertNull(r.failure());
    assertEquals(8, r.epochs().size());
    assertTrue(r.epochs().get(7).loss() < r.epochs().get(0).loss(), "loss falls");
    assertTrue(r.testAccuracy() > 0.8, "accuracy " + r.testAccuracy());
    assertTrue(r.betas().get("layers.0") != 1.0f, "beta trained");
  }
}
