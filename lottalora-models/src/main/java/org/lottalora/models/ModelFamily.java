package org.lottalora.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.RunSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.models.sweep.RunTask;
import org.lottalora.models.sweep.SweepRunner;

/**
 * A dense family built as a SameDiff graph ({@link LottaModel}): names its backbone tensors and builds its graph.
 * It is a {@link Family} like every other (registered in {@code META-INF/services}, found by
 * {@link org.lottalora.core.family.FamilyRegistry} under the lower-case id artifacts store); the defaults here give
 * the dense families' shared settings, their sweep runs ({@link RunTask}) and their artifacts ({@link LottaModel}).
 */
public interface ModelFamily extends Family {
  @Override
  default List<FamilyOption> options() {
    return List.of(new FamilyOption("dataset", "digits", "digits (embedded), fashion-mnist, mnist or a CSV path"),
        new FamilyOption("split-seed", "0", "seed of the train/validation split"),
        new FamilyOption("max-train", "0", "training rows to use (0: all)"),
        new FamilyOption("widths", String.join(",", java.util.Arrays.stream(defaultWidths()).mapToObj(
            Integer::toString).toList()), "hidden widths or a full layout"),
        new FamilyOption("epochs", "20", "epochs"), new FamilyOption("batch", "128", "batch size"),
        new FamilyOption("lr", "1e-3", "learning rate"), new FamilyOption("wd", "1e-2", "weight decay"));
  }

  @Override
  default void check(RunSpec run) {
    SweepRunner.preflight(List.of(run));
  }

  @Override
  default RunResult run(RunSpec run, Path artifact, Progress progress) {
    return RunTask.runDense(run, artifact, progress);
  }

  @Override
  default boolean owns(Artifact a) {
    return AnyModel.isLottaModel(a) && (a.hasModel() ? a.getModel().getFamily() : "mlp").equals(id());
  }

  @Override
  default Object load(ArtifactFile file, String where) {
    return LottaModel.load(file, where);
  }

  /** The widths a model of this family gets when none are given. */
  int[] defaultWidths();

  /**
   * Widths from the text of {@code --widths}; by default hidden widths ({@code 512,256}) or a full layout
   * ({@code 784-512-256-10}), as {@link Widths#parse} reads them.
   *
   * @throws IllegalArgumentException naming the problem and the accepted forms
   */
  default int[] widthsFrom(String text, int inputDim, int classes) {
    return Widths.parse(text, inputDim, classes);
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
