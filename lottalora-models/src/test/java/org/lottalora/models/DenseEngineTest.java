package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.DenseEngine;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hand-written dense engine computes the same logits and gradients as SameDiff's autodiff. */
class DenseEngineTest {

  @ParameterizedTest(name = "full={0} beta={1} trainBias={2} dropout={3} adapterDropout={4}")
  @CsvSource({"false,true,false,0,0", "false,false,true,0,0", "true,true,false,0,0", "false,true,false,0.3,0.2",
      "true,true,false,0.5,0"})
  void gradientsMatchSameDiff(boolean full, boolean beta, boolean trainBias, double dropout, double adapterDropout) {
    ModelSpec spec = new ModelSpec("mlp", 12, 5, new int[] {9, 7}, dropout, 3, InitSpec.DEFAULT,
        new AdapterConfig(3, 2.0, false, beta, adapterDropout, trainBias, 4), full);
    ModelGraph g = LottaModel.create(spec).graph();
    // move B and beta off their init so every gradient term is exercised
    Map<String, float[]> vals = g.trainedValues();
    vals.replaceAll((k, v) -> {
      float[] w = v.clone();
      for (int i = 0; i < w.length; i++) {
        w[i] += (float) (0.1 * Math.sin(i + k.length()));
      }
      return w;
    });
    g.setTrainedValues(vals);
    int n = 6;
    INDArray x = Nd4j.rand(DataType.FLOAT, n, 12).subi(0.5);
    int[] labels = {0, 1, 2, 3, 4, 1};
    float[] oneHot = new float[n * 5];
    for (int i = 0; i < n; i++) {
      oneHot[i * 5 + labels[i]] = 1;
    }
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, x);
    ph.put(GraphBuilder.LABELS, NdArrays.of(oneHot, n, 5));
    Map<String, INDArray> masks = new HashMap<>();
    for (GraphBuilder.DropoutSite d : g.dropouts()) {
      INDArray m = Nd4j.rand(DataType.FLOAT, n, d.width()).gt(d.rate()).castTo(DataType.FLOAT).muli(1 / (1 - d.rate()));
      masks.put(d.placeholder(), m);
      ph.put(d.placeholder(), m);
    }
    DenseEngine e = new DenseEngine(g);
    INDArray logits = e.forward(x, masks).dup();
    INDArray sdLogits = g.sameDiff().output(ph, GraphBuilder.LOGITS).get(GraphBuilder.LOGITS);
    assertClose(sdLogits, logits, "logits");
    e.step(x, labels, masks);
    String[] names = e.gradients().keySet().toArray(new String[0]);
    Map<String, INDArray> sdGrads = g.sameDiff().calculateGradients(ph, names);
    assertTrue(names.length >= (full ? 6 : 4));
    for (String name : names) {
      assertClose(sdGrads.get(name), e.gradients().get(name), name);
    }
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    float[] a = NdArrays.read(expected.reshape(expected.length()));
    float[] b = NdArrays.read(actual.reshape(actual.length()));
    assertEquals(a.length, b.length, what + " length");
    double scale = 1e-6;
    for (float v : a) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-4 * scale, what + "[" + i + "]");
    }
  }
}
