package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;

/**
 * The byte-level LM: gradients of the embedding, adapters, betas and norm gains against finite differences;
 * KV-cached generation gives exactly the tokens of uncached generation (greedy and sampled); a few Adam steps
 * on adapters lower the loss on a text; a prompt longer than the context and an empty prompt are refused.
 */
class ByteLmTest {
  private static ByteLm tiny() {
    return new ByteLm(new ByteLm.Spec(8, 2, 2, 12, 24, 5, InitSpec.parse("normal"),
        new AdapterConfig(2, 2.0, false, true, 0, false, 1), false));
  }

  private static int[] bytes(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int[] t = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      t[i] = b[i] & 0xff;
    }
    return t;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ByteLm lm = tiny();
    for (Param p : lm.params()) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.2f * (float) Math.sin(i + p.name.length());
        }
      }
    }
    lm.refresh();
    int[] tokens = bytes("in the begin");
    lm.backward(tokens);
    double eps = 1e-3;
    int checked = 0;
    for (Param p : lm.params()) {
      float[] g = p.g.clone();
      int[] at = p.name.equals("tok.embedding") ? new int[] {'i' * 8, 'n' * 8 + 3, 'b' * 8 + 7}
          : new int[] {0, p.v.length - 1};
      for (int k : at) {
        float orig = p.v[k];
        p.v[k] = (float) (orig + eps);
        lm.refresh();
        double up = lm.backward(tokens);
        p.v[k] = (float) (orig - eps);
        lm.refresh();
        double down = lm.backward(tokens);
        p.v[k] = orig;
        lm.refresh();
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, g[k], 5e-4 + 0.03 * Math.abs(fd), p.name + "[" + k + "]");
        checked++;
      }
    }
    assertTrue(checked > 40, "embedding, adapters, betas and gains of both blocks: " + checked);
  }

  @Test
  void cachedGenerationEqualsUncachedAndTheContextIsEnforced() {
    ByteLm lm = tiny();
    int[] prompt = bytes("Gen");
    assertArrayEquals(lm.generate(prompt, 10, 0, 0, 1, false), lm.generate(prompt, 10, 0, 0, 1, true), "greedy");
    int[] a = lm.generate(prompt, 12, 0.9, 40, 3, false);
    int[] b = lm.generate(prompt, 12, 0.9, 40, 3, true);
    assertArrayEquals(a, b, "sampled with the same seed");
    assertArrayEquals(a, lm.generate(prompt, 12, 0.9, 40, 3, true), "reproducible for a seed");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> lm.generate(bytes("this prompt is far too long"), 1, 0, 0, 1, true));
    assertTrue(e.getMessage().contains("context of 24"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> lm.generate(new int[0], 1, 0, 0, 1, true));
  }

  // a batch of 8 x 128 bytes at width 64: its projections are split into chunks of rows (Gemm), its norms and
  // attention over rows and heads; with two threads the loss and every gradient keep their one-thread bits
  @Test
  void oneAndTwoThreadsGiveTheSameBits() {
    ByteLm lm = new ByteLm(new ByteLm.Spec(64, 4, 2, 128, 128, 5, InitSpec.parse("normal"),
        new AdapterConfig(4, 2.0, false, true, 0, false, 1), false));
    int[] text = bytes("In the beginning God created the heaven and the earth. And the earth was without form, and "
        + "void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters.");
    int[][] batch = new int[8][128];
    for (int s = 0; s < 8; s++) {
      for (int i = 0; i < 128; i++) {
        batch[s][i] = text[(s * 17 + i) % text.length];
      }
    }
    int before = org.lottalora.core.util.Threads.applied();
    double[] loss = new double[2];
    float[][][] g = new float[2][][];
    try {
      for (int t = 1; t <= 2; t++) {
        org.lottalora.core.util.Threads.apply(t);
        loss[t - 1] = lm.backward(batch);
        g[t - 1] = grads(lm);
      }
    } finally {
      org.lottalora.core.util.Threads.apply(Math.max(1, before));
    }
    assertEquals(loss[0], loss[1], 0.0, "loss");
    for (int p = 0; p < g[0].length; p++) {
      assertArrayEquals(g[0][p], g[1][p], lm.params().get(p).name);
    }
  }

  @Test
  void adapterStepsLowerTheLoss() {
    ByteLm lm = tiny();
    int[] tokens = bytes("and god said let there be");
    tokens = java.util.Arrays.copyOf(tokens, 24);
    double first = lm.backward(tokens);
    double last = first;
    for (int step = 1; step <= 30; step++) {
      Adam.step(lm.params(), 0.01, 0, step);
      lm.refresh();
      last = lm.backward(tokens);
    }
    assertTrue(last < first - 0.5, "30 steps on one text: " + first + " -> " + last);
  }

  @Test
  void aBatchIsTheMeanOfItsSequences() {
    ByteLm lm = tiny();
    int[] a = java.util.Arrays.copyOf(bytes("in the beginning god"), 16);
    int[] b = java.util.Arrays.copyOf(bytes("and the earth was w"), 16);
    double la = lm.backward(a);
    float[][] ga = grads(lm);
    double lb = lm.backward(b);
    float[][] gb = grads(lm);
    double both = lm.backward(new int[][] {a, b});
    float[][] g = grads(lm);
    assertEquals((la + lb) / 2, both, 1e-5);
    assertEquals(both, lm.loss(new int[][] {a, b}), 1e-6);
    for (int p = 0; p < g.length; p++) {
      for (int i = 0; i < g[p].length; i++) {
        assertEquals((ga[p][i] + gb[p][i]) / 2, g[p][i], 1e-5, lm.params().get(p).name + "[" + i + "]");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> lm.loss(new int[][] {a, java.util.Arrays.copyOf(b, 8)}));
  }

  private static float[][] grads(ByteLm lm) {
    return lm.params().stream().map(p -> p.g.clone()).toArray(float[][]::new);
  }

  @Test
  void restoredValuesPredictTheSameAndStrangersAreRefused() {
    ByteLm lm = tiny();
    int[] t = java.util.Arrays.copyOf(bytes("let there be light"), 16);
    for (int step = 1; step <= 3; step++) {
      lm.backward(t);
      Adam.step(lm.params(), 0.01, 0, step);
      lm.refresh();
    }
    ByteLm fresh = tiny();
    fresh.restore(lm.trained());
    assertArrayEquals(lm.nextTokenDistribution(t), fresh.nextTokenDistribution(t));
    assertThrows(IllegalArgumentException.class, () -> fresh.restore(java.util.Map.of("nope", new float[1])));
    assertThrows(IllegalArgumentException.class, () -> fresh.restore(java.util.Map.of("tok.embedding", new float[3])));
    assertEquals(2, fresh.shapeOf("blocks.0.attn.q.lora_A")[0]);
    assertEquals(8, fresh.shapeOf("blocks.0.attn.q.lora_A")[1]);
  }
}
