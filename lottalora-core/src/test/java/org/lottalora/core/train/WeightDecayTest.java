package org.lottalora.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.engine.Adam;
import org.lottalora.core.engine.Param;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one weight-decay rule, by tensor name, and the engine's optimizer (plus SameDiff's fit) following it: with a zero
 * gradient Adam moves nothing, so whatever changes in a step is decay alone.
 */
class WeightDecayTest {
  @Test
  void theRuleByTensorName() {
    for (String yes : List.of("layers.0.weight", "head.weight", "conv.weight", "patch.weight", "layers.1.lora_A",
        "blocks.0.attn.q.lora_B", "gin.0.1.weight")) {
      assertTrue(WeightDecay.appliesTo(yes), yes);
    }
    for (String no : List.of("layers.0.beta", "layers.0.bias", "head.bias", "layers.0.dora_m", "layers.0.ln.gain",
        "layers.0.ln.bias", "conv.bn.gamma", "conv.bn.shift", "blocks.0.norm1.gain", "final_norm.gain",
        "tok.embedding", "pos", "cls")) {
      assertFalse(WeightDecay.appliesTo(no), no);
    }
  }

  @Test
  void theEnginesAdamDecaysALoraFactorButNotABeta() {
    Param beta = new Param("l.beta", new float[] {1f});
    Param a = new Param("l.lora_A", new float[] {1f, 2f});
    Param m = new Param("l.dora_m", new float[] {1f});
    Adam.step(List.of(beta, a, m), 0.1, 0.5, 1);
    assertEquals(1f, beta.v[0], 0f);
    assertEquals(1f, m.v[0], 0f);
    assertEquals(1 - 0.1 * 0.5, a.v[0], 1e-6);
    assertEquals(2 * (1 - 0.1 * 0.5), a.v[1], 1e-6);
  }

  @Test
  void sameDiffsFitDecaysALoraFactorButNotABeta() {
    SameDiff sd = SameDiff.create();
    sd.var("l.beta", Nd4j.ones(DataType.FLOAT, 1));
    sd.var("l.lora_A", Nd4j.ones(DataType.FLOAT, 2, 3));
    sd.constant("l.weight", Nd4j.ones(DataType.FLOAT, 2, 3)); // frozen: never touched
    DecayListener d = new DecayListener(new CosineSchedule(0.1, 0, 10, false), 0.5);
    assertEquals(List.of("l.lora_A"), DecayListener.decayed(sd));
    d.before(sd, 0.1);
    sd.getArrForVarName("l.lora_A").subi(0.25); // the optimizer's update comes between
    d.after(sd);
    assertEquals(1f, sd.getArrForVarName("l.beta").getFloat(0), 0f);
    assertEquals(1f, sd.getArrForVarName("l.weight").getFloat(0), 0f);
    // p - update - lr wd p, with p the value before the step
    assertEquals(1 - 0.25 - 0.1 * 0.5, sd.getArrForVarName("l.lora_A").getFloat(4), 1e-6);
  }
}
