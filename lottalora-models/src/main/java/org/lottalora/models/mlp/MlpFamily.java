package org.lottalora.models.mlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.models.ModelFamily;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Multi-layer perceptron: adapted layers {@code layers.i} (ReLU, optional dropout) over a frozen random
 * scaffold, then a fully trained head {@code head}. The paper's "medium" is 784-512-256-128-64-10.
 * The single-layer classifier ({@code linear}) is the same model with exactly one hidden layer.
 */
public class MlpFamily implements ModelFamily {
  /** Hidden widths of the paper's medium MLP. */
  public static final int[] MEDIUM = {512, 256, 128, 64};
  /** The head's init (PyTorch's nn.Linear default): Kaiming-uniform weight, fan-in uniform bias. */
  static final InitSpec HEAD_INIT = InitSpec.parse("kaiming_uniform");
  static final InitSpec BIAS_INIT = InitSpec.parse("uniform");

  @Override
  public int[] defaultWidths() {
    return MEDIUM.clone();
  }

  @Override
  public String id() {
    return "mlp";
  }

  /**
   * Hidden widths from text: {@code 512,256} lists hidden widths only; {@code 784-512-256-10} lists every
   * layer from input to classes and must match the data.
   *
   * @throws IllegalArgumentException when the text is malformed or the layout does not fit the data
   */
  public static int[] parseWidths(String text, int inputDim, int classes) {
    return org.lottalora.models.Widths.parse(text, inputDim, classes);
  }

  @Override
  public String description() {
    return "multi-layer perceptron: adapted ReLU layers over a random scaffold, trained head";
  }

  @Override
  public void validate(ModelSpec spec) {
    if (spec.widths().length == 0) {
      throw new IllegalArgumentException("family 'mlp' needs at least one hidden width, e.g. --widths 512,256");
    }
  }

  @Override
  public List<TensorSpec> backboneTensors(ModelSpec spec) {
    List<TensorSpec> out = new ArrayList<>();
    int in = spec.inputDim();
    for (int i = 0; i < spec.widths().length; i++) {
      int w = spec.widths()[i];
      out.add(TensorSpec.of("layers." + i + ".weight", new int[] {w, in}, spec.init()));
      out.add(TensorSpec.bias("layers." + i + ".bias", w, in, BIAS_INIT));
      in = w;
    }
    return out;
  }

  /** The head's initial tensors, drawn from the backbone seed (trained, so stored in the artifact). */
  static List<TensorSpec> headTensors(ModelSpec spec) {
    int last = spec.widths()[spec.widths().length - 1];
    return List.of(TensorSpec.of("head.weight", new int[] {spec.classes(), last}, HEAD_INIT),
        TensorSpec.bias("head.bias", spec.classes(), last, BIAS_INIT));
  }

  @Override
  public ModelGraph build(ModelSpec spec, Backbone backbone, Map<String, float[]> trained) {
    return build(spec, backbone, trained, false);
  }

  /** The same graph marked as not dense, so it trains through SameDiff's fit (tests the general path). */
  protected ModelGraph buildMarked(ModelSpec spec, Backbone backbone, Map<String, float[]> trained) {
    return build(spec, backbone, trained, true);
  }

  @Override
  public List<LayerStep> densePlan(ModelSpec spec) {
    validate(spec);
    AdapterConfig ac = spec.adapter();
    if (ac.dora() || ac.layerNorm()) {
      return null;
    }
    List<LayerStep> plan = new ArrayList<>();
    int in = spec.inputDim();
    for (int i = 0; i < spec.widths().length; i++) {
      int w = spec.widths()[i];
      if (ac.residual() && in == w) {
        return null; // a residual block (see GraphBuilder.closeBlock)
      }
      plan.add(GraphBuilder.affineStep("layers." + i, in, w, ac, spec.full()));
      plan.add(new LayerStep.Relu());
      if (spec.dropout() > 0) {
        plan.add(new LayerStep.Dropout("mask.layers." + i));
      }
      in = w;
    }
    plan.add(GraphBuilder.headStep("head", in, spec.classes()));
    return List.copyOf(plan);
  }

  private ModelGraph build(ModelSpec spec, Backbone backbone, Map<String, float[]> trained, boolean notDense) {
    validate(spec);
    GraphBuilder g = new GraphBuilder(backbone, spec.adapter(), spec.full(), trained);
    if (notDense) {
      g.markNotDense();
    }
    SDVariable x = g.input(spec.inputDim());
    int in = spec.inputDim();
    for (int i = 0; i < spec.widths().length; i++) {
      int w = spec.widths()[i];
      SDVariable y = g.relu(g.adaptedLinear("layers." + i, x, in, w)); // [batch, w]
      x = g.closeBlock("layers." + i, x, new int[] {in}, y, new int[] {w}); // residual / LayerNorm when asked
      x = g.dropout("layers." + i, x, w, spec.dropout());
      in = w;
    }
    Backbone head = Backbone.regenerate(spec.seed(), headTensors(spec), 1);
    SDVariable logits = g.trainedLinear("head", x, in, spec.classes(), head.get("head.weight"),
        head.get("head.bias")); // [batch, classes]; saved values override these inits
    return g.finish(logits, spec.classes());
  }
}
