package org.lottalora.models;

import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;

/**
 * A model family: names its backbone tensors and builds its graph. Families are registered in
 * {@link Families} under a lower-case id, which is what artifacts store; nothing is ever instantiated by
 * a class name read from a file.
 */
public interface ModelFamily {
  /** The registry id, e.g. {@code mlp}. */
  String id();

  /** One line for {@code --help} and reports. */
  String description();

  /** The widths a model of this family gets when none are given. */
  int[] defaultWidths();

  /**
   * Widths from the text of {@code --widths}; by default hidden widths ({@code 512,256}) or a full layout
   * ({@code 784-512-256-10}), as {@link org.lottalora.models.mlp.MlpFamily#parseWidths} reads them.
   *
   * @throws IllegalArgumentException naming the problem and the accepted forms
   */
  default int[] widthsFrom(String text, int inputDim, int classes) {
    return org.lottalora.models.mlp.MlpFamily.parseWidths(text, inputDim, classes);
  }

  /** Rejects a spec this family cannot build, naming the problem and the fix. */
  void validate(ModelSpec spec);

  /** The frozen tensors the seed regenerates (in full mode: the initial values of the trained weights). */
  List<TensorSpec> backboneTensors(ModelSpec spec);

  /**
   * Builds the graph.
   *
   * @param trained saved values of trained tensors (loading an artifact), or empty for fresh training
   */
  ModelGraph build(ModelSpec spec, Backbone backbone, Map<String, float[]> trained);

  /**
   * The plan of a plain dense model of this spec (affine layers, ReLU, dropout: what {@link MergedModel} folds),
   * known without building its graph, or null when the spec has no such plan (DoRA, residual or LayerNorm blocks, or
   * a family whose layers are not plain affine ones). It equals {@code build(...).densePlan()}. The graph-free
   * merged load ({@link MergedModel#load}) uses it.
   */
  default List<org.lottalora.core.graph.LayerStep> densePlan(ModelSpec spec) {
    return null;
  }
}
