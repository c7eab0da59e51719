package org.lottalora.models.recurrent;

import java.util.List;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.models.ModelFamily;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The former SameDiff family {@code cfc}, kept as a test oracle (main code trains and loads the CfC on
 * {@link RecurrentNetwork}; tests build this graph to compare logits and gradients, and to write artifacts as the
 * old `lottalora train --family cfc` did, for the legacy loader). A CfC network reading a square image row by row
 * (sequential digits or Fashion-MNIST: side rows of side pixels, time gap 1): a {@link CfcCell} with adapters on its
 * five matrices, then a trained head on the last state. {@code widths} is {@code hidden,units} (state size,
 * backbone-layer width). It is not in {@link org.lottalora.models.Families}: build it directly.
 */
public final class CfcFamily implements ModelFamily {
  /** Default state size and backbone width. */
  public static final int[] DEFAULT_WIDTHS = {32, 32};
  private static final InitSpec HEAD_INIT = InitSpec.parse("kaiming_uniform");
  private static final InitSpec BIAS_INIT = InitSpec.parse("uniform");

  @Override
  public String id() {
    return "cfc";
  }

  @Override
  public String description() {
    return "closed-form continuous-time RNN reading an image row by row, adapters on every gate matrix";
  }

  @Override
  public int[] defaultWidths() {
    return DEFAULT_WIDTHS.clone();
  }

  @Override
  public void validate(ModelSpec spec) {
    if (spec.widths().length != 2) {
      throw new IllegalArgumentException("family 'cfc' takes --widths hidden,units (two numbers), got "
          + spec.widths().length);
    }
    int side = side(spec.inputDim());
    if (side * side != spec.inputDim()) {
      throw new IllegalArgumentException("family 'cfc' reads square images row by row; " + spec.inputDim()
          + " features are not a square");
    }
  }

  static int side(int inputDim) {
    return (int) Math.round(Math.sqrt(inputDim));
  }

  @Override
  public List<TensorSpec> backboneTensors(ModelSpec spec) {
    validate(spec);
    return CfcCell.tensorSpecs("cfc", side(spec.inputDim()), spec.widths()[0], spec.widths()[1], spec.init());
  }

  @Override
  public ModelGraph build(ModelSpec spec, Backbone backbone, Map<String, float[]> trained) {
    validate(spec);
    int side = side(spec.inputDim());
    int hidden = spec.widths()[0];
    GraphBuilder g = new GraphBuilder(backbone, spec.adapter(), spec.full(), trained);
    SDVariable x = g.input(spec.inputDim());
    SameDiff sd = g.sameDiff();
    CfcCell cell = new CfcCell(g, "cfc", side, hidden, spec.widths()[1]);
    SDVariable dt = sd.constant("cfc.dt", Nd4j.scalar(1f));
    SDVariable h = sd.zerosLike(x.get(SDIndex.all(), SDIndex.interval(0, hidden)));
    for (int t = 0; t < side; t++) {
      SDVariable next = cell.step(sd, x.get(SDIndex.all(), SDIndex.interval(t * side, (t + 1) * side)), h, dt);
      h = g.closeBlock("cfc", h, new int[] {hidden}, next, new int[] {hidden}); // residual / LayerNorm when asked
    }
    List<TensorSpec> headSpecs = List.of(TensorSpec.of("head.weight", new int[] {spec.classes(), hidden}, HEAD_INIT),
        TensorSpec.bias("head.bias", spec.classes(), hidden, BIAS_INIT));
    Backbone head = Backbone.regenerate(spec.seed(), headSpecs, 1);
    return g.finish(g.trainedLinear("head", h, hidden, spec.classes(), head.get("head.weight"),
        head.get("head.bias")), spec.classes());
  }
}
