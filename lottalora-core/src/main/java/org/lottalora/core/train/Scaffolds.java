package org.lottalora.core.train;

/**
 * Switches the frozen scaffold a graph computes with, for the resampling schedules of
 * {@link ScaffoldSchedule}. Implementations overwrite the graph's frozen weights in place with scaffold
 * {@code j}'s values (regenerated from {@link ScaffoldSchedule#seedOf}), so the dense engine and SameDiff
 * both see them; {@code use(0)} restores the model's own.
 */
public interface Scaffolds {
  /** Makes scaffold {@code j} the one the graph computes with. */
  void use(int j);
}
