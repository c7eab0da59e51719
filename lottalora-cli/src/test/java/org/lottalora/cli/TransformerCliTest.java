package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora vit} and {@code lottalora text}: a small ViT learns digits and its artifact evaluates and predicts
 * the same; a text classifier learns which word family a sentence uses, reloads, evaluates and predicts; the bad
 * inputs (a patch that does not divide the image, heads that do not divide the width, a text longer than the
 * context without --truncate, a malformed CSV row) are one line, exit 2, no artifact; and the other families'
 * loaders point at the right one.
 */
class TransformerCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void vitTrainsEvaluatesAndPredicts() throws Exception {
    Path m = dir.resolve("vit.lotta");
    CliTest.Run r = CliTest.run("vit", "train", "--data", "digits", "--width", "32", "--layers", "2",
        "--mlp-hidden", "64", "--epochs", "4", "--rank", "4", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double acc = number(r.out(), "test_accuracy");
    assertTrue(acc > 0.5, "a ViT over a random scaffold reads digits: " + r.out());
    assertEquals(acc, number(r.out(), "reloaded_test_accuracy"));
    // patch 2x2 -> 32 (+32 bias), class token 32, 17 positions x 32; per block two LayerNorms (128), Q/K/V/O at
    // rank 4 (A 4x32, B 32x4, beta: 257 each), fc1 (A 4x32, B 64x4, beta) and fc2 (A 4x64, B 32x4, beta) 385 each;
    // final LayerNorm 64 and head 10x32 + 10
    assertEquals(128 + 32 + 32 + 544 + 2 * (128 + 4 * 257 + 2 * 385) + 64 + 330, number(r.out(), "trainable_values"));
    assertTrue(number(r.out(), "images_per_second") > 0, r.out());
    CliTest.Run e = CliTest.run("vit", "eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(acc, number(e.out(), "test_accuracy"));
    Path csv = dir.resolve("px.csv");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      b.append(i < 32 ? "0" : "16").append(i < 63 ? "," : "\n");
    }
    Files.writeString(csv, b.toString() + b);
    CliTest.Run p = CliTest.run("vit", "predict", m.toString(), csv.toString());
    assertEquals(0, p.code(), p.err());
    assertEquals(2, p.out().strip().lines().count(), p.out());
    // the verb takes every family: plain predict reads the family from the artifact and answers as vit predict
    CliTest.Run plain = CliTest.run("predict", m.toString(), csv.toString());
    assertEquals(0, plain.code(), plain.err());
    assertEquals(p.out(), plain.out());

    Path bad = dir.resolve("bad.lotta");
    CliTest.Run patch = CliTest.run("vit", "train", "--patch", "3", "-o", bad.toString());
    assertEquals(2, patch.code());
    assertTrue(patch.err().contains("patch side 3 does not divide the 8x8 image"), patch.err());
    CliTest.Run heads = CliTest.run("vit", "train", "--width", "30", "--heads", "4", "-o", bad.toString());
    assertEquals(2, heads.code());
    assertTrue(heads.err().contains("not divisible by 4 heads"), heads.err());
    assertFalse(Files.exists(bad));
  }

  private Path sentences() throws Exception {
    String[] sea = {"waves", "ship", "salt", "tide", "harbor", "sail"};
    String[] hill = {"stone", "peak", "goat", "snow", "ridge", "pine"};
    StringBuilder b = new StringBuilder("text,label\n");
    for (int i = 0; i < 240; i++) {
      String[] w = i % 2 == 0 ? sea : hill;
      b.append("\"the ").append(w[i % 6]).append(", a ").append(w[(i / 2 + 1) % 6]).append(" and ")
          .append(w[(i / 3 + 2) % 6]).append("\",").append(i % 2 == 0 ? "sea" : "hill").append('\n');
    }
    Path f = dir.resolve("s.csv");
    Files.writeString(f, b);
    return f;
  }

  @Test
  void textClassifierTrainsEvaluatesAndPredicts() throws Exception {
    Path f = sentences();
    Path m = dir.resolve("text.lotta");
    CliTest.Run r = CliTest.run("text", "train", "--data", f.toString(), "--max-len", "48", "--width", "32",
        "--epochs", "6", "--rank", "4", "--lr", "0.01", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double acc = number(r.out(), "test_accuracy");
    assertTrue(acc > 0.9, "the word families are easy: " + r.out());
    CliTest.Run e = CliTest.run("text", "eval", m.toString(), "--json");
    assertEquals(acc, number(e.out(), "accuracy"));
    CliTest.Run p = CliTest.run("text", "predict", m.toString(), "the waves, a ship and salt",
        "the peak, a peak and goat");
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().startsWith("sea\t") && p.out().contains("\nhill\t"), p.out());
    CliTest.Run tooLong = CliTest.run("text", "predict", m.toString(), "x".repeat(60));
    assertEquals(2, tooLong.code());
    assertTrue(tooLong.err().contains("context"), tooLong.err());

    Path bad = dir.resolve("bad.lotta");
    CliTest.Run shortContext = CliTest.run("text", "train", "--data", f.toString(), "--max-len", "10", "-o",
        bad.toString());
    assertEquals(2, shortContext.code());
    assertTrue(shortContext.err().contains("line 2") && shortContext.err().contains("--truncate"),
        shortContext.err());
    Path broken = dir.resolve("broken.csv");
    Files.writeString(broken, "a,b,c\n");
    CliTest.Run csv = CliTest.run("text", "train", "--data", broken.toString(), "-o", bad.toString());
    assertEquals(2, csv.code());
    assertTrue(csv.err().contains("line 1: 3 fields"), csv.err());
    assertFalse(Files.exists(bad));
  }
}
