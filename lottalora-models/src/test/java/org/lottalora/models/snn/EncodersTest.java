package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The encoders: rates, timing, seeding, and refusal of negative intensities. */
class EncodersTest {
  private static float[] ones(int n, float v) {
    float[] x = new float[n];
    Arrays.fill(x, v);
    return x;
  }

  @Test
  void poissonFiresAtTheRateOfRoundedUpExponentialGaps() {
    SpikeTrain t = new PoissonEncoder(100, 1).encode(ones(2000, 1f), 1000, 1.0, new Draws(1, "t"));
    double mean = Arrays.stream(t.countsPerInput()).average().orElseThrow();
    // gaps are ceil(Exp(10 steps)): mean 1 / (1 - e^-0.1) = 10.508 steps, so 95.2 spikes per 1,000 steps
    assertEquals(1000 / (1 / (1 - Math.exp(-0.1))), mean, 0.5);
    SpikeTrain half = new PoissonEncoder(100, 2).encode(ones(2000, 1f), 1000, 1.0, new Draws(1, "t"));
    double m2 = Arrays.stream(half.countsPerInput()).average().orElseThrow();
    assertEquals(1000 / (1 / (1 - Math.exp(-0.05))), m2, 0.4, "scale 2 halves the intensity");
    SpikeTrain zero = new PoissonEncoder(100, 1).encode(ones(5, 0f), 100, 1.0, new Draws(1, "t"));
    assertEquals(0, zero.count());
  }

  @Test
  void sameSeedAndKeySameSpikesOtherKeyOtherSpikes() {
    float[] x = ones(50, 0.7f);
    SpikeTrain a = new PoissonEncoder(60, 1).encode(x, 200, 1.0, new Draws(9, "k"));
    SpikeTrain b = new PoissonEncoder(60, 1).encode(x, 200, 1.0, new Draws(9, "k"));
    SpikeTrain c = new PoissonEncoder(60, 1).encode(x, 200, 1.0, new Draws(9, "other"));
    for (int s = 0; s < 200; s++) {
      assertArrayEquals(a.spikes()[s], b.spikes()[s]);
    }
    assertNotEquals(Arrays.deepToString(a.spikes()), Arrays.deepToString(c.spikes()));
  }

  @Test
  void bernoulliSpikesWithItsProbabilityPerStep() {
    SpikeTrain t = new BernoulliEncoder(0.2, 1).encode(ones(1000, 0.5f), 500, 1.0, new Draws(2, "b"));
    assertEquals(0.1 * 500, Arrays.stream(t.countsPerInput()).average().orElseThrow(), 0.5);
  }

  @Test
  void rankOrderFiresOnceBrightestFirst() {
    SpikeTrain t = new RankOrderEncoder(10).encode(new float[] {10, 5, 0, 2.5f}, 101, 1.0, new Draws(1, "r"));
    assertArrayEquals(new int[] {1, 1, 0, 1}, t.countsPerInput());
    assertArrayEquals(new int[] {0}, t.spikes()[0]);
    assertArrayEquals(new int[] {1}, t.spikes()[50]);
    assertArrayEquals(new int[] {3}, t.spikes()[75]);
  }

  @Test
  void negativeIntensitiesAndRatesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PoissonEncoder(10, 1).encode(new float[] {1, -0.5f}, 10, 1.0, new Draws(1, "x")));
    assertTrue(e.getMessage().contains("input 1 has intensity -0.5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new EncoderSpec("poisson", -3, 1));
    assertTrue(e.getMessage().contains("rate must be >= 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new EncoderSpec("bernoulli", 1.5, 1));
  }
}
