package org.lottalora.models.snn;

/**
 * The spikes of {@code n} inputs over {@code steps} steps: {@code spikes[t]} lists the indices that spike at step t
 * (ascending, possibly empty).
 *
 * @param steps how many steps
 * @param n how many inputs
 * @param spikes per step, the spiking indices
 */
public record SpikeTrain(int steps, int n, int[][] spikes) {
  /** Total spikes. */
  public long count() {
    long c = 0;
    for (int[] s : spikes) {
      c += s.length;
    }
    return c;
  }

  /** Spike counts per input. */
  public int[] countsPerInput() {
    int[] c = new int[n];
    for (int[] s : spikes) {
      for (int i : s) {
        c[i]++;
      }
    }
    return c;
  }

  /** A train from per-input spike step lists (each ascending or not; duplicates within a step collapse). */
  static SpikeTrain fromTimes(int steps, int n, java.util.List<int[]> timesPerInput) {
    int[] perStep = new int[steps];
    for (int[] times : timesPerInput) {
      for (int t : times) {
        perStep[t]++;
      }
    }
    int[][] out = new int[steps][];
    for (int t = 0; t < steps; t++) {
      out[t] = new int[perStep[t]];
    }
    int[] fill = new int[steps];
    for (int i = 0; i < n; i++) {
      for (int t : timesPerInput.get(i)) {
        out[t][fill[t]++] = i;
      }
    }
    for (int t = 0; t < steps; t++) {
      out[t] = java.util.Arrays.stream(out[t]).distinct().sorted().toArray();
    }
    return new SpikeTrain(steps, n, out);
  }
}
