package org.lottalora.models.snn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records one layer while a network runs: spike counts per neuron (always), every spike as (step, batch row,
 * neuron) when asked, and the voltage of chosen neurons of batch row 0 at every step. {@link #clear} starts a new
 * recording; {@link SnnPlots} draws rasters and voltage traces from it.
 */
public final class Monitor {
  private final String layer;
  private final boolean keepSpikes;
  private final int[] voltageNeurons;
  private int[] counts;
  private int[] times = new int[256];
  private int[] rows = new int[256];
  private int[] neurons = new int[256];
  private int spikes;
  private final List<float[]> voltages = new ArrayList<>();

  /**
   * @param layer the layer to record
   * @param keepSpikes keep every spike (for rasters and firing orders), not only the counts
   * @param voltageNeurons neurons of batch row 0 whose voltage to keep (empty for none)
   */
  public Monitor(String layer, boolean keepSpikes, int... voltageNeurons) {
    this.layer = layer;
    this.keepSpikes = keepSpikes;
    this.voltageNeurons = voltageNeurons.clone();
  }

  void record(int t, Nodes nodes) {
    int n = nodes.size();
    if (counts == null || counts.length != nodes.batch() * n) {
      counts = new int[nodes.batch() * n];
    }
    for (int b = 0; b < nodes.batch(); b++) {
      int[] sp = nodes.spiking(b);
      for (int k = 0, c = nodes.spikeCount(b); k < c; k++) {
        counts[b * n + sp[k]]++;
        if (keepSpikes) {
          if (spikes == times.length) {
            times = Arrays.copyOf(times, spikes * 2);
            rows = Arrays.copyOf(rows, spikes * 2);
            neurons = Arrays.copyOf(neurons, spikes * 2);
          }
          times[spikes] = t;
          rows[spikes] = b;
          neurons[spikes] = sp[k];
          spikes++;
        }
      }
    }
    if (voltageNeurons.length > 0) {
      float[] v = nodes.voltage();
      float[] snap = new float[voltageNeurons.length];
      for (int k = 0; k < voltageNeurons.length; k++) {
        int j = voltageNeurons[k];
        if (j < 0 || j >= n) {
          throw new IllegalArgumentException("monitor of layer '" + layer + "': neuron " + j + " is outside 0.." + (n
              - 1));
        }
        snap[k] = v == null ? 0 : v[j];
      }
      voltages.add(snap);
    }
  }

  /** Forgets what was recorded. */
  public void clear() {
    if (counts != null) {
      Arrays.fill(counts, 0);
    }
    spikes = 0;
    voltages.clear();
  }

  /** The recorded layer's name. */
  public String layer() {
    return layer;
  }

  /** Spike counts [batch * n] since the last clear (null before the first step). */
  public int[] counts() {
    return counts;
  }

  /** Spike counts of batch row {@code b}. */
  public int[] counts(int b, int n) {
    return counts == null ? new int[n] : Arrays.copyOfRange(counts, b * n, (b + 1) * n);
  }

  /** Number of kept spikes. */
  public int spikeCount() {
    return spikes;
  }

  /** Step of kept spike k. */
  public int time(int k) {
    return times[k];
  }

  /** Batch row of kept spike k. */
  public int row(int k) {
    return rows[k];
  }

  /** Neuron of kept spike k. */
  public int neuron(int k) {
    return neurons[k];
  }

  /** The neurons of batch row {@code b} in firing order (by step, then index). */
  public int[] firingOrder(int b) {
    int[] out = new int[spikes];
    int c = 0;
    for (int k = 0; k < spikes; k++) {
      if (rows[k] == b) {
        out[c++] = neurons[k];
      }
    }
    return Arrays.copyOf(out, c);
  }

  /** Voltages [step][chosen neuron]. */
  public List<float[]> voltages() {
    return voltages;
  }

  /** The neurons whose voltage is kept. */
  public int[] voltageNeurons() {
    return voltageNeurons.clone();
  }
}
