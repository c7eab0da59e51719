package org.lottalora.models.decision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.engine.Param;
import org.lottalora.models.transformer.Gradients;
import org.lottalora.models.transformer.Targets;

/**
 * The Decision Transformer: gradients of every trained array against finite differences (discrete and continuous
 * tasks, windows of different lengths), the causal mask (a later token never changes an earlier prediction), the
 * continuous head's bounds, and what is trained.
 */
class DecisionTransformerTest {
  static DecisionTransformer tiny(String env, boolean full, boolean trainTime) {
    Environment e = Environment.of(env);
    DecisionTransformer.Normalizer n = DecisionTransformer.Normalizer.of(
        Trajectories.generate(e, "medium", 2, 0).episodes(), e.stateDim());
    return new DecisionTransformer(new DecisionTransformer.Spec(env, 4, 8, 2, 2, 12, 3, InitSpec.DEFAULT,
        new AdapterConfig(2, 2.0, false, true, 0, false, 1), Targets.of(full, true), trainTime), n, null);
  }

  static DecisionTransformer.Window[] batch(String env) {
    Trajectories t = Trajectories.generate(Environment.of(env), "medium", 2, 4);
    Trajectories.Episode a = t.episodes().get(0);
    Trajectories.Episode b = t.episodes().get(1);
    return new DecisionTransformer.Window[] {DtTrainer.window(a, a.returnsToGo(), 3, 4),
        DtTrainer.window(b, b.returnsToGo(), 0, 2), DtTrainer.window(a, a.returnsToGo(), a.length() - 1, 4)};
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (String env : Environment.IDS) {
      for (boolean full : new boolean[] {false, true}) {
        DecisionTransformer m = tiny(env, full, true);
        for (Param p : m.params()) {
          if (p.name.endsWith("lora_B")) {
            for (int i = 0; i < p.v.length; i++) {
              p.v[i] = 0.3f * (float) Math.sin(i + p.name.length());
            }
          }
        }
        m.refresh();
        DecisionTransformer.Window[] b = batch(env);
        m.backward(b);
        int checked = Gradients.checkParams(m.params(), p -> p.name.equals("embed.time") ? new int[] {3 * 8, 8 + 5}
            : new int[] {0, p.v.length - 1}, m::refresh, () -> m.backward(b), 1e-3, 5e-4, 0.03);
        assertTrue(checked > 40, env + ": " + checked + " values");
      }
    }
  }

  @Test
  void aLaterTokenNeverChangesAnEarlierPrediction() {
    DecisionTransformer m = tiny("cartpole", false, false);
    DecisionTransformer.Window w = batch("cartpole")[0];
    float[][] before = m.outputs(new DecisionTransformer.Window[] {w})[0];
    float[][] actions = w.actions().clone();
    actions[3] = new float[] {1 - actions[3][0]};
    float[] rtg = w.returnsToGo().clone();
    rtg[3] += 50;
    float[][] after = m.outputs(new DecisionTransformer.Window[] {new DecisionTransformer.Window(rtg, w.states(),
        actions, w.timesteps())})[0];
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(before[i], after[i], "step " + i + " sees only itself and earlier steps");
    }
    assertNotEquals(before[3][0], after[3][0], "the return-to-go of a step conditions its prediction");
  }

  @Test
  void continuousActionsStayWithinTheTasksBounds() {
    DecisionTransformer m = tiny("pendulum", false, false);
    assertEquals(2f, m.action(new float[] {50f})[0], 1e-6f);
    assertEquals(-2f, m.action(new float[] {-50f})[0], 1e-6f);
    assertEquals(0f, m.action(new float[] {0f})[0], 1e-6f);
    assertEquals(1, tiny("cartpole", false, false).action(new float[] {-1f, 3f})[0]);
  }

  @Test
  void windowsLongerThanTheContextAreRefused() {
    DecisionTransformer m = tiny("cartpole", false, false);
    Trajectories.Episode e = Trajectories.generate(new CartPole(), "expert", 1, 0).episodes().get(0);
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> m.outputs(
        new DecisionTransformer.Window[] {DtTrainer.window(e, e.returnsToGo(), 0, 5)}));
    assertTrue(x.getMessage().contains("this model takes 1 to 4 (its context)"), x.getMessage());
  }

  @Test
  void theTimestepTableIsTrainedOnlyWhenAsked() {
    List<String> frozen = tiny("cartpole", false, false).params().stream().map(p -> p.name).toList();
    List<String> trained = tiny("cartpole", false, true).params().stream().map(p -> p.name).toList();
    assertTrue(!frozen.contains("embed.time") && trained.contains("embed.time"), frozen.toString());
    assertTrue(frozen.contains("blocks.0.attn.q.lora_A"), frozen.toString());
    assertTrue(frozen.stream().anyMatch(n -> n.startsWith("blocks.1.mlp") && n.endsWith("lora_B")), frozen.toString());
    assertTrue(frozen.contains("embed.state.weight") && frozen.contains("head.weight") && frozen.contains("embed.action"));
  }
}
