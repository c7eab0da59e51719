package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code lottalora predict --spark} in the plain CLI, which carries no Spark: one line pointing at the Spark
 * launcher, and the Spark-only options refused without {@code --spark}. (Scoring itself: lottalora-spark's
 * SparkScoringTest.)
 */
class PredictSparkCliTest {
  @Test
  void withoutSparkOnTheClassPathSaysHowToRun() {
    CliTest.Run r = CliTest.run("predict", "m.lotta", "--spark", "local[2]", "--table", "t.parquet", "--out", "o");
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("lottalora-spark/lottalora-spark predict") && r.err().contains("spark-submit"),
        r.err());
  }

  @Test
  void sparkOptionsNeedSpark() {
    CliTest.Run r = CliTest.run("predict", "m.lotta", "--table", "t.parquet");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("go with --spark"), r.err());
    r = CliTest.run("predict", "m.lotta", "--spark", "local[2]", "--table", "t.parquet");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--spark needs --table IN and --out OUT"), r.err());
  }
}
