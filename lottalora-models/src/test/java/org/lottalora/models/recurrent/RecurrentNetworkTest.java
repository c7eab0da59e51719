package org.lottalora.models.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.QuietStdout;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written recurrent engine (issue 5): backpropagation through time for the CfC and the LSTM with adapters,
 * ragged lengths, irregular time gaps and class weights agrees with central finite differences; its CfC computes
 * exactly what the SameDiff {@link CfcCell} (the former family, kept in the tests as the oracle) computes for the
 * same seed and trained values, logits and the gradient of every trained tensor; padding steps do not
 * change a sequence's output; DoRA on every matrix starts at the scaffold, and with DoRA, a residual state update and
 * a LayerNorm on the state the gradients still agree with finite differences and the CfC still equals SameDiff's.
 */
class RecurrentNetworkTest {
  private static SequenceSet irregular(int n, int steps, int features) {
    double[] u = new double[n * steps * (features + 1)];
    new Stream(3, "seq").uniforms(0, u, u.length);
    float[][][] x = new float[n][steps][features];
    float[][] dt = new float[n][steps];
    int[] len = new int[n];
    int[] lab = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      len[i] = steps - i % 3;
      lab[i] = i % 3 == 0 ? 1 : 0;
      for (int t = 0; t < steps; t++) {
        for (int f = 0; f < features; f++) {
          x[i][t][f] = (float) (2 * u[k++] - 1);
        }
        dt[i][t] = t == 0 ? 0f : (float) (0.2 + 2 * u[k++]);
      }
    }
    return new SequenceSet("test", x, dt, len, lab, 2);
  }

  private static void checkGradients(String cell, boolean dora) {
    SequenceSet s = irregular(5, 6, 3);
    RecurrentNetwork net = new RecurrentNetwork(new RecurrentNetwork.Spec(cell, 3, 4, 5, 2, 2, InitSpec.parse("normal"),
        new AdapterConfig(2, 2.0, false, true, 0, false, 1).withVariants(dora, dora, dora), false), Map.of());
    Map<String, float[]> t = net.trained();
    int salt = 0;
    for (Map.Entry<String, float[]> e : t.entrySet()) {
      if (e.getKey().endsWith("lora_B")) {
        float[] b = e.getValue();
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) Math.sin(7 * salt + i) * 0.4f;
        }
        salt++;
      }
      if (e.getKey().endsWith("dora_m")) {
        float[] m = e.getValue();
        for (int i = 0; i < m.length; i++) {
          m[i] *= 0.7f + 0.1f * (i % 5);
        }
      }
    }
    net.restore(t);
    int[] idx = {0, 1, 2, 3, 4};
    float[] weights = {1f, 3f};
    net.backward(s, idx, weights);
    Map<String, float[]> grads = new java.util.LinkedHashMap<>();
    net.gradients().forEach((k, v) -> grads.put(k, v.clone()));
    double eps = 1e-3;
    int checked = 0;
    for (Map.Entry<String, float[]> e : net.trained().entrySet()) {
      float[] v = e.getValue();
      for (int k : new int[] {0, v.length / 2, v.length - 1}) {
        float orig = v[k];
        v[k] = (float) (orig + eps);
        net.restore(net.trained());
        double up = net.backward(s, idx, weights);
        v[k] = (float) (orig - eps);
        net.restore(net.trained());
        double down = net.backward(s, idx, weights);
        v[k] = orig;
        net.restore(net.trained());
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, grads.get(e.getKey())[k], 3e-4 + 0.02 * Math.abs(fd), cell + " " + e.getKey() + "[" + k + "]");
        checked++;
      }
    }
    int mats = cell.equals("cfc") ? 5 : 4;
    assertEquals(3 * ((dora ? 4 : 3) * mats + 2 + (dora ? 2 : 0)), checked,
        "A, B, beta (and DoRA's m) of every matrix, the head (and the state's LayerNorm)");
  }

  @Test
  void cfcGradientsMatchFiniteDifferences() {
    checkGradients("cfc", false);
    checkGradients("cfc", true);
  }

  @Test
  void lstmGradientsMatchFiniteDifferences() {
    checkGradients("lstm", false);
    checkGradients("lstm", true);
  }

  @Test
  void doraStartsAtTheScaffold() {
    SequenceSet s = irregular(4, 5, 3);
    int[] idx = {0, 1, 2, 3};
    RecurrentNetwork.Spec plain = new RecurrentNetwork.Spec("cfc", 3, 4, 5, 2, 2, InitSpec.parse("normal"),
        AdapterConfig.defaults(2), false);
    RecurrentNetwork.Spec dora = new RecurrentNetwork.Spec("cfc", 3, 4, 5, 2, 2, InitSpec.parse("normal"),
        AdapterConfig.defaults(2).withVariants(true, false, false), false);
    float[][] a = new RecurrentNetwork(plain, Map.of()).logits(s, idx);
    float[][] b = new RecurrentNetwork(dora, Map.of()).logits(s, idx);
    for (int r = 0; r < idx.length; r++) {
      for (int c = 0; c < 2; c++) {
        assertEquals(a[r][c], b[r][c], 1e-5, "B = 0, beta = 1, m = ||W||: DoRA's weight is the scaffold");
      }
    }
  }

  @Test
  void cfcEqualsTheSameDiffCellAndPaddingChangesNothing() {
    sameAsSameDiff(AdapterConfig.defaults(4));
  }

  @Test
  void withDoraResidualAndLayerNormTheCfcStillEqualsTheSameDiffCell() {
    sameAsSameDiff(AdapterConfig.defaults(4).withVariants(true, true, true));
  }

  private static void sameAsSameDiff(AdapterConfig ac) {
    Dataset d = Datasets.digits().head(20);
    ModelSpec ms = new ModelSpec("cfc", 64, 10, new int[] {12, 10}, 0, 9, InitSpec.parse("normal"), ac, false);
    CfcFamily oracle = new CfcFamily(); // the former SameDiff family, now only in the tests
    ModelGraph[] holder = new ModelGraph[1];
    QuietStdout.run(() -> holder[0] = oracle.build(ms, Backbone.regenerate(ms.seed(), oracle.backboneTensors(ms)),
        Map.of()), "Added differentiated op");
    ModelGraph graph = holder[0];
    Map<String, float[]> values = graph.trainedValues();
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      if (e.getKey().endsWith("lora_B")) {
        float[] b = e.getValue();
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) Math.cos(i + e.getKey().length()) * 0.3f;
        }
      }
      if (e.getKey().endsWith("ln.gain") || e.getKey().endsWith("dora_m")) {
        float[] g = e.getValue();
        for (int i = 0; i < g.length; i++) {
          g[i] *= 0.8f + 0.05f * (i % 7);
        }
      }
    }
    graph.setTrainedValues(values);
    float[] sameDiff = graph.probabilities(d.features(), d.rows());
    RecurrentNetwork net = new RecurrentNetwork(new RecurrentNetwork.Spec("cfc", 8, 12, 10, 10, 9,
        InitSpec.parse("normal"), ac, false), values);
    assertEquals(values.keySet(), net.trained().keySet(), "the engine trains exactly the SameDiff family's tensors");
    SequenceSet s = SequenceSet.ofImages(d, "digits");
    int[] idx = new int[d.rows()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    float[][] logits = net.logits(s, idx);
    for (int r = 0; r < d.rows(); r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float v : logits[r]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (float v : logits[r]) {
        sum += Math.exp(v - max);
      }
      for (int c = 0; c < 10; c++) {
        assertEquals(sameDiff[r * 10 + c], Math.exp(logits[r][c] - max) / sum, 2e-5, "row " + r + " class " + c);
      }
    }
    // the same sequences padded with 3 junk steps, lengths unchanged: same logits
    float[][][] x = new float[s.size()][11][];
    float[][] dt = new float[s.size()][11];
    for (int i = 0; i < s.size(); i++) {
      for (int t = 0; t < 11; t++) {
        x[i][t] = t < 8 ? s.x()[i][t] : new float[] {9, 9, 9, 9, 9, 9, 9, 9};
        dt[i][t] = t < 8 ? 1f : 5f;
      }
    }
    SequenceSet padded = new SequenceSet("padded", x, dt, s.lengths(), s.labels(), 10);
    float[][] again = net.logits(padded, idx);
    for (int r = 0; r < idx.length; r++) {
      for (int c = 0; c < 10; c++) {
        assertEquals(logits[r][c], again[r][c], 0f, "padding is masked");
      }
    }
    assertTrue(net.trainableFraction() < 1);
    // gradients of the mean cross-entropy: SameDiff's autodiff against the engine's BPTT, tensor by tensor
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, Nd4j.create(d.features(), new long[] {d.rows(), 64}));
    float[] oneHot = new float[d.rows() * 10];
    for (int r = 0; r < d.rows(); r++) {
      oneHot[r * 10 + d.labels()[r]] = 1f;
    }
    ph.put(GraphBuilder.LABELS, Nd4j.create(oneHot, new long[] {d.rows(), 10}));
    List<String> names = new ArrayList<>(values.keySet());
    Map<String, INDArray> sdGrads = new HashMap<>();
    QuietStdout.run(() -> sdGrads.putAll(graph.sameDiff().calculateGradients(ph, names)), "Added differentiated op");
    net.backward(s, idx, null);
    Map<String, float[]> engine = net.gradients();
    int compared = 0;
    for (TrainedTensor t : graph.trained()) {
      INDArray ga = sdGrads.get(t.name());
      float[] want = NdArrays.read(t.transposed() ? ga.transpose() : ga);
      float[] got = engine.get(t.name());
      assertEquals(want.length, got.length, t.name());
      double scale = 0;
      for (float v : want) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-6 + 1e-3 * scale, "d loss / d " + t.name() + "[" + i + "]");
      }
      compared++;
    }
    assertEquals(values.size(), compared, "every trained tensor's gradient compared");
  }
}
