package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.Dataset;
import org.lottalora.format.TrustPolicy;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adapters on models exported from PyTorch (the fixtures of make_fixtures.py, imported by {@link OnnxImport}):
 * after wrapping only A, B, beta and the named weights train, the merged export predicts as the wrapped model,
 * and the artifact reloads (seed base from itself, pretrained base from the ONNX file).
 */
class OnnxAdaptTest {
  static final Path DIR = Path.of("src/test/resources/onnx");

  @BeforeAll
  static void data() {
    GraphAdapterTest.data();
  }

  static Path fixture(String name) {
    return DIR.resolve(name + ".onnx");
  }

  static INDArray rows(Dataset d, int n, long... example) {
    long[] shape = example.length == 0 ? new long[] {d.cols()} : example;
    long[] full = new long[shape.length + 1];
    full[0] = n;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return Nd4j.create(Arrays.copyOf(d.features(), n * d.cols()), full, 'c');
  }

  static double accuracy(AdaptedGraph g, long... shape) {
    Dataset t = GraphAdapterTest.test;
    int[] c = g.classify(rows(t, t.rows(), shape));
    int ok = 0;
    for (int i = 0; i < c.length; i++) {
      ok += c[i] == t.labels()[i] ? 1 : 0;
    }
    return ok / (double) c.length;
  }

  /** Trains, then checks what changed, the merged export and a reload. */
  static AdaptedGraph trainAndCheck(AdaptedGraph g, Path dir, SameDiff base, int epochs, double lr, long... shape)
      throws Exception {
    Map<String, INDArray> frozen = GraphAdapterTest.constants(g.sameDiff());
    Map<String, float[]> start = g.trainedTensors();
    g.fit(new DatasetIterator(GraphAdapterTest.train, 32, 3, shape), epochs,
        AdaptedGraph.FitOptions.defaults().withLearningRate(lr));
    for (Map.Entry<String, INDArray> e : frozen.entrySet()) {
      assertEquals(e.getValue(), g.sameDiff().getVariable(e.getKey()).getArr(), e.getKey() + " must stay frozen");
    }
    Map<String, float[]> end = g.trainedTensors();
    for (String name : start.keySet()) {
      assertFalse(Arrays.equals(start.get(name), end.get(name)), name + " must train");
    }
    INDArray x = rows(GraphAdapterTest.test, 16, shape);
    INDArray want = g.output(x);
    Path exported = dir.resolve("merged.sdz");
    g.exportMerged(exported);
    SameDiff plain = SameDiff.load(exported.toFile(), false);
    assertTrue(want.equalsWithEps(plain.output(Map.of(g.spec().inputs().get(0), x), g.spec().output())
        .get(g.spec().output()), 1e-4), "the merged export predicts as the wrapped model");
    Path file = dir.resolve("m.lotta");
    g.save(file);
    AdaptedGraph back = GraphArtifacts.load(file, TrustPolicy.NONE, base);
    assertEquals(want, back.output(x), "reloaded: the same outputs");
    return g;
  }

  @Test
  void mlpInLottaLoraModeLearnsDigitsOverASeededScaffold(@TempDir Path dir) throws Exception {
    SameDiff sd = OnnxImport.load(fixture("mlp"));
    AdaptedGraph g = GraphAdapter.of(sd).seeded(21, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(4))
        .trainable("fc2.bias").classifier("logits", 10).apply();
    assertEquals(List.of("fc1.weight", "fc2.weight"), g.spec().targets().stream().map(AdaptedTarget::variable)
        .toList());
    assertFalse(g.spec().targets().get(0).transposed(), "ONNX Gemm (transB = 1) stores [d_out, d_in]");
    trainAndCheck(g, dir, null, 15, 2e-2);
    double acc = accuracy(g);
    assertTrue(acc > 0.85, "accuracy " + acc);
  }

  @Test
  void cnnFineTunesItsDenseLayerWithThePretrainedConvolutionFrozen(@TempDir Path dir) throws Exception {
    SameDiff sd = OnnxImport.load(fixture("cnn"));
    AdaptedGraph g = GraphAdapter.of(sd).adapter(AdapterConfig.defaults(4)).classifier("logits", 10).apply();
    assertEquals(1, g.spec().targets().size());
    trainAndCheck(g, dir, OnnxImport.load(fixture("cnn")), 4, 1e-2, 1, 8, 8);
  }

  @Test
  void attentionProjectionsTakeAdaptersAndTheHeadTrainsInFull(@TempDir Path dir) throws Exception {
    SameDiff sd = OnnxImport.load(fixture("attention"));
    AdaptedGraph g = GraphAdapter.of(sd).targets(TargetRule.parse("q.weight,k.weight,v.weight,o.weight"))
        .trainable("head.*").seeded(5, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(2))
        .classifier("logits", 10).apply();
    assertEquals(4, g.spec().targets().size());
    trainAndCheck(g, dir, null, 4, 1e-2, 4, 16);
  }
}
