package org.lottalora.core.model;

import java.util.Arrays;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;

/**
 * Everything that defines a model before training, as pure data: the family (a registry id, resolved by
 * lottalora-models), input and output sizes, hidden widths, dropout, the backbone seed and scaffold init,
 * the adapter settings, and whether this is the fully trained baseline.
 *
 * @param family registry id, e.g. {@code mlp}
 * @param inputDim features per sample
 * @param classes number of classes
 * @param widths hidden widths, in order
 * @param dropout dropout after each hidden activation, in [0, 1)
 * @param seed backbone seed
 * @param init scaffold init of the adapted weights
 * @param adapter adapter settings (its init seed is used in full mode too, for nothing else)
 * @param full train every weight from the same init instead of adapters: the recovery baseline
 */
public record ModelSpec(String family, int inputDim, int classes, int[] widths, double dropout, long seed,
    InitSpec init, AdapterConfig adapter, boolean full) {

  /** Validates sizes; family-specific rules live in the family. */
  public ModelSpec {
    widths = widths.clone();
    if (inputDim < 1) {
      throw new IllegalArgumentException("input dimension must be at least 1, got " + inputDim);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("need at least 2 classes, got " + classes);
    }
    for (int w : widths) {
      if (w < 1) {
        throw new IllegalArgumentException("hidden widths must be at least 1, got " + Arrays.toString(widths));
      }
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
  }

  /** Layer sizes from input to classes, e.g. {@code 784-512-256-128-64-10}. */
  public String layout() {
    StringBuilder sb = new StringBuilder().append(inputDim);
    for (int w : widths) {
      sb.append('-').append(w);
    }
    return sb.append('-').append(classes).toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSpec m && family.equals(m.family) && inputDim == m.inputDim && classes == m.classes
        && Arrays.equals(widths, m.widths) && dropout == m.dropout && seed == m.seed && init.equals(m.init)
        && adapter.equals(m.adapter) && full == m.full;
  }

  @Override
  public int hashCode() {
    return family.hashCode() * 31 + Arrays.hashCode(widths) + Long.hashCode(seed);
  }

  @Override
  public String toString() {
    String variants = adapter.hasVariants() ? " " + adapter.variantName() : "";
    return family + " " + layout() + (full ? " full" : " rank " + adapter.rank()) + variants + " seed " + seed
        + " init " + init.canonical();
  }
}
