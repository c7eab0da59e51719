package org.lottalora.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.train.QuietStdout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The adapted convolution (issue 5 groundwork): the kernel it uses is {@code beta W + s reshape(B A)} with A's
 * columns in (in, ky, kx) order, checked against a convolution computed by hand; gradients of A, B and beta agree
 * with central finite differences; DoRA on top starts at the scaffold, is invariant to beta while B = 0, and its
 * gradients (A, B, beta, magnitude) agree with finite differences too.
 */
class ConvAdapterTest {
  private static final int IN = 2;
  private static final int OUT = 3;
  private static final int K = 3;
  private static final int H = 5;
  private static final int R = 2;
  private static final int BATCH = 2;

  private static float[] draw(String name, int n, double amp) {
    double[] u = new double[n];
    new Stream(5, name).uniforms(0, u, n);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (amp * (2 * u[i] - 1));
    }
    return f;
  }

  private static ModelGraph graph(int stride, int pad, AdapterConfig ac) {
    return graph(stride, pad, ac, false);
  }

  private static ModelGraph graph(int stride, int pad, AdapterConfig ac, boolean dora) {
    Backbone bb = Backbone.regenerate(3, List.of(TensorSpec.of("conv.weight", new int[] {OUT, IN, K, K},
        InitSpec.parse("kaiming_uniform"))), 1);
    GraphBuilder g = new GraphBuilder(bb, ac, false, Map.of());
    SDVariable x = g.input(IN * H * H).reshape(-1, IN, H, H);
    SDVariable y = g.adaptedConv2d("conv", x, IN, OUT, K, stride, pad, dora);
    int side = (H + 2 * pad - K) / stride + 1;
    SDVariable flat = y.reshape(-1, OUT * side * side);
    flat.getSameDiff().identity("conv_out", flat);
    int f = OUT * side * side;
    return g.finish(g.trainedLinear("head", flat, f, 2, draw("hw", 2 * f, 0.3), new float[2]), 2);
  }

  /**
   * Asserts that SameDiff's gradients of {@code vars} (first, middle and last element of each) agree with central
   * finite differences of the loss; returns the gradients.
   */
  private static Map<String, INDArray> checkGradients(SameDiff sd, Map<String, INDArray> ph, List<String> vars) {
    Map<String, INDArray> g = sd.calculateGradients(ph, vars);
    double eps = 1e-2;
    for (String v : vars) {
      INDArray p = sd.getArrForVarName(v);
      for (long k : new long[] {0, p.length() / 2, p.length() - 1}) {
        float orig = p.getFloat(k);
        p.putScalar(k, orig + eps);
        double up = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig - eps);
        double down = sd.output(ph, GraphBuilder.LOSS).get(GraphBuilder.LOSS).getDouble(0);
        p.putScalar(k, orig);
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, g.get(v).getDouble(k), 1e-3 + 0.02 * Math.abs(fd), "d loss / d " + v + "[" + k + "]");
      }
    }
    return g;
  }

  @Test
  void kernelIsBetaWPlusReshapedBaAndGradientsMatchFiniteDifferences() {
    ModelGraph[] holder = new ModelGraph[1];
    QuietStdout.run(() -> holder[0] = graph(1, 1, new AdapterConfig(R, 2.0, false, true, 0, false, 1)),
        "Added differentiated op");
    ModelGraph mg = holder[0];
    assertNull(mg.densePlan(), "convolutions train through SameDiff, not the dense engine");
    SameDiff sd = mg.sameDiff();
    float[] b = draw("B", OUT * R, 0.5);
    sd.getArrForVarName("conv.lora_B").assign(Nd4j.create(b, new long[] {OUT, R}));
    sd.getArrForVarName("conv.beta").assign(0.7);
    float[] a = sd.getArrForVarName("conv.lora_A").dup().data().asFloat();
    float[] w = Backbone.regenerate(3, List.of(TensorSpec.of("conv.weight", new int[] {OUT, IN, K, K},
        InitSpec.parse("kaiming_uniform"))), 1).get("conv.weight");
    float[] xs = draw("x", BATCH * IN * H * H, 1.0);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, Nd4j.create(xs, new long[] {BATCH, IN * H * H}));
    ph.put(GraphBuilder.LABELS, Nd4j.create(new float[] {1, 0, 0, 1}, new long[] {BATCH, 2}));
    INDArray out = sd.output(ph, "conv_out").get("conv_out");
    // by hand: kernel[o][i][ky][kx] = 0.7 W + 2/R * sum_r B[o][r] A[r][(i K + ky) K + kx], stride 1, pad 1
    for (int n = 0; n < BATCH; n++) {
      for (int o = 0; o < OUT; o++) {
        for (int py = 0; py < H; py++) {
          for (int px = 0; px < H; px++) {
            double v = 0;
            for (int i = 0; i < IN; i++) {
              for (int ky = 0; ky < K; ky++) {
                for (int kx = 0; kx < K; kx++) {
                  int yy = py + ky - 1;
                  int xx = px + kx - 1;
                  if (yy < 0 || yy >= H || xx < 0 || xx >= H) {
                    continue;
                  }
                  int col = (i * K + ky) * K + kx;
                  double kern = 0.7 * w[((o * IN + i) * K + ky) * K + kx];
                  for (int q = 0; q < R; q++) {
                    kern += 2.0 / R * b[o * R + q] * a[q * IN * K * K + col];
                  }
                  v += kern * xs[((n * IN + i) * H + yy) * H + xx];
                }
              }
            }
            assertEquals(v, out.getDouble(n, (o * H + py) * H + px), 1e-4, "output " + n + "," + o + "," + py + ","
                + px);
          }
        }
      }
    }
    Map<String, INDArray> g = checkGradients(sd, ph, List.of("conv.lora_A", "conv.lora_B", "conv.beta"));
    assertTrue(Math.abs(g.get("conv.lora_B").getDouble(0)) > 1e-6, "the check is not vacuous");
  }

  @Test
  void doraStartsAtTheScaffoldAndItsGradientsMatchFiniteDifferences() {
    ModelGraph[] holder = new ModelGraph[2];
    QuietStdout.run(() -> {
      holder[0] = graph(1, 1, AdapterConfig.defaults(R), true);
      holder[1] = graph(1, 1, AdapterConfig.defaults(R), false);
    }, "Added differentiated op");
    SameDiff sd = holder[0].sameDiff();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(GraphBuilder.INPUT, Nd4j.create(draw("x", BATCH * IN * H * H, 1.0), new long[] {BATCH, IN * H * H}));
    ph.put(GraphBuilder.LABELS, Nd4j.create(new float[] {0, 1, 1, 0}, new long[] {BATCH, 2}));
    INDArray dora0 = sd.output(ph, "conv_out").get("conv_out");
    INDArray plain0 = holder[1].sameDiff().output(ph, "conv_out").get("conv_out");
    assertEquals(0, dora0.sub(plain0).norm2Number().doubleValue(), 1e-4,
        "B = 0, beta = 1 and m = ||W||: DoRA starts exactly at the scaffold");
    double betaGrad = sd.calculateGradients(ph, List.of("conv.beta")).get("conv.beta").getDouble(0);
    assertEquals(0, betaGrad, 1e-5, "with B = 0 the direction beta W / ||beta W|| does not depend on beta");
    sd.getArrForVarName("conv.lora_B").assign(Nd4j.create(draw("B", OUT * R, 0.5), new long[] {OUT, R}));
    sd.getArrForVarName("conv.beta").assign(1.3);
    sd.getArrForVarName("conv.dora_m").muli(0.8);
    List<String> vars = List.of("conv.lora_A", "conv.lora_B", "conv.beta", "conv.dora_m");
    checkGradients(sd, ph, vars);
  }

  @Test
  void strideShrinksTheOutputAndARankAboveTheKernelIsCapped() {
    ModelGraph[] holder = new ModelGraph[1];
    QuietStdout.run(() -> holder[0] = graph(2, 0, AdapterConfig.defaults(1)), "Added differentiated op");
    Map<String, INDArray> ph = Map.of(GraphBuilder.INPUT, Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1,
        IN * H * H));
    assertEquals(OUT * 2 * 2, holder[0].sameDiff().output(ph, "conv_out").get("conv_out").length(),
        "(5 - 3) / 2 + 1 = 2 per side");
    ModelGraph capped = graph(1, 1, AdapterConfig.defaults(4));
    TrainedTensor a = capped.trained().stream().filter(t -> t.name().equals("conv.lora_A")).findFirst().orElseThrow();
    assertEquals(List.of(3L, (long) IN * K * K), java.util.Arrays.stream(a.shape()).boxed().toList(),
        "rank 4 on a 3-output kernel is capped at min(out, in k k) = 3");
  }
}
