package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;

/**
 * {@code lottalora train --family cfc}: the CfC trains on the recurrent engine, writes a recurrent model that reloads
 * with identical predictions, and {@code eval}, {@code predict}, {@code inspect} and {@code sequence predict} read it
 * (the last two agreeing image by image).
 */
class CfcCliTest {
  @TempDir
  Path dir;

  @Test
  void trainsSavesReloadsAndEvaluates() throws Exception {
    Path m = dir.resolve("cfc.lotta");
    CliTest.Run r = CliTest.run("train", "--family", "cfc", "--widths", "16,16", "--rank", "4", "--epochs", "6",
        "--lr", "2e-2", "--out", m.toString(), "--json", "--quiet");
    assertEquals(0, r.code(), r.err());
    double acc = Double.parseDouble(r.out().replaceAll("(?s).*\"test_accuracy\":([0-9.eE-]+).*", "$1"));
    double back = Double.parseDouble(r.out().replaceAll("(?s).*\"reloaded_test_accuracy\":([0-9.eE-]+).*", "$1"));
    assertTrue(acc > 0.5, "well above chance (0.1) after 6 epochs: " + r.out());
    assertEquals(acc, back, "the reloaded model predicts the same");
    assertTrue(r.out().contains("\"reloaded_identical_predictions\":true"), r.out());
    assertTrue(r.out().contains("\"engine\":\"recurrent\""), r.out());
    CliTest.Run e = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("\"accuracy\":" + acc), e.out() + " against " + acc);

    // predict on raw test images (CSV, label last) agrees with sequence predict on the model's own test split
    Dataset test = Datasets.load("digits", new Datasets.Options(null, false, 0)).test();
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      for (int k = 0; k < test.cols(); k++) {
        csv.append(String.format(Locale.ROOT, "%s,", test.features()[i * test.cols() + k]));
      }
      csv.append(test.labels()[i]).append('\n');
    }
    Path rows = dir.resolve("rows.csv");
    Files.writeString(rows, csv);
    CliTest.Run p = CliTest.run("predict", m.toString(), rows.toString(), "--json", "-k", "1");
    assertEquals(0, p.code(), p.err());
    CliTest.Run sp = CliTest.run("sequence", "predict", m.toString(), "--limit", "20");
    assertEquals(0, sp.code(), sp.err());
    List<Integer> viaPredict = new ArrayList<>();
    for (String line : p.out().split("\n")) {
      if (line.startsWith("{\"index\"")) {
        viaPredict.add(Integer.parseInt(line.replaceAll(".*?\"class\":([0-9]+).*", "$1")));
      }
    }
    List<Integer> viaSequence = new ArrayList<>();
    for (String line : sp.out().split("\n")) {
      if (!line.startsWith("series") && !line.isBlank()) {
        viaSequence.add(Integer.parseInt(line.split(",")[1]));
      }
    }
    assertEquals(20, viaPredict.size(), p.out());
    assertEquals(viaSequence, viaPredict, "the same class for the same image either way");
    assertTrue(p.out().contains("\"samples\":20"), p.out());

    CliTest.Run bad = CliTest.run("train", "--family", "cfc", "--widths", "16", "--out", m.toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--widths hidden,units"), bad.err());
    CliTest.Run drop = CliTest.run("train", "--family", "cfc", "--dropout", "0.1", "--out", m.toString());
    assertEquals(2, drop.code(), drop.err());
    assertTrue(drop.err().contains("no --dropout"), drop.err());
    CliTest.Run unknown = CliTest.run("train", "--family", "gru", "--out", m.toString());
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("cfc"), "the error lists cfc among the families: " + unknown.err());
    // a rank above the cell's widths is capped per matrix (AdapterConfig.effectiveRank) and shown so by inspect
    Path capped = m.resolveSibling("cfc-capped.lotta");
    CliTest.Run wide = CliTest.run("train", "--family", "cfc", "--widths", "16,16", "--rank", "40", "--epochs", "1",
        "--max-train", "200", "--quiet", "--out", capped.toString());
    assertEquals(0, wide.code(), wide.err());
    CliTest.Run shown = CliTest.run("inspect", capped.toString());
    assertTrue(shown.out().contains("rank 40 (capped per layer at min(d_in, d_out): "), shown.out());
  }
}
