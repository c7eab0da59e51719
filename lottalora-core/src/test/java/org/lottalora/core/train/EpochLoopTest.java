package org.lottalora.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared epoch loop's rules, on a task whose "model" is one number and whose validation is scripted. */
class EpochLoopTest {
  /** w grows by the rate each step; validation reads a script per epoch; a NaN loss can be planted. */
  static class Scripted implements EpochLoop.Task {
    float[] w = {0f};
    final double[] val;
    final int nanAtStep;
    int validations;
    int steps;
    final List<int[]> batches = new ArrayList<>();

    Scripted(double[] val, int nanAtStep) {
      this.val = val;
      this.nanAtStep = nanAtStep;
    }

    @Override
    public int examples() {
      return 10;
    }

    @Override
    public double backward(int[] batch) {
      batches.add(batch);
      return ++steps == nanAtStep ? Double.NaN : 1.0;
    }

    @Override
    public void update(double lr, int step) {
      w[0] += (float) lr;
    }

    @Override
    public double validate() {
      return val[validations++];
    }

    @Override
    public Map<String, float[]> snapshot() {
      Map<String, float[]> m = new HashMap<>();
      m.put("w", w.clone());
      return m;
    }

    @Override
    public void restore(Map<String, float[]> arrays) {
      w = arrays.get("w").clone();
    }
  }

  private static EpochLoop.Settings settings(int epochs, boolean scoreFirst, int patience) {
    return new EpochLoop.Settings("t", epochs, 4, e -> "t.epoch." + e, 7, step -> 1.0, scoreFirst, patience);
  }

  @Test
  void keepsTheBestEpochStrictlyAndRestoresItsArrays() {
    Scripted t = new Scripted(new double[] {0.5, 0.7, 0.7, 0.6}, 0);
    EpochLoop.Outcome o = EpochLoop.run(t, settings(4, false, 0), Progress.silent());
    assertEquals(2, o.bestEpoch(), "a tie keeps the earlier epoch");
    assertEquals(0.7, o.bestValidation());
    assertEquals(6f, t.w[0], "3 steps an epoch (10 examples, batches of 4): the arrays after epoch 2");
    assertEquals(List.of(0.5, 0.7, 0.7, 0.6), o.history());
    assertEquals(40, o.examplesSeen());
  }

  @Test
  void everyEpochVisitsEachExampleOnceInASeededOrder() {
    Scripted a = new Scripted(new double[] {1, 1}, 0);
    Scripted b = new Scripted(new double[] {1, 1}, 0);
    EpochLoop.run(a, settings(2, false, 0), Progress.silent());
    EpochLoop.run(b, settings(2, false, 0), Progress.silent());
    assertEquals(6, a.batches.size());
    for (int i = 0; i < a.batches.size(); i++) {
      assertArrayEquals(a.batches.get(i), b.batches.get(i), "same seed, same order");
    }
    boolean[] seen = new boolean[10];
    a.batches.subList(0, 3).forEach(batch -> {
      for (int x : batch) {
        seen[x] = true;
      }
    });
    for (boolean s : seen) {
      assertTrue(s);
    }
  }

  @Test
  void anUntrainedModelThatIsNotBeatenIsKeptWhenScoredFirst() {
    Scripted t = new Scripted(new double[] {0.9, 0.5, 0.6}, 0);
    EpochLoop.Outcome o = EpochLoop.run(t, settings(2, true, 0), Progress.silent());
    assertEquals(0, o.bestEpoch());
    assertEquals(0f, t.w[0]);
  }

  @Test
  void stopsAfterPatienceEpochsWithoutImprovement() {
    Scripted t = new Scripted(new double[] {0.8, 0.7, 0.6, 0.9, 0.95}, 0);
    EpochLoop.Outcome o = EpochLoop.run(t, settings(5, false, 2), Progress.silent());
    assertEquals(3, o.history().size(), "epochs 2 and 3 did not improve: stop");
    assertEquals(1, o.bestEpoch());
  }

  @Test
  void anInterruptionStopsAfterTheStepAndKeepsTheBestFinishedEpoch() {
    Scripted t = new Scripted(new double[] {0.5, 0.9, 0.95}, 0) {
      @Override
      public double backward(int[] batch) {
        if (steps == 4) {
          Interruption.request(); // Ctrl-C during epoch 2's second step
        }
        return super.backward(batch);
      }
    };
    try {
      EpochLoop.Outcome o = EpochLoop.run(t, settings(3, false, 0), Progress.silent());
      assertTrue(o.interrupted());
      assertEquals(1, o.bestEpoch());
      assertEquals(List.of(0.5), o.history(), "the unfinished epoch is not validated");
      assertEquals(3f, t.w[0], "epoch 1's arrays");
    } finally {
      Interruption.clear();
    }
  }

  @Test
  void aNonFiniteLossRestoresTheBestArraysAndNamesTheStep() {
    Scripted t = new Scripted(new double[] {0.5, 0.9}, 5);
    LossGuard.Diverged e = assertThrows(LossGuard.Diverged.class,
        () -> EpochLoop.run(t, settings(3, false, 0), Progress.silent()));
    assertTrue(e.getMessage().contains("step 5"), e.getMessage());
    assertEquals(3f, t.w[0], "the arrays of epoch 1, the best so far, not the NaN step's");
  }

  /** The Scripted task by steps: step k trains on example {k % 10}, w is a trained Param for checkpoints. */
  static class Stepped extends Scripted {
    final org.lottalora.core.engine.Param p = new org.lottalora.core.engine.Param("w", new float[] {0f});

