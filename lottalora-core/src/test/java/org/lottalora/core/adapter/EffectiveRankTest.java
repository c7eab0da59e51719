package org.lottalora.core.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.AdaptedDense;
import org.lottalora.core.engine.Param;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * One rank rule for every path: a rank above min(d_in, d_out) is capped there (never refused), by
 * {@link AdapterConfig#effectiveRank}, in the SameDiff graph's linear layer, its convolution (the kernel seen as
 * [out, in k k]), its shared-weight matrix, and the hand engine's layer alike; the scaling stays alpha / r.
 */
class EffectiveRankTest {
  @Test
  void theRuleCapsAtTheSmallerSideAndKeepsTheConfiguredScaling() {
    AdapterConfig ac = AdapterConfig.defaults(16);
    assertEquals(16, ac.effectiveRank(64, 32));
    assertEquals(3, ac.effectiveRank(3, 32));
    assertEquals(10, ac.effectiveRank(32, 10));
    assertEquals(1.0 / 16, ac.scaling(), 0.0);
    // a capped layer's record states its own rank with the alpha that keeps alpha / r of the config
    assertEquals(1.0, ac.recordedAlpha(16), 0.0);
    assertEquals(ac.scaling(), ac.recordedAlpha(3) / 3, 1e-15);
    AdapterConfig rs = new AdapterConfig(16, 2.0, true, true, 0, false, 1);
    assertEquals(rs.scaling(), rs.recordedAlpha(3) / Math.sqrt(3), 1e-15);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ac.effectiveRank(0, 4));
    assertTrue(e.getMessage().contains("[4, 0]"), e.getMessage());
  }

  @Test
  void everyPathCapsTheSameWay() {
    // linear 3 -> 5, conv 2 -> 4 with a 2x2 kernel (fan 8), a shared matrix 6 -> 2, the engine layer 3 -> 5
    Backbone bb = Backbone.regenerate(3, List.of(
        TensorSpec.of("lin.weight", new int[] {5, 3}, InitSpec.DEFAULT),
        TensorSpec.bias("lin.bias", 5, 3, InitSpec.parse("uniform")),
        TensorSpec.of("conv.weight", new int[] {4, 2, 2, 2}, InitSpec.DEFAULT),
        TensorSpec.of("shared.weight", new int[] {2, 6}, InitSpec.DEFAULT)), 1);
    AdapterConfig ac = AdapterConfig.defaults(7);
    Map<String, long[]> shapes = new HashMap<>();
    GraphBuilder g = new GraphBuilder(bb, ac, false, Map.of());
    shapes.putAll(shapes(g.finish(g.adaptedLinear("lin", g.input(3), 3, 5), 5)));
    g = new GraphBuilder(bb, ac, false, Map.of());
    shapes.putAll(shapes(g.finish(g.adaptedConv2d("conv", g.input(8).reshape(-1, 2, 2, 2), 2, 4, 2, 1, 0)
        .reshape(-1, 4), 4)));
    g = new GraphBuilder(bb, ac, false, Map.of());
    SDVariable w = g.adaptedWeight("shared", 6, 2); // [2, 6]
    shapes.putAll(shapes(g.finish(w.getSameDiff().mmul(g.input(6), w, false, true, false), 2)));
    assertArrayEquals(new long[] {ac.effectiveRank(3, 5), 3}, shapes.get("lin.lora_A"));
    assertArrayEquals(new long[] {3, 3}, shapes.get("lin.lora_A"));
    assertArrayEquals(new long[] {5, 3}, shapes.get("lin.lora_B"));
    assertArrayEquals(new long[] {4, 8}, shapes.get("conv.lora_A"), "min(7, out 4, in k k 8)");
    assertArrayEquals(new long[] {4, 4}, shapes.get("conv.lora_B"));
    assertArrayEquals(new long[] {2, 6}, shapes.get("shared.lora_A"));
    // the hand engine's layer over the same matrix takes the same rank
    List<Param> params = new ArrayList<>();
    new AdaptedDense("lin", 3, 5, bb, ac, false, params);
    Map<String, Integer> lengths = new HashMap<>();
    params.forEach(p -> lengths.put(p.name, p.v.length));
    assertEquals(3 * 3, lengths.get("lin.lora_A"));
    assertEquals(5 * 3, lengths.get("lin.lora_B"));
  }

  private static Map<String, long[]> shapes(ModelGraph m) {
    Map<String, long[]> out = new HashMap<>();
    m.trained().forEach(t -> out.put(t.name(), t.shape()));
    return out;
  }
}
