package org.lottalora.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;

/**
 * Checkpoint and resume of the shared epoch loop: a run stopped after an epoch and resumed from its checkpoint ends
 * with the same bits (arrays, curve, best epoch) as one never stopped, Adam moments included; a checkpoint of
 * another run, or a file that is not one, is refused in one line.
 */
class EpochCheckpointTest {
  @TempDir
  Path dir;

  @AfterEach
  void clear() {
    Interruption.clear();
  }

  /** Linear regression y = x . (1, 2, 3) with Adam; validation is minus the mean squared error. */
  static final class Regression implements EpochLoop.Task {
    final Param w = new Param("w", new float[3]);
    final List<Param> params = List.of(w);
    final int stopAtStep;
    int steps;
    final List<Integer> epochsStarted = new java.util.ArrayList<>();

    Regression(int stopAtStep) {
      this.stopAtStep = stopAtStep;
    }

    static float[] x(int i) {
      return new float[] {(float) Math.sin(i), (float) Math.cos(3 * i), i % 3 - 1f};
    }

    static float y(int i) {
      float[] x = x(i);
      return x[0] + 2 * x[1] + 3 * x[2];
    }

    @Override
    public int examples() {
      return 13;
    }

    @Override
    public double backward(int[] batch) {
      if (++steps == stopAtStep) {
        Interruption.request(); // as Ctrl-C would, during this step
      }
      java.util.Arrays.fill(w.g, 0f);
      double loss = 0;
      for (int i : batch) {
        float[] x = x(i);
        float e = w.v[0] * x[0] + w.v[1] * x[1] + w.v[2] * x[2] - y(i);
        loss += e * e / batch.length;
        for (int k = 0; k < 3; k++) {
          w.g[k] += 2 * e * x[k] / batch.length;
        }
      }
      return loss;
    }

    @Override
    public void update(double lr, int step) {
      Adam.step(params, lr, 0, step);
    }

    @Override
    public double validate() {
      double mse = 0;
      for (int i = 100; i < 110; i++) {
        float[] x = x(i);
        float e = w.v[0] * x[0] + w.v[1] * x[1] + w.v[2] * x[2] - y(i);
        mse += e * e / 10;
      }
      return -mse;
    }

    @Override
    public Map<String, float[]> snapshot() {
      return Params.copy(params);
    }

    @Override
    public void restore(Map<String, float[]> arrays) {
      Params.restore(params, arrays, "the regression");
    }

    @Override
    public List<Param> params() {
      return params;
    }

    @Override
    public void startEpoch(int epoch) {
      epochsStarted.add(epoch);
    }
  }

  private static EpochLoop.Settings settings() {
    return new EpochLoop.Settings("reg", 6, 4, e -> "reg.epoch." + e, 3, step -> 0.05 / (1 + step / 10.0), false,
        0);
  }

  @Test
  void aResumedRunEndsWithTheBitsOfOneNeverStopped() {
    Regression straight = new Regression(0);
    EpochLoop.Outcome a = EpochLoop.run(straight, settings(), Progress.silent());

    Path file = dir.resolve("reg.ckpt");
    Regression first = new Regression(4 * 2 + 1); // stopped during epoch 3 (4 steps an epoch)
    EpochLoop.Outcome b;
    try (Checkpointing c = Checkpointing.open(file, false, "lr=0.05")) {
      b = EpochLoop.run(first, settings(), Progress.silent());
    }
    assertTrue(b.interrupted());
    assertEquals(2, b.history().size(), "epochs 1 and 2 finished");
    assertTrue(Files.isRegularFile(file));
    Interruption.clear();

    Regression resumed = new Regression(0); // a fresh process: its arrays start from scratch
    EpochLoop.Outcome c;
    try (Checkpointing ck = Checkpointing.open(file, true, "lr=0.05")) {
      c = EpochLoop.run(resumed, settings(), Progress.silent());
    }
    assertEquals(List.of(3, 4, 5, 6), resumed.epochsStarted, "it goes on after the saved epoch");
    assertArrayEquals(straight.w.v, resumed.w.v, "the same bits as the run never stopped");
    assertArrayEquals(straight.w.m, resumed.w.m, "Adam's moments too");
    assertEquals(a.history(), c.history());
    assertEquals(a.bestEpoch(), c.bestEpoch());
    assertEquals(a.bestValidation(), c.bestValidation());
    assertEquals(a.examplesSeen(), c.examplesSeen());
  }

  @Test
  void anotherRunsCheckpointOrAnotherFileIsRefused() throws Exception {
    Path file = dir.resolve("reg.ckpt");
    try (Checkpointing c = Checkpointing.open(file, false, "lr=0.05")) {
      EpochLoop.run(new Regression(0), settings(), Progress.silent());
    }
    LottaException other;
    try (Checkpointing c = Checkpointing.open(file, true, "lr=0.1")) {
      other = assertThrows(LottaException.class, () -> EpochLoop.run(new Regression(0), settings(),
          Progress.silent()));
    }
    assertTrue(other.getMessage().contains("belongs to another run") && other.getMessage().contains("lr=0.1"),
        other.getMessage());
    Path junk = dir.resolve("junk.ckpt");
    Files.writeString(junk, "not a checkpoint");
    LottaException notOne;
    try (Checkpointing c = Checkpointing.open(junk, true, "lr=0.05")) {
      notOne = assertThrows(LottaException.class, () -> EpochLoop.run(new Regression(0), settings(),
          Progress.silent()));
    }
    assertTrue(notOne.getMessage().contains("is not an epoch-loop checkpoint"), notOne.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> Checkpointing.open(dir.resolve("none.ckpt"), true, ""));
    assertTrue(missing.getMessage().contains("no checkpoint at"), missing.getMessage());
    assertEquals(null, Checkpointing.current(), "the scope closes");
  }
}
