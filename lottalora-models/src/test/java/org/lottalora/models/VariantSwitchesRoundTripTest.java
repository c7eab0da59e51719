package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GraphData;
import org.lottalora.models.graph.GraphModel;
import org.lottalora.models.recurrent.IrregularSeries;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.recurrent.SequenceSet;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.TextClassifier;
import org.lottalora.models.transformer.TextModel;
import org.lottalora.models.transformer.Vit;
import org.lottalora.models.transformer.VitModel;

/**
 * Every family that accepts the DoRA / residual / LayerNorm switches saves them and its normal loader
 * ({@link AnyModel#load}) rebuilds the same model: the trained arrays are moved off their initial values first (at
 * its start DoRA computes what plain LoRA does), so a switch dropped on the way would change the predictions.
 */
class VariantSwitchesRoundTripTest {
  @TempDir
  Path dir;

  /** Every trained array moved by a small deterministic amount, so DoRA's magnitudes and B no longer sit at init. */
  private static Map<String, float[]> moved(Map<String, float[]> trained) {
    Map<String, float[]> out = new HashMap<>();
    trained.forEach((k, v) -> {
      float[] c = v.clone();
      for (int i = 0; i < c.length; i++) {
        c[i] += (float) (0.05 * Math.sin(1.7 * i + k.length()));
      }
      out.put(k, c);
    });
    return out;
  }

  private Object reload(Path p) {
    return AnyModel.load(p, TrustPolicy.NONE);
  }

  private static AdapterConfig dora() {
    return new AdapterConfig(2, 2.0, false, true, 0, false, 1).withVariants(true, false, false);
  }

  @Test
  void aDoraVitSavedFromJavaReloads() {
    Vit vit = new Vit(new Vit.Spec(4, 2, 8, 2, 2, 12, 3, 5, InitSpec.DEFAULT, dora(), Targets.of(false, true)));
    assertTrue(vit.trained().keySet().stream().anyMatch(n -> n.endsWith(".dora_m")));
    vit.restore(moved(vit.trained()));
    VitModel m = new VitModel(vit, "synthetic", 0, 0, new Normalization(0f, 1f));
    Path p = dir.resolve("vit.lotta");
    m.save(p, null, DType.FLOAT32, null);
    assertTrue(ArtifactCodec.read(p).getAdapter().getDora(), "the switch is recorded");
    VitModel back = (VitModel) reload(p);
    assertTrue(back.vit().spec().adapter().dora());
    float[][] images = {new float[16], new float[16]};
    for (int i = 0; i < 16; i++) {
      images[0][i] = i / 16f;
      images[1][i] = (float) Math.cos(i);
    }
    float[][] want = m.probabilities(images);
    float[][] got = back.probabilities(images);
    for (int i = 0; i < want.length; i++) {
      assertArrayEquals(want[i], got[i], 0f);
    }
  }

  @Test
  void aDoraTextEncoderReloads() {
    TextClassifier tc = new TextClassifier(new TextClassifier.Spec(10, 8, 2, 2, 12, 3, 4, InitSpec.DEFAULT, dora(),
        Targets.of(false, true)));
    tc.restore(moved(tc.trained()));
    TextModel m = new TextModel(tc, List.of("a", "b", "c"), "inline", 0, true);
    Path p = dir.resolve("text.lotta");
    m.save(p, null, DType.FLOAT32, null);
    TextModel back = (TextModel) reload(p);
    assertTrue(back.model().spec().adapter().dora());
    assertEquals(m.classify("hello there"), back.classify("hello there"));
  }

  @Test
  void aDoraByteLmReloads() {
    ByteLm lm = new ByteLm(new ByteLm.Spec(8, 2, 2, 12, 24, 5, InitSpec.parse("normal"), dora(), false));
    lm.restore(moved(lm.trained()));
    LmModel m = new LmModel(lm, "custom", "inline", 0.1, 16, Double.NaN);
    Path p = dir.resolve("lm.lotta");
    m.save(p, null, DType.FLOAT32, null);
    LmModel back = (LmModel) reload(p);
    assertTrue(back.lm().spec().adapter().dora());
    assertArrayEquals(m.nextByte("abc"), back.nextByte("abc"), 0f);
  }

  @Test
  void theTransformersRefuseResidualAndLayerNormWhenBuilt() {
    AdapterConfig res = AdapterConfig.defaults(2).withVariants(false, true, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Vit.Spec(4, 2, 8, 2, 2, 12,
        3, 5, InitSpec.DEFAULT, res, Targets.of(false, true)));
    assertTrue(e.getMessage().contains("--residual does not apply to a ViT"), e.getMessage());
    AdapterConfig ln = AdapterConfig.defaults(2).withVariants(false, false, true);
    e = assertThrows(IllegalArgumentException.class, () -> new TextClassifier.Spec(10, 8, 2, 2, 12, 3, 4,
        InitSpec.DEFAULT, ln, Targets.of(false, true)));
    assertTrue(e.getMessage().contains("--layer-norm does not apply to a text encoder"), e.getMessage());
    // the byte LM refuses them when it is built, as the encoders do
    e = assertThrows(IllegalArgumentException.class,
        () -> new ByteLm.Spec(8, 2, 1, 12, 16, 5, InitSpec.parse("normal"), res, false));
    assertTrue(e.getMessage().contains("--residual does not apply to a byte LM"), e.getMessage());
  }

