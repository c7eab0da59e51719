package org.lottalora.models.snn;

/**
 * Input layer: its spikes are set from an encoded spike train each step ({@link #set}); it has no state
 * besides the traces.
 */
public final class InputNodes extends Nodes {
  private int[][] pending;

  InputNodes(NodeSpec spec, int batch, double dt) {
    super(spec, batch, dt);
  }

  /** The spiking input indices of each batch row for the coming step (null rows: silent). */
  public void set(int[][] indices) {
    this.pending = indices;
  }

  @Override
  protected void update(float[] ignored) {
    java.util.Arrays.fill(s, 0);
    if (pending == null) {
      return;
    }
    for (int b = 0; b < batch && b < pending.length; b++) {
      if (pending[b] == null) {
        continue;
      }
      for (int i : pending[b]) {
        s[b * n + i] = 1;
      }
    }
    pending = null;
  }

  @Override
  protected void resetState() {
    pending = null;
  }
}
