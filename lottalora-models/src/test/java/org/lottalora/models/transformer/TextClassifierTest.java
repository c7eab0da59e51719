package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Param;

/**
 * The text classifier: gradients of every trained array against finite differences on a padded batch (different
 * lengths); padding changes nothing (a text scores the same alone or next to a longer one); the CSV reader's
 * quoting, header, label order and its refusals (field count, empty text, too long without --truncate).
 */
class TextClassifierTest {
  @TempDir
  Path dir;

  private static TextClassifier tiny(boolean full) {
    return new TextClassifier(new TextClassifier.Spec(10, 8, 2, 2, 12, 3, 4, InitSpec.DEFAULT,
        new AdapterConfig(2, 2.0, false, true, 0, false, 1), Targets.of(full, false)));
  }

  @Test
  void gradientsMatchFiniteDifferencesOnAPaddedBatch() {
    for (boolean full : new boolean[] {false, true}) {
      TextClassifier m = tiny(full);
      for (Param p : m.params()) {
        if (p.name.endsWith("lora_B")) {
          for (int i = 0; i < p.v.length; i++) {
            p.v[i] = 0.3f * (float) Math.sin(i + p.name.length());
          }
        }
      }
      m.refresh();
      int[][] batch = {LmModel.tokens("abcdefg"), LmModel.tokens("xyz"), LmModel.tokens("hello wor")};
      int[] y = {2, 0, 1};
      m.backward(batch, y);
      int checked = Gradients.checkParams(m.params(), p -> p.name.equals("tok.embedding")
          ? new int[] {'a' * 8, 'x' * 8 + 3, 'o' * 8 + 7} : p.name.equals("pos") ? new int[] {0, 2 * 8 + 1, 9 * 8}
          : new int[] {0, p.v.length - 1}, m::refresh, () -> m.backward(batch, y), 1e-3, 5e-4, 0.03);
      assertTrue(checked > 40, checked + " values");
      float[] pos = m.params().stream().filter(p -> p.name.equals("pos")).findFirst().orElseThrow().g;
      assertEquals(0f, pos[9 * 8], "position 9 is beyond every text: no gradient");
    }
  }

  @Test
  void paddingChangesNothing() {
    TextClassifier m = tiny(false);
    int[] shortText = LmModel.tokens("abc");
    float[] alone = m.probabilities(new int[][] {shortText})[0];
    float[] padded = m.probabilities(new int[][] {LmModel.tokens("much long"), shortText})[1];
    for (int k = 0; k < alone.length; k++) {
      assertEquals(alone[k], padded[k], 1e-5);
    }
    assertThrows(IllegalArgumentException.class, () -> m.logits(new int[][] {LmModel.tokens("eleven byte")}));
    assertThrows(IllegalArgumentException.class, () -> m.logits(new int[][] {new int[0]}));
  }

  @Test
  void csvQuotingHeaderAndRefusals() throws Exception {
    Path f = dir.resolve("t.csv");
    Files.writeString(f, "text,label\n\"good, very \"\"good\"\"\",pos\nbad,neg\n\"two\nlines\",pos\n\nokay,neu\n");
    TextCsv d = TextCsv.read(f, 64, false, null);
    assertEquals(4, d.size());
    assertEquals(List.of("neg", "neu", "pos"), d.classes());
    assertArrayEquals(new int[] {2, 0, 2, 1}, d.labels());
    assertEquals("good, very \"good\"", new String(toBytes(d.tokens().get(0)), "UTF-8"));
    assertArrayEquals(new int[] {2, 3, 4, 7}, d.lines());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextCsv.read(f, 8, false,
        null));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("--truncate"), e.getMessage());
    assertEquals(8, TextCsv.read(f, 8, true, null).tokens().get(0).length);
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "a,pos\nb,c,neg\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TextCsv.read(bad, 64, false, null)).getMessage()
        .contains("line 2: 3 fields"));
    Files.writeString(bad, "a,pos\n,neg\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TextCsv.read(bad, 64, false, null)).getMessage()
        .contains("line 2: the text is empty"));
    Files.writeString(bad, "a,pos\nb,other\n");
    assertThrows(IllegalArgumentException.class, () -> TextCsv.read(bad, 64, false, List.of("neg", "pos")));
  }

  private static byte[] toBytes(int[] t) {
    byte[] b = new byte[t.length];
    for (int i = 0; i < t.length; i++) {
      b[i] = (byte) t[i];
    }
    return b;
  }
}
