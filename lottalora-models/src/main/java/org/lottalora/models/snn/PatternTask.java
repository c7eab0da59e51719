package org.lottalora.models.snn;

import org.lottalora.core.backbone.Draws;

/**
 * The delay network's task: {@code patterns} spike-timing patterns over {@code inputs} inputs, each input firing
 * once at a seeded step in [0, window); a presentation shifts every spike by a seeded jitter in
 * [-jitter, jitter] (kept inside the window). The patterns fire the same inputs the same number of times, so only
 * timing tells them apart. Training makes output k fire at {@code targetStep} for pattern k (a teacher current of
 * {@code teacher} at that step; the other outputs are held down by {@code -teacher} throughout) and lets delay-STDP
 * align the arrivals there.
 *
 * @param patterns how many patterns (classes)
 * @param inputs input neurons
 * @param window the steps a pattern spans
 * @param jitter the largest shift of one spike, in steps
 * @param targetStep when the teacher makes the right output fire
 * @param teacher the teacher current
 */
public record PatternTask(int patterns, int inputs, int window, int jitter, int targetStep, double teacher) {
  /** Validates. */
  public PatternTask {
    if (patterns < 2 || inputs < 1 || window < 1 || jitter < 0) {
      throw new IllegalArgumentException("a pattern task needs >= 2 patterns, >= 1 input, window >= 1, jitter >= 0");
    }
    if (targetStep < window) {
      throw new IllegalArgumentException("the target step (" + targetStep + ") must come after the pattern window ("
          + window + ")");
    }
  }

  /** The base spike step of input i in pattern k. */
  public int[][] base(long seed) {
    Draws d = new Draws(seed, "snn.patterns");
    int[][] t = new int[patterns][inputs];
    for (int k = 0; k < patterns; k++) {
      for (int i = 0; i < inputs; i++) {
        t[k][i] = d.below(window);
      }
    }
    return t;
  }

  /** One jittered presentation of pattern {@code k} over {@code steps} steps, drawn from {@code draws}. */
  public SpikeTrain present(int[][] base, int k, int steps, Draws draws) {
    java.util.List<int[]> times = new java.util.ArrayList<>(inputs);
    for (int i = 0; i < inputs; i++) {
      int shift = jitter == 0 ? 0 : draws.below(2 * jitter + 1) - jitter;
      int t = Math.min(window - 1, Math.max(0, base[k][i] + shift));
      times.add(new int[] {Math.min(steps - 1, t)});
    }
    return SpikeTrain.fromTimes(steps, inputs, times);
  }
}
