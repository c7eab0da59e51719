package org.lottalora.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The one schedule: a linear warm-up to the peak, a half cosine down to the floor at the last step, a constant rate
 * without the cosine, the encoders' former inline formula reproduced exactly by floor 0.05 without warm-up, and a
 * floor outside [0, 1] refused.
 */
class CosineScheduleTest {
  @Test
  void warmsUpThenDecaysToItsFloor() {
    CosineSchedule s = new CosineSchedule(1e-3, 10, 110, true, 0.1);
    assertEquals(1e-4, s.at(0), 1e-12);
    assertEquals(1e-3, s.at(9), 1e-12);
    assertEquals(1e-3, s.at(10), 1e-12);
    assertEquals(1e-3 * (0.1 + 0.9 * 0.5), s.at(60), 1e-12);
    assertEquals(1e-4, s.at(110), 1e-12);
    assertEquals(1e-4, s.at(500), 1e-12);
    assertEquals(0, new CosineSchedule(1, 0, 10, true).at(10), 1e-12);
    assertEquals(2, new CosineSchedule(2, 0, 10, false).at(7), 0);
  }

  @Test
  void reproducesTheEncodersFormerSchedule() {
    int steps = 37;
    double lr = 3e-3;
    CosineSchedule s = new CosineSchedule(lr, 0, steps, true, 0.05);
    for (int step = 1; step <= steps; step++) { // ViT/text before: lr (0.05 + 0.95 cos-half((step - 1) / steps))
      double before = lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * (step - 1) / steps)));
      assertEquals(before, s.at(step - 1), 1e-15);
    }
  }

  @Test
  void refusesAFloorOutsideZeroToOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CosineSchedule(1, 0, 10, true, 1.5));
    assertEquals("a schedule's floor is a fraction of the peak rate in [0, 1], got 1.5", e.getMessage());
  }
}
