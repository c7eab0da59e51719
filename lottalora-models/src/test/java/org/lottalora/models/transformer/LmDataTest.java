package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.proto.DType;

/**
 * The LM's data, presets, trainer and artifact: UTF-8 checking names the byte offset; the held-out tail is the
 * text's end; presets have the paper's 900M shape and refuse unknown names with the list; a short run lowers the
 * held-out loss, is reproducible, and its artifact reloads to the same predictions (fp16 within rounding).
 */
class LmDataTest {
  @TempDir
  Path dir;

  private static String text() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      b.append("and god said let there be light and there was light. ");
    }
    return b.toString();
  }

  @Test
  void invalidUtf8IsRefusedWithItsByteOffset() throws Exception {
    byte[] ok = "héllo wörld".getBytes(StandardCharsets.UTF_8);
    assertEquals(-1, ByteCorpus.firstInvalidUtf8(ok));
    byte[] bad = java.util.Arrays.copyOf(ok, ok.length + 3);
    bad[ok.length] = 'a';
    bad[ok.length + 1] = (byte) 0xff;
    bad[ok.length + 2] = 'b';
    assertEquals(ok.length + 1, ByteCorpus.firstInvalidUtf8(bad));
    Path f = dir.resolve("latin1.txt");
    Files.write(f, bad);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteCorpus.read(f, 0.1));
    assertTrue(e.getMessage().contains("byte offset " + (ok.length + 1)), e.getMessage());
    byte[] cut = java.util.Arrays.copyOf(ok, 2); // "h" and the first byte of a two-byte "é"
    assertEquals(1, ByteCorpus.firstInvalidUtf8(cut));
    Path empty = dir.resolve("empty.txt");
    Files.write(empty, new byte[0]);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ByteCorpus.read(empty, 0.1)).getMessage()
        .contains("empty"));
    assertThrows(IllegalArgumentException.class, () -> ByteCorpus.read(dir.resolve("missing.txt"), 0.1));
  }

  @Test
  void theHeldOutPartIsTheTail() {
    byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
    ByteCorpus c = ByteCorpus.of(b, "digits", 0.2);
    assertArrayEquals("01234567".getBytes(StandardCharsets.US_ASCII), c.train());
    assertArrayEquals("89".getBytes(StandardCharsets.US_ASCII), c.validation());
    assertThrows(IllegalArgumentException.class, () -> c.checkWindow(16));
    assertThrows(IllegalArgumentException.class, () -> ByteCorpus.of(b, "digits", 0.9));
  }

  @Test
  void presetsHaveThePapersShapeAndUnknownNamesListTheValidOnes() {
    LmPreset p = LmPreset.of("900M");
    assertEquals(34, p.layers());
    assertEquals(1664, p.width());
    assertEquals(26, p.heads());
    assertEquals(4608, p.hidden());
    long values = p.spec(0, InitSpec.DEFAULT, AdapterConfig.defaults(8), Targets.LM).modelValues();
    // the paper's 2,312 MB in fp16 is 1.156e9 values; ours adds biases, norms and a byte vocabulary
    assertTrue(Math.abs(values * 2 / 1e6 - 2312) < 20, values + " values");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LmPreset.of("9b"));
    assertTrue(e.getMessage().contains("tiny, small, 3m, 30m, 300m, 600m, 900m"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ByteLm.Spec(30, 4, 1, 8, 16, 0, InitSpec.DEFAULT,
        AdapterConfig.defaults(2), false));
  }

  @Test
  void aShortRunLearnsReproduciblyAndTheArtifactReloads() {
    ByteCorpus c = ByteCorpus.of(text().getBytes(StandardCharsets.UTF_8), "light", 0.1);
    ByteLm.Spec spec = new ByteLm.Spec(16, 2, 1, 24, 32, 3, InitSpec.DEFAULT,
        new AdapterConfig(4, 4.0, false, true, 0, false, 1), false);
    LmTrainer.Config cfg = new LmTrainer.Config(40, 4, 32, 0.02, 20, 0, 9);
    ByteLm lm = new ByteLm(spec);
    LmTrainer.Report r = LmTrainer.train(lm, c, cfg, Progress.silent());
    assertTrue(r.validationLoss() < r.initialLoss() - 1, r.initialLoss() + " -> " + r.validationLoss());
    assertEquals(2, r.curve().size());
    assertEquals(r.validationLoss() / Math.log(2), r.bitsPerByte(), 1e-12);
    ByteLm again = new ByteLm(spec);
    assertEquals(r.validationLoss(), LmTrainer.train(again, c, cfg, Progress.silent()).validationLoss());
    assertThrows(IllegalArgumentException.class, () -> LmTrainer.train(new ByteLm(spec), c,
        new LmTrainer.Config(1, 1, 64, 0.01, 0, 0, 0), Progress.silent()));

    Path f = dir.resolve("lm.lotta");
    new LmModel(lm, "", "light", 0.1, 32, r.validationLoss()).save(f, LmTrainer.record("light", c.train().length, cfg, r), DType.FLOAT32, null);
    LmModel back = LmModel.load(f);
    int[] probe = LmModel.tokens("and god said");
    assertArrayEquals(lm.nextTokenDistribution(probe), back.lm().nextTokenDistribution(probe));
    assertEquals(r.validationLoss(), back.validationLoss());
    assertEquals(back.generate("and ", 12, 0.7, 5, 4), back.generate("and ", 12, 0.7, 5, 4));
    Path h = dir.resolve("lm16.lotta");
    new LmModel(lm, "", "light", 0.1, 32, r.validationLoss()).save(h, LmTrainer.record("light", c.train().length, cfg, r), DType.FLOAT16, null);
    float[] p16 = LmModel.load(h).lm().nextTokenDistribution(probe);
    float[] p32 = lm.nextTokenDistribution(probe);
    for (int i = 0; i < p32.length; i++) {
      assertEquals(p32[i], p16[i], 0.01);
    }
    assertTrue(h.toFile().length() < f.toFile().length());
  }

  @Test
  void aRunStoppedAndResumedEndsWithTheSameBits() {
    ByteCorpus c = ByteCorpus.of(text().getBytes(StandardCharsets.UTF_8), "light", 0.1);
    ByteLm.Spec spec = new ByteLm.Spec(16, 2, 1, 24, 32, 3, InitSpec.DEFAULT,
        new AdapterConfig(4, 4.0, false, true, 0, false, 1), false);
    LmTrainer.Config cfg = new LmTrainer.Config(12, 2, 16, 0.02, 4, 0, 9);
    ByteLm straight = new ByteLm(spec);
    LmTrainer.Report whole = LmTrainer.train(straight, c, cfg, Progress.silent());
    Path ck = dir.resolve("lm.ck");
    assertEquals(null, LmTrainer.train(new ByteLm(spec), c, cfg, Progress.silent(),
        new LmTrainer.Checkpointing(ck, 3, false, 7)), "stopped after 7 of 12 steps");
    ByteLm resumed = new ByteLm(spec);
    LmTrainer.Report rest = LmTrainer.train(resumed, c, cfg, Progress.silent(),
        new LmTrainer.Checkpointing(ck, 3, true, 0));
    assertEquals(whole.validationLoss(), rest.validationLoss());
    assertEquals(whole.trainLoss(), rest.trainLoss());
    assertEquals(whole.curve().size(), rest.curve().size());
    assertEquals(straight.trained().keySet(), resumed.trained().keySet());
    straight.trained().forEach((k, v) -> assertArrayEquals(v, resumed.trained().get(k), k));
    LmTrainer.Config other = new LmTrainer.Config(12, 2, 16, 0.01, 4, 0, 9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LmTrainer.train(new ByteLm(spec),
        c, other, Progress.silent(), new LmTrainer.Checkpointing(ck, 3, true, 0)));
    assertTrue(e.getMessage().contains("another run"), e.getMessage());
  }
}
