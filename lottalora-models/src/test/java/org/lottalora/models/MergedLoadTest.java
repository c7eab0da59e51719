package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.proto.Artifact;

/**
 * The graph-free merged load ({@link MergedModel#load}) gives the same model as loading with its graph and merging
 * ({@code LottaModel.load(path).merged()}): every merged weight and bias bit for bit, the same probabilities, for
 * every dense variant (LoRA, rsLoRA, trained bias, fixed beta, adapter dropout, full training, a rank capped by the
 * layer, other scaffold families); each family's graph-free plan equals its graph's plan; lying and damaged files
 * are refused as the graph load refuses them; models without a merged form are refused with one line.
 */
class MergedLoadTest {
  @TempDir
  static Path dir;
  static DataSplits digits;
  static final TrainConfig QUICK = new TrainConfig(2, 64, 1e-2, 1e-2, 0, true, 0, 3);

  @BeforeAll
  static void data() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("linear", new int[] {32}, new AdapterConfig(2, 1.0, false, true, 0, false, 1), false, 0.0,
            "orthogonal"),
        Arguments.of("mlp", new int[] {48, 24}, new AdapterConfig(4, 2.0, true, true, 0.1, true, 9), false, 0.2,
            "kaiming_uniform"),
        Arguments.of("mlp", new int[] {40}, new AdapterConfig(3, 1.0, false, false, 0, false, 2), false, 0.0,
            "student_t"),
        Arguments.of("mlp", new int[] {80, 6}, AdapterConfig.defaults(16), false, 0.0, "normal"), // rank capped at 6
        Arguments.of("mlp", new int[] {40, 20}, AdapterConfig.defaults(1), true, 0.0, "normal"),
        // wide enough that the load regenerates and folds a weight in many chunks on every thread (2048 x 1500)
        Arguments.of("mlp", new int[] {2048, 1500}, AdapterConfig.defaults(4), false, 0.0, "kaiming_normal"));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void equalsTheGraphLoadMergedBitForBit(String family, int[] widths, AdapterConfig ac, boolean full, double dropout,
      String init) {
    ModelSpec spec = new ModelSpec(family, 64, 10, widths, dropout, 3, InitSpec.parse(init), ac, full);
    LottaModel m = LottaModel.create(spec);
    m.train(digits, QUICK, org.lottalora.core.train.Progress.silent());
    Path p = dir.resolve(family + "-" + String.join("x", java.util.Arrays.stream(widths).mapToObj(
        Integer::toString).toList()) + "-" + full + "-" + init + ".lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), LottaModel.SaveOptions.defaults());

    assertEquals(m.graph().densePlan(), Families.get(family).densePlan(spec), "the family's plan without a graph");
    MergedModel viaGraph = LottaModel.load(p).merged();
    MergedModel graphFree = MergedModel.load(p);
    Map<String, float[]> expected = viaGraph.state();
    Map<String, float[]> got = graphFree.state();
    assertEquals(expected.keySet(), got.keySet());
    expected.forEach((k, v) -> assertArrayEquals(v, got.get(k), 0f, k));
    float[][] rows = new float[20][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = java.util.Arrays.copyOfRange(digits.test().features(), i * 64, (i + 1) * 64);
    }
    float[][] a = viaGraph.predict(rows);
    float[][] b = graphFree.predict(rows);
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(a[i], b[i], 0f, "row " + i);
    }
    assertEquals(m.accuracy(digits.test()), graphFree.accuracy(digits.test()), 0.01,
        "the merged model predicts as the trained one within float rounding");
  }

  @Test
  void refusesALyingFingerprintAndAForeignTensor() throws Exception {
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {32, 16}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), false);
    LottaModel m = LottaModel.create(spec);
    Path p = dir.resolve("honest.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), LottaModel.SaveOptions.defaults());
    Artifact a = ArtifactCodec.read(p);
    int last = a.getBackbone().getTensorsCount() - 1;
    Artifact lying = a.toBuilder().setBackbone(a.getBackbone().toBuilder().setTensors(last, a.getBackbone()
        .getTensors(last).toBuilder().setFingerprint(ByteString.copyFrom(new byte[32])))).build();
    Path lie = dir.resolve("lying.lotta");
    ArtifactCodec.write(lying, lie);
    ArtifactException e = assertThrows(ArtifactException.class, () -> MergedModel.load(lie));
    assertEquals(ArtifactException.Reason.FINGERPRINT_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains(a.getBackbone().getTensors(last).getName()), e.getMessage());

    Artifact extra = a.toBuilder().addTensors(a.getTensors(0).toBuilder().setName("stranger")).build();
    Path ex = dir.resolve("extra.lotta");
    ArtifactCodec.write(extra, ex);
    ArtifactException e2 = assertThrows(ArtifactException.class, () -> MergedModel.load(ex));
    assertTrue(e2.getMessage().contains("stranger"), e2.getMessage());
    ArtifactException e3 = assertThrows(ArtifactException.class, () -> LottaModel.load(ex));
    assertEquals(e3.reason(), e2.reason(), "the graph load refuses it for the same reason");
  }

  @Test
  void aSignedArtifactLoadsGraphFreeOnlyUnderItsKey() {
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {24}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), false);
    LottaModel m = LottaModel.create(spec);
    var keys = org.lottalora.format.Signing.generate();
    Path p = dir.resolve("signed.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), new LottaModel.SaveOptions(
        org.lottalora.format.proto.DType.FLOAT32, keys.getPrivate(), true));
    MergedModel back = MergedModel.load(p, org.lottalora.format.TrustPolicy.of(keys.getPublic()));
    assertArrayEquals(m.merged().classify(digits.test()), back.classify(digits.test()));
    ArtifactException e = assertThrows(ArtifactException.class, () -> MergedModel.load(p,
        org.lottalora.format.TrustPolicy.of(org.lottalora.format.Signing.generate().getPublic())));
    assertEquals(ArtifactException.Reason.WRONG_KEY, e.reason());
  }

  @Test
  void refusesAModelWithoutAMergedFormWithOneLine() {
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {32}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(2).withVariants(true, false, false), false);
    LottaModel m = LottaModel.create(spec);
    Path p = dir.resolve("dora.lotta");
    m.save(p, m.provenance("digits", QUICK, 0, null, 1), LottaModel.SaveOptions.defaults());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergedModel.load(p));
    assertTrue(e.getMessage().contains("LottaModel.load") && !e.getMessage().contains("\n"), e.getMessage());
    assertEquals(null, Families.get("mlp").densePlan(spec));
  }

  @Test
  void aDenseBuiltModelPredictsAsTheArtifactItCameFrom() {
    ModelSpec spec = new ModelSpec("mlp", 64, 10, new int[] {24, 12}, 0, 5, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), false);
    LottaModel m = LottaModel.create(spec);
    m.train(digits, QUICK, org.lottalora.core.train.Progress.silent());
    MergedModel merged = m.merged();
    List<MergedModel.DenseLayer> layers = new ArrayList<>(merged.layers());
    MergedModel rebuilt = MergedModel.ofDense(64, 10, m.normalization(), layers);
    assertArrayEquals(merged.classify(digits.test()), rebuilt.classify(digits.test()));
    layers.remove(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MergedModel.ofDense(64, 10, m.normalization(), layers));
    assertTrue(e.getMessage().contains("does not chain"), e.getMessage());
    assertEquals(Backbone.GENERATOR_ID, "philox4x64-10/v1");
  }
}
