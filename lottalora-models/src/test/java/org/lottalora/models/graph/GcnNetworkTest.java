package org.lottalora.models.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.StochasticBlockModel;
import org.lottalora.core.train.Progress;

/**
 * The hand-written GCN with adapters (issue 5 groundwork): gradients of every trained array agree with central
 * finite differences (with DoRA, residual and LayerNorm too), and it learns a stochastic block model whose features
 * alone are too noisy.
 */
class GcnNetworkTest {
  private static float[][] features(Graph g) {
    float[][] x = new float[g.nodes()][g.dims()];
    for (int i = 0; i < g.nodes(); i++) {
      System.arraycopy(g.features(), i * g.dims(), x[i], 0, g.dims());
    }
    return x;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    checkGradients(new AdapterConfig(2, 2.0, false, true, 0, false, 1), new int[] {7, 6}, 24);
  }

  @Test
  void gradientsWithDoraResidualAndLayerNormMatchFiniteDifferences() {
    // A, B, beta, m of both layers, two LayerNorms' gain and bias, the head: 14 arrays, 3 points each
    checkGradients(new AdapterConfig(2, 2.0, false, true, 0, false, 1).withVariants(true, true, true),
        new int[] {7, 7}, 42);
  }

  private static void checkGradients(AdapterConfig ac, int[] hidden, int expected) {
    Graph g = StochasticBlockModel.generate(new StochasticBlockModel.Params(40, 3, 0.3, 0.05, 5, 1.0), 2);
    GcnNetwork net = new GcnNetwork(new GcnNetwork.Spec(5, hidden, 3, 4, InitSpec.parse("normal"), ac, false), g);
    Map<String, float[]> t = net.trained();
    float[] b0 = t.get("gcn.0.lora_B");
    for (int i = 0; i < b0.length; i++) {
      b0[i] = (float) Math.sin(i + 1) * 0.3f;
    }
    float[] b1 = t.get("gcn.1.lora_B");
    for (int i = 0; i < b1.length; i++) {
      b1[i] = (float) Math.cos(i + 1) * 0.3f;
    }
    t.get("gcn.0.beta")[0] = 0.8f;
    boolean[] mask = new boolean[g.nodes()];
    for (int i = 0; i < mask.length; i += 2) {
      mask[i] = true;
    }
    float[][] x = features(g);
    net.backward(net.forward(x), g.labels(), mask);
    Map<String, float[]> grads = new java.util.LinkedHashMap<>();
    net.gradients().forEach((k, v) -> grads.put(k, v.clone()));
    double eps = 5e-4; // LayerNorm and DoRA curve the loss: a wider step's central difference is off by ~4%
    int checked = 0;
    int kinks = 0;
    for (Map.Entry<String, float[]> e : t.entrySet()) {
      float[] v = e.getValue();
      for (int k : new int[] {0, v.length / 2, v.length - 1}) {
        float orig = v[k];
        v[k] = (float) (orig + eps);
        double up = net.backward(net.forward(x), g.labels(), mask);
        v[k] = (float) (orig - eps);
        double down = net.backward(net.forward(x), g.labels(), mask);
        v[k] = orig;
        double here = net.backward(net.forward(x), g.labels(), mask);
        double fd = (up - down) / (2 * eps);
        if (Math.abs((up - here) - (here - down)) / eps > 2e-3 + 0.05 * Math.abs(fd)) {
          kinks++; // a ReLU switches inside [-eps, eps]: the one-sided slopes differ, no derivative to compare
          continue;
        }
        assertEquals(fd, grads.get(e.getKey())[k], 2e-4 + 0.02 * Math.abs(fd), e.getKey() + "[" + k + "]");
        checked++;
      }
    }
    assertEquals(expected, checked + kinks, "every trained array, three points each");
    assertTrue(kinks <= 3, kinks + " of " + expected + " points sit on a ReLU switch");
  }

  @Test
  void learnsABlockModelThroughItsEdges() {
    Graph g = StochasticBlockModel.generate(new StochasticBlockModel.Params(600, 4, 0.05, 0.004, 16, 3.0), 7);
    GcnTrainer.Config c = new GcnTrainer.Config(120, 0.01, 5e-4, 0.2, 0.2, 1);
    GcnNetwork lora = new GcnNetwork(new GcnNetwork.Spec(16, new int[] {32}, 4, 3, InitSpec.parse("normal"),
        AdapterConfig.defaults(4), false), g);
    GcnTrainer.Report r = GcnTrainer.train(lora, g, c, Progress.silent());
    assertTrue(r.testAccuracy() > 0.85, "rank 4 over a random scaffold: " + r);
    assertTrue(r.trainableFraction() < 0.5, "adapters train a fraction: " + r.trainableFraction());
    GcnNetwork noEdges = new GcnNetwork(new GcnNetwork.Spec(16, new int[] {32}, 4, 3, InitSpec.parse("normal"),
        AdapterConfig.defaults(4), false), Graph.of("no edges", g.nodes(), new int[0], new int[0], g.features(),
        g.dims(), g.labels(), g.classes()));
    GcnTrainer.Report alone = GcnTrainer.train(noEdges, g, c, Progress.silent());
    assertTrue(r.testAccuracy() > alone.testAccuracy() + 0.1, "the edges carry the signal: " + r.testAccuracy()
        + " vs features alone " + alone.testAccuracy());
    // rank 4 over a hidden width of 3: capped at min(4, 16, 3) = 3 (AdapterConfig.effectiveRank), and it trains
    GcnNetwork narrow = new GcnNetwork(new GcnNetwork.Spec(16, new int[] {3}, 4, 1, InitSpec.parse("normal"),
        AdapterConfig.defaults(4), false), g);
    assertEquals(3 * 16, narrow.trained().get("gcn.0.lora_A").length);
    assertEquals(3 * 3, narrow.trained().get("gcn.0.lora_B").length);
    GcnTrainer.Report n = GcnTrainer.train(narrow, g, new GcnTrainer.Config(5, 0.01, 5e-4, 0.2, 0.2, 1),
        Progress.silent());
    assertTrue(Double.isFinite(n.testAccuracy()), "a capped rank trains: " + n);
  }
}