  @Test
  void gcnAndGinWithEverySwitchReload() {
    AdapterConfig all = new AdapterConfig(2, 2.0, false, true, 0, false, 1).withVariants(true, true, true);
    GraphData sbm = GraphData.parse("sbm:nodes=80,blocks=2,dims=6,seed=3");
    GraphModel gcn = GraphModel.create(new GraphModel.Setup("gcn", new GcnNetwork.Spec(6, new int[] {6, 6}, 2, 4,
        InitSpec.parse("normal"), all, false), sbm.text(), 1, 0.5, 0.2));
    gcn.train(sbm, 3, 0.05, 0, 1, Progress.silent());
    Path p = dir.resolve("gcn.lotta");
    gcn.save(p, null, null);
    GraphModel back = (GraphModel) reload(p);
    assertEquals(all, back.setup().spec().adapter());
    float[][] want = gcn.nodeProbabilities(sbm.node());
    float[][] got = back.nodeProbabilities(sbm.node());
    for (int i = 0; i < want.length; i++) {
      assertArrayEquals(want[i], got[i], 0f);
    }
    GraphData syn = GraphData.parse("synthetic:count=40,min=5,max=8,seed=2");
    GraphModel gin = GraphModel.create(new GraphModel.Setup("gin", new GcnNetwork.Spec(syn.dims(),
        new int[] {6, 6}, 2, 4, InitSpec.parse("normal"), all, false), syn.text(), 1, 0.5, 0.2));
    gin.train(syn, 2, 0.05, 0, 8, Progress.silent());
    Path q = dir.resolve("gin.lotta");
    gin.save(q, null, null);
    GraphModel ginBack = (GraphModel) reload(q);
    assertEquals(all, ginBack.setup().spec().adapter());
    assertArrayEquals(gin.graphProbabilities(syn.set().graphs().get(0)),
        ginBack.graphProbabilities(syn.set().graphs().get(0)), 0f);
  }

  @Test
  void aRecurrentModelWithEverySwitchReloads() {
    AdapterConfig all = new AdapterConfig(2, 2.0, false, true, 0, false, 1).withVariants(true, true, true);
    RecurrentNetwork net = new RecurrentNetwork(new RecurrentNetwork.Spec("cfc", 1, 4, 5, 2, 2,
        InitSpec.parse("normal"), all, false), Map.of());
    net.restore(moved(net.trained()));
    RecurrentModel m = new RecurrentModel(net, "irregular", 0, 0, true, 0, new float[] {0f}, new float[] {1f});
    Path p = dir.resolve("seq.lotta");
    m.save(p, null, null);
    RecurrentModel back = (RecurrentModel) reload(p);
    assertEquals(all, back.network().spec().adapter());
    SequenceSet s = IrregularSeries.generate(10, 0.5, 4);
    float[][] want = m.probabilities(s);
    float[][] got = back.probabilities(s);
    for (int i = 0; i < want.length; i++) {
      assertArrayEquals(want[i], got[i], 0f);
    }
  }

  @Test
  void anMlpFromTrainWithEverySwitchReloads() {
    DataSplits digits = Datasets.load("digits", Datasets.Options.defaults());
    AdapterConfig all = new AdapterConfig(4, 1.0, false, true, 0, false, 2).withVariants(true, true, true);
    LottaModel m = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {32, 32}, 0, 5, InitSpec.DEFAULT, all,
        false));
    TrainConfig one = new TrainConfig(1, 64, 1e-2, 1e-2, 0, true, 0, 0);
    assertTrue(m.train(digits, one, Progress.silent()).failure() == null);
    Path p = dir.resolve("mlp.lotta");
    m.save(p, "digits", one, 0, null, 1);
    Artifact a = ArtifactCodec.read(p);
    assertTrue(a.getAdapter().getDora() && a.getAdapter().getResidual() && a.getAdapter().getLayerNorm());
    LottaModel back = (LottaModel) reload(p);
    assertEquals(all, back.spec().adapter());
    assertArrayEquals(m.classify(digits.test()), back.classify(digits.test()));
    float[] raw = java.util.Arrays.copyOf(digits.test().features(), 64);
    assertArrayEquals(m.predict(raw), back.predict(raw), 0f);
    assertFalse(m.graph().trainedValues().isEmpty());
  }
}
