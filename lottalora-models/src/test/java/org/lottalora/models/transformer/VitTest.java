package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Attention;
import org.lottalora.core.engine.MatrixMode;
import org.lottalora.core.engine.Param;

/**
 * The ViT: every trained array's gradient (patch embedding, class token, positions, LayerNorms, adapters on the six
 * matrices of each block, betas, head) against central finite differences, with and without adapters on the MLP;
 * LayerNorm's own gradient and the padding mask of the encoder's attention; a patch that does not divide the image
 * is refused.
 */
class VitTest {
  private static Vit tiny(boolean full, boolean adaptMlp) {
    return new Vit(new Vit.Spec(4, 2, 8, 2, 2, 12, 3, 5, InitSpec.DEFAULT,
        new AdapterConfig(2, 2.0, false, true, 0, false, 1), Targets.of(full, adaptMlp)));
  }

  private static float[][] images(int n) {
    Random r = new Random(3);
    float[][] x = new float[n][16];
    for (float[] row : x) {
      for (int j = 0; j < 16; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    return x;
  }

  private static void check(Vit vit) {
    for (Param p : vit.params()) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.3f * (float) Math.sin(i + p.name.length());
        }
      }
    }
    vit.refresh();
    float[][] x = images(3);
    int[] y = {0, 2, 1};
    vit.backward(x, y);
    int checked = Gradients.checkParams(vit.params(), p -> new int[] {0, p.v.length / 2, p.v.length - 1},
        vit::refresh, () -> vit.backward(x, y), 1e-3, 5e-4, 0.03);
    assertEquals(3 * vit.params().size(), checked, "three values of every trained array");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    check(tiny(false, true));
    check(tiny(false, false));
    check(tiny(true, true));
    Vit mixed = new Vit(new Vit.Spec(4, 2, 8, 2, 2, 12, 3, 5, InitSpec.DEFAULT, AdapterConfig.defaults(2),
        new Targets(MatrixMode.FROZEN, MatrixMode.FULL)));
    assertEquals(0, mixed.params().stream().filter(p -> p.name.contains(".attn.")).count(), "attention frozen");
    assertEquals(2 * 2, mixed.params().stream().filter(p -> p.name.endsWith("fc1.weight") || p.name.endsWith(
        "fc2.weight")).count(), "MLP matrices trained in full");
    check(mixed);
  }

  @Test
  void adapterCountsAndShapes() {
    Vit v = tiny(false, true);
    long loraA = v.params().stream().filter(p -> p.name.endsWith("lora_A")).count();
    assertEquals(2 * 6, loraA, "six adapted matrices per block");
    Vit frozenMlp = tiny(false, false);
    assertEquals(2 * 4, frozenMlp.params().stream().filter(p -> p.name.endsWith("lora_A")).count());
    assertThrows(IllegalArgumentException.class, () -> new Vit.Spec(28, 5, 8, 2, 1, 8, 10, 0, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), Targets.VIT));
    assertThrows(IllegalArgumentException.class, () -> new Vit.Spec(28, 7, 10, 4, 1, 8, 10, 0, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), Targets.VIT));
    Vit w = tiny(false, true);
    w.restore(v.trained());
    float[][] x = images(2);
    assertArrayEquals(v.probabilities(x)[1], w.probabilities(x)[1]);
  }

  @Test
  void paddedKeysGetNoAttention() {
    java.util.List<Param> params = new java.util.ArrayList<>();
    int d = 8;
    var bb = org.lottalora.core.backbone.Backbone.regenerate(2, Attention.tensors("a", d, InitSpec.DEFAULT));
    Attention att = new Attention("a", d, 2, false, bb, AdapterConfig.defaults(2), MatrixMode.ADAPTER, params);
    Random r = new Random(1);
    float[] x = new float[5 * d];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) r.nextGaussian();
    }
    float[] padded = att.forward(x, 5, 5, new int[] {3}, false);
    float[] changed = x.clone();
    java.util.Arrays.fill(changed, 3 * d, 4 * d, 0f);
    java.util.Arrays.fill(changed, 4 * d, 5 * d, 9f);
    float[] again = att.forward(changed, 5, 5, new int[] {3}, false);
    float[] alone = att.forward(java.util.Arrays.copyOf(x, 3 * d), 3, 3, null, false);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(padded, i * d, (i + 1) * d),
          java.util.Arrays.copyOfRange(again, i * d, (i + 1) * d),
          "the padded positions' values do not reach a real token");
      for (int j = 0; j < d; j++) {
        assertEquals(alone[i * d + j], padded[i * d + j], 1e-5);
      }
    }
  }
}
