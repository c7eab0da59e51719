package org.lottalora.models.cnn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.graph.GraphBuilder;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.models.ModelFamily;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Plain-N (He et al. 2016's CIFAR ResNet-N without its skips) for square one-channel images: 3x3 convolutions
 * {@code convs.i}, each followed by a BatchNorm trained in full and a ReLU, global average pooling, and a trained
 * head. {@code widths} lists the output channels of every convolution, the stem first; a convolution whose width
 * differs from the one before it halves the image (stride 2), as a new ResNet stage does. Plain-20 is
 * {@code 16x7,32x6,64x6}: a stem and three stages of six. Every kernel [out, in, 3, 3] gets an adapter as the
 * [out, in 9] matrix (see {@link GraphBuilder#adaptedConv2d}); with the adapter config's {@code residual} a block
 * whose input and output shapes agree adds its input (a ResNet again), with {@code dora} the kernels are DoRA.
 */
public final class CnnFamily implements ModelFamily {
  /** Plain-8 at the paper's stage widths: a stem and three stages of two; minutes per epoch on 2 cores. */
  public static final int[] DEFAULT_WIDTHS = expand("16x3,32x2,64x2");
  private static final InitSpec HEAD_INIT = InitSpec.parse("kaiming_uniform");
  private static final InitSpec BIAS_INIT = InitSpec.parse("uniform");
  private static final int K = 3;

  @Override
  public String id() {
    return "cnn";
  }

  @Override
  public String description() {
    return "Plain-N CNN (3x3 convs, BatchNorm, ReLU, pooling), adapters on every kernel; --widths 16x3,32x2,64x2 "
        + "or plain-20";
  }

  @Override
  public int[] defaultWidths() {
    return DEFAULT_WIDTHS.clone();
  }

  /**
   * Channels of every convolution from text: a preset {@code plain-N} (N = 6n + 2, stages 16/32/64 of 2n convs
   * after the stem), or a list whose items are a width or {@code width x count}, e.g. {@code 16x7,32x6,64x6}.
   */
  @Override
  public int[] widthsFrom(String text, int inputDim, int classes) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("plain-")) {
      int n;
      try {
        n = Integer.parseInt(t.substring(6));
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 8 || (n - 2) % 6 != 0) {
        throw new IllegalArgumentException("bad --widths '" + text + "': Plain-N needs N = 6n + 2 with n >= 1 "
            + "(plain-8, plain-14, plain-20, plain-32, plain-44, plain-56)");
      }
      int per = (n - 2) / 3;
      return expand("16x" + (per + 1) + ",32x" + per + ",64x" + per);
    }
    try {
      return expand(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad --widths '" + text + "': " + e.getMessage()
          + "; write channels per convolution as 16x3,32x2,64x2 or a preset such as plain-20");
    }
  }

  static int[] expand(String t) {
    List<Integer> out = new ArrayList<>();
    for (String part : t.split(",")) {
      String p = part.trim();
      int x = p.indexOf('x');
      int width;
      int count = 1;
      try {
        width = Integer.parseInt(x < 0 ? p : p.substring(0, x));
        if (x >= 0) {
          count = Integer.parseInt(p.substring(x + 1));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + p + "' is not a width or width x count");
      }
      if (width < 1 || count < 1) {
        throw new IllegalArgumentException("'" + p + "' needs a width and a count of at least 1");
      }
      for (int i = 0; i < count; i++) {
        out.add(width);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public void validate(ModelSpec spec) {
    int side = side(spec.inputDim());
    if (side * side != spec.inputDim()) {
      throw new IllegalArgumentException("family 'cnn' takes square one-channel images; " + spec.inputDim()
          + " features are not a square");
    }
    if (spec.widths().length == 0) {
      throw new IllegalArgumentException("family 'cnn' needs at least one convolution, e.g. --widths 16x3,32x2");
    }
    int s = side;
    for (int i = 1; i < spec.widths().length; i++) {
      if (stride(spec.widths(), i) == 2) {
        if (s < 2) {
          throw new IllegalArgumentException("a " + side + "x" + side + " image is too small for --widths "
              + java.util.Arrays.toString(spec.widths()) + ": convolution " + i + " would halve a 1x1 map; use "
              + "fewer width changes or larger images");
        }
        s = out(s, 2);
      }
    }
    if (spec.adapter().dora() && spec.full()) {
      throw new IllegalArgumentException("DoRA decomposes an adapted weight; the full-training baseline has none");
    }
  }

  static int side(int inputDim) {
    return (int) Math.round(Math.sqrt(inputDim));
  }

  private static int stride(int[] widths, int i) {
    return i > 0 && widths[i] != widths[i - 1] ? 2 : 1;
  }

  private static int out(int s, int stride) {
    return (s + 2 - K) / stride + 1;
  }

  @Override
  public List<TensorSpec> backboneTensors(ModelSpec spec) {
    validate(spec);
    List<TensorSpec> out = new ArrayList<>();
    int in = 1;
    for (int i = 0; i < spec.widths().length; i++) {
      out.add(TensorSpec.of("convs." + i + ".weight", new int[] {spec.widths()[i], in, K, K}, spec.init()));
      in = spec.widths()[i];
    }
    return out;
  }

  @Override
  public ModelGraph build(ModelSpec spec, Backbone backbone, Map<String, float[]> trained) {
    validate(spec);
    int side = side(spec.inputDim());
    GraphBuilder g = new GraphBuilder(backbone, spec.adapter(), spec.full(), trained);
    SDVariable x = g.input(spec.inputDim()).reshape(-1, 1, side, side);
    int[] shape = {1, side, side};
    for (int i = 0; i < spec.widths().length; i++) {
      int c = spec.widths()[i];
      int st = stride(spec.widths(), i);
      String p = "convs." + i;
      SDVariable y = g.adaptedConv2d(p, x, shape[0], c, K, st, 1, shape[1], shape[2]); // DoRA as the config says
      y = g.relu(g.batchNorm(p, y, c));
      int s = out(shape[1], st);
      int[] outShape = {c, s, s};
      x = g.closeBlock(p, x, shape, y, outShape);
      shape = outShape;
    }
    int last = shape[0];
    SDVariable pooled = g.globalAveragePool(x); // [batch, channels]
    List<TensorSpec> headSpecs = List.of(TensorSpec.of("head.weight", new int[] {spec.classes(), last}, HEAD_INIT),
        TensorSpec.bias("head.bias", spec.classes(), last, BIAS_INIT));
    Backbone head = Backbone.regenerate(spec.seed(), headSpecs, 1);
    return g.finish(g.trainedLinear("head", pooled, last, spec.classes(), head.get("head.weight"),
        head.get("head.bias")), spec.classes());
  }
}
