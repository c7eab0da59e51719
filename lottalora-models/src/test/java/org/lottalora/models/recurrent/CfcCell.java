package org.lottalora.models.recurrent;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The test oracle for the engine's CfC ({@link RecurrentNetwork}): a closed-form continuous-time cell (CfC, Hasani
 * et al. 2022, the "default" variant) over a frozen random scaffold, on SameDiff. It lived in main code as family
 * {@code cfc} until the engine became the one CfC; it stays here so tests can check the engine's logits and gradients
 * against SameDiff's autodiff and write artifacts the way the old family did: {@code z = tanh(W_bb [x; h] + b_bb)}, {@code f1 = tanh(W_1 z + b_1)},
 * {@code f2 = tanh(W_2 z + b_2)}, {@code s = sigmoid((W_a z + b_a) dt + W_b z + b_b)} and
 * {@code h' = f1 (1 - s) + s f2}, where dt is the time gap to the previous observation. Every one of the five
 * matrices is an adapted weight ({@code beta W_seed + s B A}, or trained in full), shared by all steps of the
 * unroll. Backbone tensors {@code <prefix>.backbone|ff1|ff2|time_a|time_b.weight|bias}.
 */
public final class CfcCell {
  /** The five gate matrices. */
  static final String[] GATES = {"backbone", "ff1", "ff2", "time_a", "time_b"};
  private final int inputs;
  private final int hidden;
  private final int units;
  private final SDVariable[] w = new SDVariable[5];
  private final SDVariable[] b = new SDVariable[5];

  /**
   * Declares the cell's weights in {@code g}.
   *
   * @param inputs features per step
   * @param hidden state size
   * @param units width of the shared backbone layer
   */
  public CfcCell(GraphBuilder g, String prefix, int inputs, int hidden, int units) {
    this.inputs = inputs;
    this.hidden = hidden;
    this.units = units;
    for (int k = 0; k < 5; k++) {
      int in = k == 0 ? inputs + hidden : units;
      int out = k == 0 ? units : hidden;
      w[k] = g.adaptedWeight(prefix + "." + GATES[k], in, out);
      b[k] = g.backboneBias(prefix + "." + GATES[k], out);
    }
  }

  /** The backbone tensors of a cell: five weights [out, in] and their biases. */
  public static List<TensorSpec> tensorSpecs(String prefix, int inputs, int hidden, int units, InitSpec init) {
    List<TensorSpec> out = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      int in = k == 0 ? inputs + hidden : units;
      int o = k == 0 ? units : hidden;
      out.add(TensorSpec.of(prefix + "." + GATES[k] + ".weight", new int[] {o, in}, init));
      out.add(TensorSpec.bias(prefix + "." + GATES[k] + ".bias", o, in, InitSpec.parse("uniform")));
    }
    return out;
  }

  /** One step: x [batch, inputs], h [batch, hidden], dt [batch, 1]; returns the new state [batch, hidden]. */
  public SDVariable step(SameDiff sd, SDVariable x, SDVariable h, SDVariable dt) {
    SDVariable xh = sd.concat(1, x, h);
    SDVariable z = sd.math().tanh(lin(sd, xh, 0));
    SDVariable f1 = sd.math().tanh(lin(sd, z, 1));
    SDVariable f2 = sd.math().tanh(lin(sd, z, 2));
    SDVariable s = sd.nn().sigmoid(lin(sd, z, 3).mul(dt).add(lin(sd, z, 4)));
    return f1.mul(s.rsub(1.0)).add(s.mul(f2));
  }

  private SDVariable lin(SameDiff sd, SDVariable x, int k) {
    return sd.mmul(x, w[k], false, true, false).add(b[k]);
  }

  public int inputs() {
    return inputs;
  }

  public int hidden() {
    return hidden;
  }

  public int units() {
    return units;
  }
}
