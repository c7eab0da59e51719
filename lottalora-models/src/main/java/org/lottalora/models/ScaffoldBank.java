package org.lottalora.models;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.train.ScaffoldSchedule;
import org.lottalora.core.train.Scaffolds;
import org.lottalora.core.util.NdArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The scaffolds of a dense model for the resampling schedules: scaffold j is the model's frozen backbone
 * regenerated from {@link ScaffoldSchedule#seedOf}(seed, j). Switching writes the values into the graph's
 * frozen arrays in place (weights in the graph's transposed layout), so training sees them and nothing is
 * rebuilt. Up to {@value #CACHE} scaffolds are kept ready, so cycling k of them costs a copy per switch.
 */
final class ScaffoldBank implements Scaffolds {
  static final int CACHE = 16;

  private final long seed;
  private final List<TensorSpec> specs;
  private final Map<String, INDArray> targets = new LinkedHashMap<>();
  private final Map<Integer, Map<String, float[]>> ready = new LinkedHashMap<>();
  private int current = 0;
  private final org.lottalora.core.graph.ModelGraph graph;

  ScaffoldBank(LottaModel m) {
    this.seed = m.spec().seed();
    this.graph = m.graph();
    this.specs = Families.get(m.spec().family()).backboneTensors(m.spec());
    var sd = m.graph().sameDiff();
    for (LayerStep s : m.graph().densePlan()) {
      if (s instanceof LayerStep.Affine a) {
        if (!a.weightTrained()) {
          targets.put(a.weight(), sd.getVariable(a.weight()).getArr()); // canonical layout, as the backbone
        }
        if (!a.biasTrained()) {
          targets.put(a.bias(), sd.getVariable(a.bias()).getArr());
        }
      }
    }
    ready.put(0, layouts(m.backbone()));
  }

  @Override
  public void use(int j) {
    if (j == current) {
      return;
    }
    Map<String, float[]> v = ready.get(j);
    if (v == null) {
      v = layouts(Backbone.regenerate(ScaffoldSchedule.seedOf(seed, j), specs));
      if (ready.size() < CACHE) {
        ready.put(j, v);
      }
    }
    for (Map.Entry<String, INDArray> t : targets.entrySet()) {
      NdArrays.write(v.get(t.getKey()), t.getValue());
    }
    graph.frozenChanged(); // the engine re-reads the scaffold before its next pass
    current = j;
  }

  /** The frozen values the graph holds. */
  private Map<String, float[]> layouts(Backbone bb) {
    Map<String, float[]> out = new HashMap<>();
    for (String name : targets.keySet()) {
      out.put(name, bb.get(name));
    }
    return out;
  }
}
