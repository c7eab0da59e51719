package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora snn convert} end to end: an MLP trained on digits by the CLI converts and its spiking twin reaches
 * the ANN's accuracy within a few points at 300 steps, clean and occluded, as a table and as JSON; the bad inputs (a
 * simulation time of zero, a family or variant that cannot be converted) get one line and exit 2.
 */
class SnnConvertCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  private static double[] numbers(String json, String key) {
    String list = json.replaceAll("(?s).*\"" + key + "\":\\[([^]]*)].*", "$1");
    return java.util.Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  @Test
  void convertsATrainedMlpAndReportsAccuracyByTime() {
    Path m = dir.resolve("mlp.lotta");
    CliTest.Run t = CliTest.run("train", "--widths", "64,32", "--rank", "4", "--epochs", "10", "--lr", "1e-2",
        "--out", m.toString(), "--json");
    assertEquals(0, t.code(), t.err());
    CliTest.Run j = CliTest.run("snn", "convert", m.toString(), "--steps", "300,20", "--json");
    assertEquals(0, j.code(), j.err());
    double ann = number(j.out(), "ann_accuracy");
    double[] snn = numbers(j.out(), "snn_accuracy");
    assertEquals(2, snn.length);
    assertTrue(snn[1] >= ann - 0.03, "SNN at 300 steps within 3 points of the ANN: " + j.out());
    assertTrue(snn[1] >= snn[0], "more time, no less accuracy: " + j.out());
    double annOcc = number(j.out(), "ann_accuracy_occluded");
    double[] snnOcc = numbers(j.out(), "snn_accuracy_occluded");
    assertTrue(annOcc < ann, "occluding a quarter of the image costs the ANN accuracy: " + j.out());
    assertTrue(snnOcc[1] >= annOcc - 0.05, "the SNN follows the ANN under occlusion: " + j.out());
    assertEquals(4, (int) number(j.out(), "occlusion_patch"));
    CliTest.Run table = CliTest.run("snn", "convert", m.toString(), "--steps", "50", "--reset", "zero", "--coding",
        "poisson", "--limit", "100", "--percentile", "100");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().contains("SNN@50") && table.out().contains("accuracy, occluded")
        && table.out().contains("spikes/neuron/step") && table.out().contains("reset zero, input poisson"),
        table.out());
  }

  @Test
  void badInputsGetOneLineAndExitTwo() {
    Path m = dir.resolve("small.lotta");
    assertEquals(0, CliTest.run("train", "--widths", "16", "--epochs", "1", "--out", m.toString()).code());
    Path ln = dir.resolve("ln.lotta");
    assertEquals(0, CliTest.run("train", "--widths", "16", "--epochs", "1", "--layer-norm", "--out", ln.toString())
        .code());
    Path cfc = dir.resolve("cfc.lotta");
    CliTest.Run c = CliTest.run("train", "--family", "cfc", "--widths", "4,4", "--rank", "2", "--epochs", "1", "--max-train", "100",
        "--out", cfc.toString());
    assertEquals(0, c.code(), c.err());
    CliTest.Run zero = CliTest.run("snn", "convert", m.toString(), "--steps", "0");
    CliTest.Run norm = CliTest.run("snn", "convert", ln.toString());
    CliTest.Run rec = CliTest.run("snn", "convert", cfc.toString());
    CliTest.Run pct = CliTest.run("snn", "convert", m.toString(), "--percentile", "0");
    assertTrue(zero.err().contains("at least 1 step, got 0"), zero.err());
    assertTrue(norm.err().contains("LayerNorm on block 'layers.0'"), norm.err());
    assertTrue(rec.err().contains("a 'cfc' model cannot be converted"), rec.err());
    assertTrue(pct.err().contains("percentile"), pct.err());
    for (CliTest.Run r : new CliTest.Run[] {zero, norm, rec, pct}) {
      assertEquals(2, r.code(), r.err());
      assertEquals(1, r.err().trim().split("\n").length, "one line: " + r.err());
    }
  }
}
