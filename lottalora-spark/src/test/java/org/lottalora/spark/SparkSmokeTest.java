package org.lottalora.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SparkSmokeTest {
  @Test
  void localSparkRuns() {
    SparkSession s = SparkSession.builder().master("local[2]").appName("smoke").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      long n = s.createDataset(List.of(1, 2, 3), org.apache.spark.sql.Encoders.INT()).count();
      assertEquals(3, n);
    } finally {
      s.stop();
    }
  }
}
