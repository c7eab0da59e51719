package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.QuietStdout;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.proto.Artifact;
import org.lottalora.models.recurrent.CfcFamily;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentTrainer;
import org.lottalora.models.recurrent.SequenceData;

/**
 * CfC artifacts written by the former SameDiff family {@code cfc} (an mlp config, widths hidden,units, the scaffold
 * records of the cell only, a scalar pixel normalization) still load, now onto the recurrent engine: a tiny model is
 * trained and saved here exactly as the old {@code lottalora train --family cfc} did (the SameDiff graph of the
 * oracle family, {@link Trainer}, {@link ArtifactMapper#toProto}), and {@link RecurrentModel#load} and
 * {@link AnyModel#load} give the same probabilities as the SameDiff graph; {@link LottaModel#load} names the loader.
 */
class LegacyCfcArtifactTest {
  @TempDir
  Path dir;

  @Test
  void plainAdaptersLoadOntoTheEngineAndPredictTheSame() {
    check(new AdapterConfig(4, 1.0, false, true, 0, false, 1), "plain.lotta");
  }

  @Test
  void doraResidualAndLayerNormLoadOntoTheEngineAndPredictTheSame() {
    check(new AdapterConfig(4, 1.0, false, true, 0, false, 1).withVariants(true, true, true), "variants.lotta");
  }

  private void check(AdapterConfig ac, String name) {
    DataSplits data = Datasets.load("digits", new Datasets.Options(null, false, 0)).limit(200);
    ModelSpec ms = new ModelSpec("cfc", 64, 10, new int[] {8, 6}, 0, 5, InitSpec.parse("normal"), ac, false);
    CfcFamily fam = new CfcFamily();
    Backbone bb = Backbone.regenerate(ms.seed(), fam.backboneTensors(ms));
    ModelGraph[] g = new ModelGraph[1];
    TrainReport[] r = new TrainReport[1];
    TrainConfig tc = new TrainConfig(1, 32, 2e-2, 1e-2, 0, true, 0, 0);
    QuietStdout.run(() -> {
      g[0] = fam.build(ms, bb, Map.of());
      r[0] = new Trainer(tc, Progress.silent()).fit(g[0], data.normalized());
    }, "Added differentiated op");
    assertTrue(g[0].trainedValues().entrySet().stream().filter(e -> e.getKey().endsWith("lora_B"))
        .anyMatch(e -> e.getValue()[0] != 0f), "the adapters moved: the check is not trivial");
    LottaModel.Provenance p = new LottaModel.Provenance("digits", tc, 0L, r[0], 1,
        ArtifactMapper.datasetHash(data.train()), data.train().rows());
    Artifact a = ArtifactMapper.toProto(ms, bb, g[0], p, data.normalization(), LottaModel.SaveOptions.defaults());
    Path f = dir.resolve(name);
    ArtifactCodec.write(a, f, null);

    int rows = data.test().rows();
    float[] sameDiff = g[0].probabilities(data.normalized().test().features(), rows);
    assertTrue(RecurrentModel.isRecurrent(a));
    assertFalse(AnyModel.isLottaModel(ArtifactCodec.open(f)));
    assertInstanceOf(RecurrentModel.class, AnyModel.load(ArtifactCodec.open(f), f.toString()));
    RecurrentModel m = RecurrentModel.load(f);
    float[][] engine = m.probabilitiesOfRows(data.test().features(), rows); // raw pixels: the model normalises
    int sameClass = 0;
    int right = 0;
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < 10; c++) {
        assertEquals(sameDiff[i * 10 + c], engine[i][c], 2e-5, "row " + i + " class " + c);
      }
      int sd = argMax(sameDiff, i * 10);
      sameClass += sd == argMax(engine[i], 0) ? 1 : 0;
      right += sd == data.test().labels()[i] ? 1 : 0;
    }
    assertEquals(rows, sameClass, "the same class for every test image");
    // the provenance gives back the same data: eval on the recorded dataset, split seed and rows scores the same
    SequenceData again = SequenceData.load(m.data(), m.splitSeed(), m.maxTrain(), false, false, null);
    assertEquals(right / (double) rows, RecurrentTrainer.evaluate(m.network(), again.test()).accuracy(), 1e-12);

    ArtifactException refused = assertThrows(ArtifactException.class, () -> LottaModel.load(f));
    assertTrue(refused.getMessage().contains("RecurrentModel.load"), refused.getMessage());
    IllegalArgumentException noGraph = assertThrows(IllegalArgumentException.class, () -> Families.get("cfc"));
    assertTrue(noGraph.getMessage().contains("lottalora train --family cfc"), noGraph.getMessage());
    assertFalse(Families.all().containsKey("cfc"));
  }

  private static int argMax(float[] p, int from) {
    int best = 0;
    for (int k = 1; k < 10; k++) {
      best = p[from + k] > p[from + best] ? k : best;
    }
    return best;
  }
}
