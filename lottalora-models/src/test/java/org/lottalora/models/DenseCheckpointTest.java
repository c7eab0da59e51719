package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Checkpointing;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.train.Trainer;

/**
 * The dense families train on the one loop, so they checkpoint like every other family: a run stopped after its
 * first checkpoint and resumed from it ends with the bits of a run never stopped, for an MLP with dropout (masks drawn
 * per epoch and batch) and for a Plain-N CNN with BatchNorm (running statistics recalibrated each epoch).
 */
class DenseCheckpointTest {
  @TempDir
  Path dir;

  static final TrainConfig CONFIG = new TrainConfig(6, 64, 1e-2, 1e-2, 1, true, 0, 3);

  @Test
  void anMlpWithDropoutResumesToTheSameBits() throws Exception {
    resumesToTheSameBits(new ModelSpec("mlp", 64, 10, new int[] {48, 32}, 0.1, 5, InitSpec.DEFAULT,
        new AdapterConfig(4, 1.0, false, true, 0.0, false, 2), false), "mlp");
  }

  @Test
  void aCnnWithBatchNormResumesToTheSameBits() throws Exception {
    resumesToTheSameBits(new ModelSpec("cnn", 64, 10, new int[] {4, 8}, 0, 5, InitSpec.DEFAULT,
        new AdapterConfig(2, 1.0, false, true, 0.0, false, 2), false), "cnn");
  }

  private void resumesToTheSameBits(ModelSpec spec, String name) throws Exception {
    DataSplits digits = Datasets.load("digits", Datasets.Options.defaults());
    LottaModel straight = LottaModel.create(spec);
    TrainReport whole = straight.train(digits, CONFIG, Progress.silent());

    Path ck = dir.resolve(name + ".ckpt");
    LottaModel first = LottaModel.create(spec);
    Trainer stopping = new Trainer(CONFIG, Progress.silent());
    Thread watcher = new Thread(() -> { // stop once the first epoch's state is saved
      while (!Files.exists(ck)) {
        Thread.onSpinWait();
      }
      stopping.requestStop();
    });
    watcher.start();
    TrainReport stopped;
    try (Checkpointing c = Checkpointing.open(ck, false, name)) {
      stopped = first.train(digits, stopping);
    }
    watcher.join();
    LottaModel resumed = LottaModel.create(spec);
    TrainReport rest;
    try (Checkpointing c = Checkpointing.open(ck, true, name)) {
      rest = resumed.train(digits, new Trainer(CONFIG, Progress.silent()));
    }
    assertEquals(whole.testAccuracy(), rest.testAccuracy());
    assertEquals(whole.bestEpoch(), rest.bestEpoch());
    Map<String, float[]> a = straight.graph().trainedValues();
    Map<String, float[]> b = resumed.graph().trainedValues();
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    if (stopped.failure() != null) { // stopped mid-run (the usual case; a very fast run may finish first)
      assertTrue(stopped.failure().startsWith("interrupted at epoch "), stopped.failure());
      assertTrue(rest.epochs().size() < whole.epochs().size(), "the resumed run ran only the epochs left");
    }
  }
}
