package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora train --family cnn}: Plain-N with BatchNorm through train, save, reload (running statistics
 * included), eval and inspect, with plain LoRA and with DoRA + residual + LayerNorm; and the bad inputs: an image too
 * small for the network's downsampling, DoRA on the full baseline, a malformed --widths.
 */
class CnnCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void trainsWithEachVariantAndReloadsIdentically() {
    for (String[] variant : new String[][] {{}, {"--dora", "--residual", "--layer-norm"}}) {
      Path m = dir.resolve("cnn" + variant.length + ".lotta");
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--family", "cnn",
          "--widths", "8x2,16", "--rank", "4", "--epochs", "5", "--batch", "32", "--lr", "1e-2", "--max-train", "800", "--out",
          m.toString(), "--json"));
      args.addAll(java.util.List.of(variant));
      CliTest.Run r = CliTest.run(args.toArray(new String[0]));
      assertEquals(0, r.code(), r.err());
      double acc = number(r.out(), "test_accuracy");
      assertTrue(acc > 0.5, "well above chance on digits: " + r.out());
      assertEquals(acc, number(r.out(), "reloaded_test_accuracy"));
      assertTrue(r.out().contains("\"reloaded_identical_predictions\":true"), r.out());
      assertTrue(r.out().contains("\"variant\":\"" + (variant.length == 0 ? "lora" : "dora+residual+layernorm")
          + "\""), r.out());
      CliTest.Run e = CliTest.run("eval", m.toString(), "--max-train", "800", "--json");
      assertEquals(0, e.code(), e.err());
      CliTest.Run i = CliTest.run("inspect", m.toString());
      assertEquals(0, i.code(), i.err());
      assertTrue(i.out().contains("convs.0.bn.mean"), "running statistics are stored: " + i.out());
      if (variant.length > 0) {
        assertTrue(i.out().contains("convs.1.dora_m") && i.out().contains("convs.1.ln.gain"), i.out());
      }
    }
  }

  @Test
  void badInputsGetOneLineAndExitTwo() {
    Path m = dir.resolve("bad.lotta");
    CliTest.Run small = CliTest.run("train", "--family", "cnn", "--widths", "4,8,16,32,64", "--out", m.toString());
    assertEquals(2, small.code(), small.err());
    assertTrue(small.err().contains("8x8 image is too small"), small.err());
    CliTest.Run doraFull = CliTest.run("train", "--family", "cnn", "--full", "--dora", "--out", m.toString());
    assertEquals(2, doraFull.code(), doraFull.err());
    assertTrue(doraFull.err().contains("DoRA"), doraFull.err());
    CliTest.Run widths = CliTest.run("train", "--family", "cnn", "--widths", "16xx3", "--out", m.toString());
    assertEquals(2, widths.code(), widths.err());
    assertTrue(widths.err().contains("plain-20"), widths.err());
    CliTest.Run preset = CliTest.run("train", "--family", "cnn", "--widths", "plain-21", "--out", m.toString());
    assertEquals(2, preset.code(), preset.err());
    assertTrue(preset.err().contains("6n + 2"), preset.err());
    for (CliTest.Run r : new CliTest.Run[] {small, doraFull, widths, preset}) {
      assertEquals(1, r.err().trim().split("\n").length, "one line: " + r.err());
    }
    assertFalse(Files.exists(m));
  }
}
