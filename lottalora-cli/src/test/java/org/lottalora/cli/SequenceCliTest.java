package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora sequence train|eval}: the CfC and the LSTM through train, save, reload and eval, on image rows
 * and on irregular series from CSV with AUROC and class weights; and the bad inputs of issue 5 (timestamps that go
 * backwards, ragged series without --pad, a label that changes within a series), each one line naming the file and
 * line, exit 2, no artifact.
 */
class SequenceCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  @Test
  void bothCellsTrainReloadAndEvaluate() {
    for (String cell : new String[] {"cfc", "lstm"}) {
      Path m = dir.resolve(cell + ".lotta");
      CliTest.Run r = CliTest.run("sequence", "train", "--cell", cell, "--hidden", "16", "--units", "16", "--rank",
          "4", "--epochs", "6", "-o", m.toString(), "--json");
      assertEquals(0, r.code(), r.err());
      double acc = number(r.out(), "test_accuracy");
      assertTrue(acc > 0.5, cell + " reads digits row by row: " + r.out());
      CliTest.Run e = CliTest.run("sequence", "eval", m.toString(), "--json");
      assertEquals(0, e.code(), e.err());
      assertEquals(acc, number(e.out(), "test_accuracy"), "eval rebuilds the split from the artifact");
    }
  }

  /** Series i: label i % 4 == 0, observations of a slow or fast sine at uneven times. */
  private Path series(int count, boolean ragged) throws Exception {
    StringBuilder b = new StringBuilder("id,time,value,label\n");
    for (int i = 0; i < count; i++) {
      int label = i % 4 == 0 ? 1 : 0;
      int n = ragged ? 10 + i % 5 : 12;
      double t = 0;
      for (int k = 0; k < n; k++) {
        t += 0.5 + ((i * 7 + k * 3) % 5) / 4.0;
        b.append("s").append(i).append(',').append(t).append(',')
            .append(Math.sin((label == 1 ? 1.3 : 0.6) * t + i)).append(',').append(label).append('\n');
      }
    }
    Path f = dir.resolve(ragged ? "ragged.csv" : "even.csv");
    Files.writeString(f, b);
    return f;
  }

  @Test
  void irregularCsvSeriesGiveAurocWithClassWeights() throws Exception {
    Path f = series(200, true);
    Path m = dir.resolve("irr.lotta");
    CliTest.Run r = CliTest.run("sequence", "train", "--data", "csv:" + f, "--pad", "--hidden", "16", "--units",
        "16", "--epochs", "15", "--class-weights", "balanced", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(number(r.out(), "test_auroc") > 0.8, "the frequency is visible through the gaps: " + r.out());
    CliTest.Run e = CliTest.run("sequence", "eval", m.toString(), "--json");
    assertEquals(number(r.out(), "test_auroc"), number(e.out(), "test_auroc"));
    CliTest.Run p = CliTest.run("sequence", "predict", m.toString(), "--csv", f.toString(), "--pad");
    assertEquals(0, p.code(), p.err());
    assertEquals(201, p.out().trim().split("\n").length, "a header and one line per series");
    // the generic eval reads a recurrent model too (its recorded data, test split); predict wants image rows
    CliTest.Run plain = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, plain.code(), plain.err());
    assertEquals(number(r.out(), "test_auroc"), number(plain.out(), "auroc"));
    CliTest.Run rows = CliTest.run("predict", m.toString(), f.toString());
    assertEquals(2, rows.code(), rows.err());
    assertTrue(rows.err().contains("sequence predict"), rows.err());
  }

  @Test
  void badSeriesFilesNameFileAndLine() throws Exception {
    Path bad = dir.resolve("bad.lotta");
    Path ragged = series(20, true);
    CliTest.Run noPad = CliTest.run("sequence", "train", "--data", "csv:" + ragged, "-o", bad.toString());
    assertEquals(2, noPad.code(), noPad.err());
    assertTrue(noPad.err().contains("--pad") && noPad.err().contains("ragged.csv"), noPad.err());
    Path back = dir.resolve("back.csv");
    Files.writeString(back, "id,time,value,label\na,0,1,0\na,2,1,0\na,1,1,0\nb,0,1,1\n");
    CliTest.Run backwards = CliTest.run("sequence", "train", "--data", "csv:" + back, "-o", bad.toString());
    assertEquals(2, backwards.code(), backwards.err());
    assertTrue(backwards.err().contains("back.csv line 4") && backwards.err().contains("goes backwards"),
        backwards.err());
    Path flip = dir.resolve("flip.csv");
    Files.writeString(flip, "id,time,value,label\na,0,1,0\na,1,1,1\n");
    CliTest.Run label = CliTest.run("sequence", "train", "--data", "csv:" + flip, "-o", bad.toString());
    assertEquals(2, label.code(), label.err());
    assertTrue(label.err().contains("flip.csv line 3"), label.err());
    CliTest.Run cell = CliTest.run("sequence", "train", "--cell", "gru", "-o", bad.toString());
    assertEquals(2, cell.code(), cell.err());
    assertTrue(cell.err().contains("cfc or lstm"), cell.err());
    for (CliTest.Run r : new CliTest.Run[] {noPad, backwards, label, cell}) {
      assertEquals(1, r.err().trim().split("\n").length, "one line: " + r.err());
    }
    assertFalse(Files.exists(bad));
  }
}
