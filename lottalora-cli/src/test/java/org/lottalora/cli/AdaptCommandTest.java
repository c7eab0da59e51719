package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.util.NdArrays;
import org.lottalora.format.TrustPolicy;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.GraphArtifacts;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code lottalora adapt} on a SameDiff file built here (a 64-32-10 MLP, as in GraphAdapterTest): train on digits,
 * reload, export merged and run the export with plain SameDiff, inspect, eval and predict the artifact; the
 * pretrained base and its --base checks; and the bad inputs (missing model, a rule matching nothing, a 1-D target,
 * data that does not fit the input, rank 0, a file that is no graph), each one line with its exit code and no
 * artifact left behind.
 */
class AdaptCommandTest {
  @TempDir
  static Path dir;

  static Path mlp;
  static Path other;

  @BeforeAll
  static void graphs() throws Exception {
    mlp = save(3, "mlp.sdz");
    other = save(4, "other.sdz");
  }

  /** The MLP the SameDiff way: x.mmul(w1) with w1 stored [d_in, d_out]; w2 stored [d_out, d_in]. */
  private static Path save(long seed, String name) throws Exception {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 64);
    Backbone bb = Backbone.regenerate(seed, List.of(TensorSpec.of("w1", new int[] {64, 32}, InitSpec.DEFAULT),
        TensorSpec.of("w2", new int[] {10, 32}, InitSpec.DEFAULT)));
    SDVariable w1 = sd.var("w1", NdArrays.of(bb.get("w1"), 64, 32));
    SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.FLOAT, 32));
    SDVariable h = sd.nn.relu(x.mmul(w1).add(b1), 0);
    SDVariable w2 = sd.var("w2", NdArrays.of(bb.get("w2"), 10, 32));
    SDVariable b2 = sd.var("b2", Nd4j.zeros(DataType.FLOAT, 10));
    sd.mmul(h, w2, false, true, false).add(b2).rename("logits");
    Path p = dir.resolve(name);
    sd.save(p.toFile(), false);
    return p;
  }

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  private static int[] argMax(INDArray out) {
    int[] c = new int[(int) out.size(0)];
    for (int i = 0; i < c.length; i++) {
      c[i] = Nd4j.argMax(out.getRow(i)).getInt(0);
    }
    return c;
  }

  @Test
  void seededAdaptTrainsExportsMergedAndInspects() throws Exception {
    CliTest.Run list = CliTest.run("adapt", mlp.toString(), "--list-targets");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains("w1") && list.out().contains("[64,32]") && list.out().contains("feeds a matmul"),
        list.out());

    Path m = dir.resolve("m.lotta");
    CliTest.Run r = CliTest.run("adapt", mlp.toString(), "--seed", "5", "--rank", "4", "--epochs", "10", "--lr", "1e-2",
        "--batch", "32", "--out", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(m));
    double acc = number(r.out(), "test_accuracy");
    assertTrue(acc > 0.85, "rank-4 adapters over a seeded 64-32-10 scaffold learn digits: " + r.out());
    assertTrue(r.out().contains("\"reloaded_identical_predictions\":true"), r.out());
    assertTrue(r.out().contains("\"source\":\"samediff:mlp.sdz\""), r.out());
    assertTrue(r.out().contains("{\"name\":\"w1\",\"shape\":[64,32],\"transposed\":true"), r.out());
    assertTrue(number(r.out(), "artifact_bytes") < number(r.out(), "model_file_bytes"), r.out());

    // the merged export is a plain SameDiff graph that predicts as the artifact does
    Path merged = dir.resolve("merged.sdz");
    CliTest.Run x = CliTest.run("export", m.toString(), "--format", "samediff", "-o", merged.toString());
    assertEquals(0, x.code(), x.err());
    Dataset test = Datasets.load("digits", new Datasets.Options(null, false, 0)).normalized().test();
    INDArray in = Nd4j.create(test.features(), new long[] {test.rows(), 64}, 'c');
    AdaptedGraph art = GraphArtifacts.load(m, TrustPolicy.NONE);
    SameDiff plain = SameDiff.load(merged.toFile(), false);
    INDArray want = art.output(in);
    INDArray got = plain.output(Map.of("input", in), "logits").get("logits");
    assertTrue(want.equalsWithEps(got, 1e-4), "the merged graph computes the adapted one");
    assertArrayEquals(argMax(want), argMax(got));
    for (SDVariable v : plain.variables()) {
      assertFalse(v.name().contains("lora"), "no adapter left in the export: " + v.name());
    }

    CliTest.Run i = CliTest.run("inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("samediff-graph") && i.out().contains("seed 5") && i.out().contains("w1.lora_A"),
        i.out());
    CliTest.Run ij = CliTest.run("inspect", m.toString(), "--json");
    assertEquals(0, ij.code(), ij.err());
    assertTrue(ij.out().contains("\"base\":\"seed\"") && ij.out().contains("\"trainable_params\":554"), ij.out());
    CliTest.Run e = CliTest.run("eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(acc, number(e.out(), "accuracy"), 1e-9, "eval rebuilds the split and the normalization");
    CliTest.Run v = CliTest.run("verify", m.toString());
    assertEquals(0, v.code(), v.err());
    // predict takes raw rows (the artifact normalizes them as in training): the same accuracy on the test split
    Dataset raw = Datasets.load("digits", new Datasets.Options(null, false, 0)).test();
    StringBuilder rows = new StringBuilder();
    for (int row = 0; row < raw.rows(); row++) {
      for (int c = 0; c < raw.cols(); c++) {
        rows.append(raw.features()[row * raw.cols() + c]).append(',');
      }
      rows.append(raw.labels()[row]).append('\n');
    }
    Path csv = Files.writeString(dir.resolve("test.csv"), rows);
    CliTest.Run p = CliTest.run("predict", m.toString(), csv.toString(), "--json");
    assertEquals(0, p.code(), p.err());
    String[] lines = p.out().trim().split("\n");
    assertEquals(raw.rows() + 1, lines.length);
    assertEquals(acc, number(lines[lines.length - 1], "accuracy"), 1e-9);
    CliTest.Run pm = CliTest.run("predict", m.toString(), csv.toString(), "--merged");
    assertEquals(2, pm.code());
    assertTrue(pm.err().contains("--format samediff"), pm.err());
    assertEquals(1, pm.err().trim().split("\n").length, pm.err());
    CliTest.Run wrongFormat = CliTest.run("export", m.toString(), "--format", "merged", "-o",
        dir.resolve("x.safetensors").toString());
    assertEquals(2, wrongFormat.code());
    assertTrue(wrongFormat.err().contains("--format samediff"), wrongFormat.err());
  }

  @Test
  void pretrainedArtifactNeedsItsBase() throws Exception {
    Path m = dir.resolve("p.lotta");
    CliTest.Run r = CliTest.run("adapt", mlp.toString(), "--pretrained", "--rank", "2", "--epochs", "1", "--batch",
        "64", "--out", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"base\":\"pretrained\"") && r.out().contains("\"reloaded_identical_predictions\""
        + ":true"), r.out());
    CliTest.Run none = CliTest.run("eval", m.toString());
    assertEquals(1, none.code());
    assertTrue(none.err().contains("pass the base model"), none.err());
    assertEquals(1, none.err().trim().split("\n").length, none.err());
    CliTest.Run wrong = CliTest.run("eval", m.toString(), "--base", other.toString());
    assertEquals(1, wrong.code());
    assertTrue(wrong.err().contains("does not match the fingerprint"), wrong.err());
    assertEquals(1, wrong.err().trim().split("\n").length, wrong.err());
    CliTest.Run ok = CliTest.run("eval", m.toString(), "--base", mlp.toString(), "--json");
    assertEquals(0, ok.code(), ok.err());
    assertEquals(number(r.out(), "test_accuracy"), number(ok.out(), "accuracy"), 1e-9);
    CliTest.Run noBase = CliTest.run("export", m.toString(), "-o", dir.resolve("pm.sdz").toString());
    assertEquals(1, noBase.code());
    assertTrue(noBase.err().contains("pass the base model"), noBase.err());
    CliTest.Run x = CliTest.run("export", m.toString(), "--base", mlp.toString(), "-o",
        dir.resolve("pm.sdz").toString());
    assertEquals(0, x.code(), x.err());
    assertTrue(x.out().contains("samediff"), x.out());
    Dataset raw = Datasets.load("digits", new Datasets.Options(null, false, 0)).test().head(5);
    StringBuilder rows = new StringBuilder();
    for (int row = 0; row < raw.rows(); row++) {
      for (int c = 0; c < raw.cols(); c++) {
        rows.append(c == 0 ? "" : ",").append(raw.features()[row * raw.cols() + c]);
      }
      rows.append('\n');
    }
    Path csv = Files.writeString(dir.resolve("five.csv"), rows);
    CliTest.Run pn = CliTest.run("predict", m.toString(), csv.toString());
    assertEquals(1, pn.code());
    assertTrue(pn.err().contains("pass the base model"), pn.err());
    CliTest.Run pb = CliTest.run("predict", m.toString(), csv.toString(), "--base", mlp.toString());
    assertEquals(0, pb.code(), pb.err());
    assertEquals(5, pb.out().trim().split("\n").length, pb.out());
    CliTest.Run verify = CliTest.run("verify", m.toString());
    assertEquals(1, verify.code());
    assertTrue(verify.err().contains("pass the base model"), verify.err());
    CliTest.Run i = CliTest.run("inspect", m.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("pretrained") && i.out().contains("samediff:mlp.sdz"), i.out());
  }

  @Test
  void badInputsAreOneLineWithTheirExitCode() throws Exception {
    StringBuilder csv = new StringBuilder();
    for (int r = 0; r < 40; r++) {
      for (int c = 0; c < 10; c++) {
        csv.append(r % 2 + 0.1 * c).append(',');
      }
      csv.append(r % 10).append('\n');
    }
    Path small = dir.resolve("small.csv");
    Files.writeString(small, csv);
    StringBuilder three = new StringBuilder();
    for (int r = 0; r < 30; r++) {
      for (int c = 0; c < 64; c++) {
        three.append(0.01 * c).append(',');
      }
      three.append(r % 3).append('\n');
    }
    Path threeClasses = dir.resolve("three.csv");
    Files.writeString(threeClasses, three);
    Path out = dir.resolve("bad.lotta");
    String[][] cases = {
        {"1", "no such model file", dir.resolve("missing.sdz").toString()},
        {"2", "matched no weight of the graph; candidates: w1 [64, 32], w2 [10, 32]", mlp.toString(), "--targets",
            "fc*"},
        {"2", "'b1' has shape [32], not a 2-D weight", mlp.toString(), "--targets", "b1"},
        {"2", "takes examples of shape [64] (64 values) but small.csv/train has rows of shape [10]",
            mlp.toString(), "--dataset", small.toString()},
        {"2", "--rank must be at least 1, got 0", mlp.toString(), "--rank", "0"},
        {"2", "output 'logits' has 10 values per example but the data has 3 classes", mlp.toString(), "--dataset",
            threeClasses.toString()},
        {"2", "part 'w3' matched no weight", mlp.toString(), "--targets", "w1,w3"},
        {"1", "is not a SameDiff graph file", small.toString()},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length - 2 + 5];
      args[0] = "adapt";
      System.arraycopy(c, 2, args, 1, c.length - 2);
      System.arraycopy(new String[] {"--epochs", "1", "--out", out.toString()}, 0, args, c.length - 1, 4);
      CliTest.Run r = CliTest.run(args);
      assertEquals(Integer.parseInt(c[0]), r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains(c[1]), r.err());
      assertEquals(1, r.err().trim().split("\n").length, "one line: " + r.err());
      assertFalse(Files.exists(out), "nothing written: " + String.join(" ", args));
    }
  }

  @Test
  void anInterruptedRunResumesFromItsCheckpointAndDropoutIsRecorded() throws Exception {
    Path m = dir.resolve("resume.lotta");
    CliTest.Run first = CliTest.run("adapt", mlp.toString(), "--rank", "4", "--epochs", "2", "--lr", "1e-2",
        "--batch", "32", "--dropout", "0.1", "--out", m.toString(), "--json");
    assertEquals(0, first.code(), first.err());
    assertEquals(0.1, number(first.out(), "dropout"), 0);
    CliTest.Run more = CliTest.run("adapt", mlp.toString(), "--epochs", "4", "--lr", "1e-2", "--batch", "32",
        "--resume", "--out", m.toString(), "--json");
    assertEquals(0, more.code(), more.err());
    assertEquals(2, number(more.out(), "resumed_after_epoch"), 0, more.out());
    assertEquals(0.1, number(more.out(), "dropout"), 0, "the checkpoint's adapter wins: " + more.out());
    CliTest.Run inspect = CliTest.run("inspect", m.toString());
    assertTrue(inspect.out().contains("4 epochs") && inspect.out().contains("adapter dropout 0.1"), inspect.out());
    CliTest.Run done = CliTest.run("adapt", mlp.toString(), "--epochs", "4", "--resume", "--out", m.toString());
    assertEquals(2, done.code(), done.err());
    assertTrue(done.err().contains("already trained 4 epochs"), done.err());
    CliTest.Run wrong = CliTest.run("adapt", other.toString(), "--epochs", "6", "--resume", "--out", m.toString());
    assertEquals(1, wrong.code(), wrong.err());
    assertTrue(wrong.err().contains("another SHA-256"), wrong.err());
  }
}
