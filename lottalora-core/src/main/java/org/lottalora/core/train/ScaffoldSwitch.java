package org.lottalora.core.train;

import java.util.List;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;

/**
 * Switches a hand-written engine's network between scaffolds for {@link ScaffoldSchedule}'s resampling: scaffold 0 is
 * the model's own backbone (its seed), scaffold j the same tensors regenerated from
 * {@link ScaffoldSchedule#seedOf}(seed, j). Every layer whose weight is the frozen scaffold (adapted or frozen, not
 * trained in full) gets the new weight and, when frozen, bias; the tensors trained in full (embeddings, heads, norms)
 * and the adapters stay. The engine families' counterpart of the dense families' {@code Scaffolds} (which overwrite
 * a SameDiff graph's arrays).
 */
public final class ScaffoldSwitch {
  private final long seed;
  private final List<TensorSpec> specs;
  private final List<AdaptedDense> layers;
  private final Runnable refresh;
  private Backbone zero;
  private int current;
  private final java.util.Map<Integer, Backbone> kept = new java.util.HashMap<>();

  /**
   * A switch over {@code layers} of a network whose scaffold is {@code specs} from {@code seed}.
   *
   * @param refresh brings what the network derives from its layers up to date after a switch
   */
  public ScaffoldSwitch(long seed, List<TensorSpec> specs, List<AdaptedDense> layers, Runnable refresh) {
    this.seed = seed;
    this.specs = List.copyOf(specs);
    this.layers = List.copyOf(layers);
    this.refresh = refresh;
  }

  /**
   * This switch, also running {@code after} after every switch: for a family that keeps state computed on the
   * previous scaffold (the GCN keeps the validation forward for the next step).
   */
  public ScaffoldSwitch then(Runnable after) {
    Runnable first = refresh;
    ScaffoldSwitch s = new ScaffoldSwitch(seed, specs, layers, () -> {
      first.run();
      after.run();
    });
    s.kept.putAll(kept);
    s.current = current;
    return s;
  }

  /**
   * Keeps scaffolds 0..k-1 once regenerated (a schedule that switches at every step among k scaffolds); without it
   * each switch regenerates its scaffold, the right cost for {@code epoch}, which visits each once.
   */
  public void keep(int k) {
    for (int j = 1; j < k; j++) {
      kept.computeIfAbsent(j, i -> Backbone.regenerate(ScaffoldSchedule.seedOf(seed, i), specs));
    }
  }

  /** The scaffold in use. */
  public int current() {
    return current;
  }

  /** Puts scaffold {@code j} under every scaffold layer (nothing when it is already there). */
  public void use(int j) {
    if (j == current) {
      return;
    }
    if (zero == null) {
      zero = Backbone.regenerate(seed, specs); // the same bits as the model's own scaffold
    }
    Backbone b = j == 0 ? zero : kept.containsKey(j) ? kept.get(j)
        : Backbone.regenerate(ScaffoldSchedule.seedOf(seed, j), specs);
    for (AdaptedDense l : layers) {
      if (l.scaffoldWeight()) {
        l.setScaffold(b.get(l.prefix + ".weight"), b.specs().containsKey(l.prefix + ".bias")
            ? b.get(l.prefix + ".bias") : null);
      }
    }
    refresh.run();
    current = j;
  }
}
