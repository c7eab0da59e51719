package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.ScaffoldSchedule;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;

/** Scaffold resampling (meta-LoRA): each schedule trains, is reproducible, and ends on the model's own scaffold. */
class ScaffoldScheduleTest {
  @TempDir
  static Path dir;
  static DataSplits digits;
  static final TrainConfig CFG = new TrainConfig(4, 64, 1e-2, 1e-2, 0, true, 0, 5);

  @BeforeAll
  static void data() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
  }

  static ModelSpec spec() {
    return new ModelSpec("mlp", 64, 10, new int[] {48, 24}, 0, 9, InitSpec.DEFAULT, AdapterConfig.defaults(4), false);
  }

  @Test
  void everyScheduleTrainsReproduciblyAndSavesOnItsOwnScaffold() {
    float[] fixed = null;
    for (String s : List.of("fixed", "epoch", "cycle:2", "subbatch:3")) {
      ScaffoldSchedule sch = ScaffoldSchedule.parse(s);
      LottaModel a = LottaModel.create(spec());
      TrainReport ra = a.train(digits, CFG, sch, Progress.silent());
      LottaModel b = LottaModel.create(spec());
      TrainReport rb = b.train(digits, CFG, sch, Progress.silent());
      assertEquals(ra.testAccuracy(), rb.testAccuracy(), 0.0, s + " is reproducible");
      assertTrue(ra.testAccuracy() > 0.3, s + " learns (chance is 0.1): " + ra.testAccuracy());
      // the saved artifact regenerates scaffold 0: if training had left another scaffold in the graph, the
      // reloaded model would predict differently
      Path p = dir.resolve(s.replace(":", "") + ".lotta");
      a.save(p, a.provenance("digits", CFG, 0, ra, 1), LottaModel.SaveOptions.defaults());
      float[] x = java.util.Arrays.copyOf(digits.test().features(), 64);
      assertArrayEquals(a.predict(x), LottaModel.load(p).predict(x), 0f, s);
      assertEquals(ra.testAccuracy(), LottaModel.load(p).accuracy(digits.test()), 0.0, s);
      float[] lora = a.graph().trainedValues().get("layers.0.lora_B");
      if (fixed == null) {
        fixed = lora;
      } else {
        assertNotEquals(java.util.Arrays.toString(fixed), java.util.Arrays.toString(lora), s + " changes training");
      }
    }
  }

  @Test
  void badSchedulesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ScaffoldSchedule.parse("cycle:1"));
    assertThrows(IllegalArgumentException.class, () -> ScaffoldSchedule.parse("weekly"));
    LottaModel full = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {8}, 0, 9, InitSpec.DEFAULT,
        AdapterConfig.defaults(1), true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> full.train(digits, CFG, ScaffoldSchedule.parse("epoch"), Progress.silent()));
    assertTrue(e.getMessage().contains("no frozen scaffold"), e.getMessage());
    assertEquals(9, ScaffoldSchedule.seedOf(9, 0));
    assertNotEquals(ScaffoldSchedule.seedOf(9, 1), ScaffoldSchedule.seedOf(9, 2));
  }
}
