package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.proto.Training;

/**
 * One training record for every family: a ViT, a GCN, a GIN, an LSTM and a byte LM, trained through their own
 * commands and through {@code train --family}, each record their schedule (epochs, or steps for the LM), the data's
 * rows, the engine's threads and the kept validation point, and {@code inspect} shows the same training and metrics
 * lines for each (before, these families recorded only the data and the test accuracy).
 */
class TrainingRecordCliTest {
  @TempDir
  Path dir;

  @Test
  void everyEngineFamilyRecordsItsScheduleAndInspectShowsIt() throws Exception {
    Path vit = dir.resolve("vit.lotta");
    CliTest.Run v = CliTest.run("vit", "train", "--data", "digits", "--width", "16", "--layers", "1",
        "--mlp-hidden", "16", "--epochs", "2", "--batch", "32", "--lr", "2e-3", "--max-train", "200", "-o",
        vit.toString(), "--quiet");
    assertEquals(0, v.code(), v.err());
    Training t = ArtifactCodec.read(vit).getTraining();
    assertEquals(2, t.getConfig().getEpochs());
    assertEquals(0, t.getConfig().getSteps());
    assertEquals(32, t.getConfig().getBatchSize());
    assertEquals(2e-3, t.getConfig().getLearningRate());
    assertEquals(200, t.getDatasetRows());
    assertTrue(t.getThreads() >= 1);
    assertTrue(t.getMetrics().getBestEpoch() >= 1 && t.getMetrics().getBestValAccuracy() > 0, t.toString());
    assertTrue(t.getMetrics().getTrainableParams() > 0 && t.getMetrics().getModelParams()
        > t.getMetrics().getTrainableParams());
    String i = inspect(vit);
    assertTrue(i.contains("training   digits (200 rows), 2 epochs, batch 32, lr 0.002"), i);
    assertTrue(i.matches("(?s).*metrics    test accuracy \\d\\.\\d{4}, best validation \\d\\.\\d{4} at epoch \\d.*"),
        i);

    Path gcn = dir.resolve("gcn.lotta");
    CliTest.Run g = CliTest.run("train", "--family", "gcn", "--dataset", "sbm:nodes=200,blocks=2,dims=8",
        "--epochs", "4", "--rank", "2", "-o", gcn.toString(), "--quiet");
    assertEquals(0, g.code(), g.err());
    assertEquals(4, ArtifactCodec.read(gcn).getTraining().getConfig().getEpochs());
    assertEquals(200, ArtifactCodec.read(gcn).getTraining().getDatasetRows(), "nodes are a GCN's rows");
    String gi = inspect(gcn);
    assertTrue(gi.matches("(?s).*training   sbm:nodes=200,\\S* \\(200 rows\\), 4 epochs, batch 200, .*"), gi);

    Path gin = dir.resolve("gin.lotta");
    CliTest.Run n = CliTest.run("graph", "train", "--model", "gin", "--data", "synthetic:count=60,min=8,max=12",
        "--hidden", "8", "--rank", "2", "--epochs", "2", "--batch", "8", "-o", gin.toString(), "--quiet");
    assertEquals(0, n.code(), n.err());
    Training gt = ArtifactCodec.read(gin).getTraining();
    assertEquals(60, gt.getDatasetRows(), "graphs are a GIN's rows");
    assertEquals(8, gt.getConfig().getBatchSize());

    Path lstm = dir.resolve("lstm.lotta");
    CliTest.Run s = CliTest.run("sequence", "train", "--cell", "lstm", "--hidden", "8", "--rank", "2",
        "--epochs", "1", "--max-train", "100", "-o", lstm.toString(), "--quiet");
    assertEquals(0, s.code(), s.err());
    assertEquals(1, ArtifactCodec.read(lstm).getTraining().getConfig().getEpochs());
    assertTrue(inspect(lstm).contains(" 1 epochs, batch "), inspect(lstm));

    Path text = dir.resolve("small.txt");
    Files.writeString(text, "In the beginning God created the heaven and the earth. ".repeat(80));
    Path lm = dir.resolve("lm.lotta");
    CliTest.Run l = CliTest.run("lm", "train", "--data", text.toString(), "--preset", "tiny", "--steps", "3",
        "--batch", "2", "--seq-len", "16", "-o", lm.toString(), "--quiet");
    assertEquals(0, l.code(), l.err());
    Training lt = ArtifactCodec.read(lm).getTraining();
    assertEquals(3, lt.getConfig().getSteps());
    assertEquals(0, lt.getConfig().getEpochs());
    String li = inspect(lm);
    assertTrue(li.contains(", 3 steps, batch 2, "), li);
    assertTrue(li.contains("metrics    held-out loss "), li);
  }

  private String inspect(Path p) {
    CliTest.Run r = CliTest.run("inspect", p.toString());
    assertEquals(0, r.code(), r.err());
    return r.out();
  }
}
