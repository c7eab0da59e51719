package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lottalora train --family cfc}: the CfC family through the generic train / save / reload / eval path. */
class CfcCliTest {
  @TempDir
  Path dir;

  @Test
  void trainsSavesReloadsAndEvaluates() throws Exception {
    Path m = dir.resolve("cfc.lotta");
    CliTest.Run r = CliTest.run("train", "--family", "cfc", "--widths", "16,16", "--rank", "4", "--epochs", "6",
        "--lr", "2e-2", "--out", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    double acc = Double.parseDouble(r.out().replaceAll("(?s).*\"test_accuracy\":([0-9.eE-]+).*", "$1"));
    double back = Double.parseDouble(r.out().replaceAll("(?s).*\"reloaded_test_accuracy\":([0-9.eE-]+).*", "$1"));
    assertTrue(acc > 0.5, "well above chance after 6 epochs: " + r.out());
    assertEquals(acc, back, "the reloaded model predicts the same");
    CliTest.Run e = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains(String.valueOf(acc).substring(0, 5)), e.out());
    CliTest.Run bad = CliTest.run("train", "--family", "cfc", "--widths", "16", "--out", m.toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--widths hidden,units"), bad.err());
    // a rank above the cell's widths is capped per matrix (AdapterConfig.effectiveRank) and shown so by inspect
    Path capped = m.resolveSibling("cfc-capped.lotta");
    CliTest.Run wide = CliTest.run("train", "--family", "cfc", "--widths", "16,16", "--rank", "40", "--epochs", "1",
        "--max-train", "200", "--quiet", "--out", capped.toString());
    assertEquals(0, wide.code(), wide.err());
    CliTest.Run shown = CliTest.run("inspect", capped.toString());
    assertTrue(shown.out().contains("rank 40 (capped per layer at min(d_in, d_out): "), shown.out());
  }
}