    Stepped(double[] val, int nanAtStep) {
      super(val, nanAtStep);
      w = p.v;
    }

    @Override
    public int[] draw(int step) {
      return new int[] {step % 10};
    }

    @Override
    public void update(double lr, int step) {
      p.v[0] += (float) (lr * step); // depends on the step, so a resumed run must continue at the right one
    }

    @Override
    public void restore(Map<String, float[]> arrays) {
      System.arraycopy(arrays.get("w"), 0, p.v, 0, 1);
    }

    @Override
    public List<org.lottalora.core.engine.Param> params() {
      return List.of(p);
    }
  }

  @Test
  void byStepsItValidatesEveryIntervalAndKeepsTheBestValidationsStep() {
    Stepped t = new Stepped(new double[] {0.5, 0.9, 0.7}, 0);
    EpochLoop.Outcome o = EpochLoop.run(t, EpochLoop.Settings.steps("t", 10, 4, 1, step -> 1.0, false, 0),
        Progress.silent());
    assertEquals(List.of(0.5, 0.9, 0.7), o.history(), "after steps 4, 8 and the last, 10");
    assertEquals(8, o.bestEpoch(), "the kept validation's step");
    assertEquals(36f, t.p.v[0], "the arrays after step 8: 1 + 2 + ... + 8");
    assertEquals(10, t.batches.size());
    assertEquals(3, o.losses().size());
    assertEquals(1.0, o.tailLoss(), "the last step's loss (10% of 10 steps)");
    assertTrue(!o.stopped() && !o.interrupted());
  }

  @Test
  void byStepsPatienceCountsValidations() {
    Stepped t = new Stepped(new double[] {0.8, 0.7, 0.6, 0.9}, 0);
    EpochLoop.Outcome o = EpochLoop.run(t, EpochLoop.Settings.steps("t", 40, 5, 1, step -> 1.0, false, 2),
        Progress.silent());
    assertEquals(3, o.history().size());
    assertEquals(15, t.batches.size(), "stopped after the third validation, at step 15");
    assertEquals(5, o.bestEpoch());
  }

  @Test
  void byStepsANonFiniteLossRestoresTheBestValidation() {
    Stepped t = new Stepped(new double[] {0.5, 0.9}, 6);
    LossGuard.Diverged e = assertThrows(LossGuard.Diverged.class,
        () -> EpochLoop.run(t, EpochLoop.Settings.steps("t", 10, 4, 1, step -> 1.0, false, 0), Progress.silent()));
    assertTrue(e.getMessage().contains("step 6"), e.getMessage());
    assertEquals(10f, t.p.v[0], "the arrays of step 4");
  }

  @Test
  void byStepsARunStoppedInSlicesAndResumedEndsWithTheSameBits(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    EpochLoop.Settings s = EpochLoop.Settings.steps("t", 10, 4, 1, step -> 0.5, false, 0);
    Stepped whole = new Stepped(new double[] {0.5, 0.9, 0.95}, 0);
    EpochLoop.Outcome w = EpochLoop.run(whole, s, Progress.silent());
    java.nio.file.Path ck = dir.resolve("t.ckpt");
    Stepped first = new Stepped(new double[] {0.5, 0.9, 0.95}, 0);
    try (Checkpointing c = Checkpointing.open(ck, false, "k", 3, 6)) {
      EpochLoop.Outcome o = EpochLoop.run(first, s, Progress.silent());
      assertTrue(o.stopped(), "stopped after 6 of 10 steps");
      assertEquals(6, first.batches.size());
    }
    Stepped rest = new Stepped(new double[] {0.9, 0.95}, 0); // the first validation ran before the stop
    try (Checkpointing c = Checkpointing.open(ck, true, "k", 3, 0)) {
      EpochLoop.Outcome o = EpochLoop.run(rest, s, Progress.silent());
      assertEquals(w.history(), o.history());
      assertEquals(w.losses(), o.losses());
      assertEquals(w.tailLoss(), o.tailLoss());
      assertEquals(w.bestEpoch(), o.bestEpoch());
      assertEquals(List.of(7, 8, 9, 0), rest.batches.stream().map(b -> b[0]).toList(), "steps 7 to 10");
    }
    assertEquals(whole.p.v[0], rest.p.v[0]);
    try (Checkpointing c = Checkpointing.open(ck, true, "other", 3, 0)) {
      org.lottalora.core.LottaException e = assertThrows(org.lottalora.core.LottaException.class,
          () -> EpochLoop.run(new Stepped(new double[] {1}, 0), s, Progress.silent()));
      assertTrue(e.getMessage().contains("belongs to another run"), e.getMessage());
    }
  }

  @Test
  void byStepsAnInterruptionValidatesTheStepItStoppedAtAndKeepsTheBest() {
    Stepped t = new Stepped(new double[] {0.5, 0.9}, 0) {
      @Override
      public double backward(int[] batch) {
        if (steps == 5) {
          Interruption.request(); // Ctrl-C during step 6, between the validations at 4 and 8
        }
        return super.backward(batch);
      }
    };
    try {
      EpochLoop.Outcome o = EpochLoop.run(t, EpochLoop.Settings.steps("t", 10, 4, 1, step -> 1.0, false, 0),
          Progress.silent());
      assertTrue(o.interrupted());
      assertEquals(List.of(0.5, 0.9), o.history(), "validated at step 4 and at the interrupted step 6");
      assertEquals(6, o.bestEpoch());
      assertEquals(21f, t.p.v[0], "the arrays after step 6: 1 + ... + 6");
      assertEquals(6, t.batches.size());
    } finally {
      Interruption.clear();
    }
  }
}
