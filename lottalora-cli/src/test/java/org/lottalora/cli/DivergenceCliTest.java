package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;
import org.lottalora.core.train.LossGuard;

/**
 * Every training command fails a diverged run the same way: exit 1, the trainer's one line naming the step, and
 * the last good model saved only when training produced one (never the initial or a NaN model).
 */
class DivergenceCliTest {
  @TempDir
  Path dir;

  @Test
  void theLastGoodModelIsSavedOnlyWhenThereIsOne() {
    AtomicInteger saves = new AtomicInteger();
    Path out = dir.resolve("m.lotta");
    LottaException none = Divergence.kept(new LossGuard.Diverged(Double.NaN, 12, null), out, saves::incrementAndGet);
    assertEquals(0, saves.get());
    assertEquals("loss became NaN at step 12; the last good model is kept; lower --lr (it failed before a first "
        + "good epoch: nothing was written)", none.getMessage());
    LottaException kept = Divergence.kept(new LossGuard.Diverged(Double.POSITIVE_INFINITY, 300, "epoch 3"), out,
        saves::incrementAndGet);
    assertEquals(1, saves.get());
    assertTrue(kept.getMessage().endsWith("lower --lr (epoch 3 saved to " + out + ")"), kept.getMessage());
  }

  @Test
  void vitAndGraphTrainStopWithOneLineAndWriteNoNaNModel() {
    Path vit = dir.resolve("vit.lotta");
    CliTest.Run r = CliTest.run("vit", "train", "--data", "digits", "--width", "16", "--layers", "1",
        "--mlp-hidden", "16", "--epochs", "2", "--lr", "1e30", "--max-train", "200", "-o", vit.toString(), "--quiet");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().matches("(?s).*loss became (NaN|Infinity) at step \\d+; the last good model is kept; lower "
        + "--lr \\(it failed before a first good epoch: nothing was written\\).*"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(vit));
    Path g = dir.resolve("g.lotta");
    CliTest.Run gr = CliTest.run("graph", "train", "--data", "sbm:nodes=200,blocks=2,dims=8", "--epochs", "20",
        "--lr", "1e30", "-o", g.toString(), "--quiet");
    assertEquals(1, gr.code(), gr.out() + gr.err());
    assertTrue(gr.err().contains("loss became") && gr.err().contains("lower --lr"), gr.err());
    assertFalse(Files.exists(g));
  }

  @Test
  void aDoraVitTrainsSavesAndReloadsFromTheCli() {
    Path m = dir.resolve("dora.lotta");
    CliTest.Run r = CliTest.run("vit", "train", "--data", "digits", "--width", "16", "--layers", "1",
        "--mlp-hidden", "16", "--epochs", "1", "--max-train", "200", "--dora", "-o", m.toString(), "--quiet");
    assertEquals(0, r.code(), r.err()); // the command itself reloads the file and compares its test accuracy
    assertTrue(org.lottalora.format.ArtifactCodec.read(m).getAdapter().getDora());
  }

  @Test
  void aTransformerRefusesResidualAndLayerNormWhenBuilt() {
    Path m = dir.resolve("r.lotta");
    CliTest.Run r = CliTest.run("vit", "train", "--data", "digits", "--residual", "-o", m.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--residual does not apply to a ViT"), r.err());
    assertFalse(Files.exists(m));
  }
}
