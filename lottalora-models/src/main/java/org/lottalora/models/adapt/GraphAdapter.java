package org.lottalora.models.adapt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.reduce.TensorMmul;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

/**
 * Wraps a user's SameDiff graph with LottaLoRA adapters, PEFT-style: name the targets (a {@link TargetRule}),
 * pick the base (a seed, for the user's architecture over a random scaffold, or the graph's own weights, for
 * classic LoRA fine-tuning), and {@link #apply()} returns an {@link AdaptedGraph} in which every target W
 * computes {@code beta * W_base + s * B A} and everything else is frozen unless named {@link #trainable}.
 * The user's graph itself is not changed (the wrapper works on a copy).
 *
 * <pre>{@code
 * AdaptedGraph g = GraphAdapter.of(sd).targets(TargetRule.matmulWeights())
 *     .adapter(AdapterConfig.defaults(8)).seeded(42, InitSpec.DEFAULT)
 *     .classifier("logits", 10).apply();
 * g.fit(trainIterator, 5, FitOptions.defaults());
 * g.save(Path.of("model.lotta"));
 * }</pre>
 */
public final class GraphAdapter {
  /** Where the frozen base of each target comes from. */
  public enum Base {
    /** Regenerated from a seed with an init family: the LottaLoRA mode. */
    SEED,
    /** The graph's own weights, frozen: classic LoRA; loading needs the base model file. */
    PRETRAINED
  }

  /** Name of the labels placeholder {@link #classifier} adds (namespaced: user graphs often have a "labels"). */
  public static final String LABELS = "lotta.labels";
  /** Name of the loss {@link #classifier} adds. */
  public static final String LOSS = "lotta.loss";

  private final SameDiff sd;
  private TargetRule rule = TargetRule.matmulWeights();
  private AdapterConfig adapter = AdapterConfig.defaults(8);
  private Base base = Base.PRETRAINED;
  private long seed;
  private InitSpec init = InitSpec.DEFAULT;
  private final List<String> trainable = new ArrayList<>();
  private String output;
  private int classes;
  private String loss;
  private String labels;
  private String source = "samediff";
  private byte[] sourceSha256 = new byte[0];

  private GraphAdapter(SameDiff sd) {
    this.sd = sd;
  }

  /** Starts wrapping {@code sd} (which is copied, never changed). */
  public static GraphAdapter of(SameDiff sd) {
    return new GraphAdapter(sd);
  }

  /** Which weights get adapters (default: every 2-D weight feeding a matrix product). */
  public GraphAdapter targets(TargetRule r) {
    this.rule = r;
    return this;
  }

  /**
   * Rank, alpha, rsLoRA, DoRA, beta, adapter dropout (default: the paper's rank-8 adapter). Adapter dropout needs
   * every target to feed matrix products only: each product then computes {@code x (beta W) + s * drop(x) delta}
   * while training (see {@link AdaptedGraph}); a target that feeds any other op is refused.
   */
  public GraphAdapter adapter(AdapterConfig a) {
    this.adapter = a;
    return this;
  }

  /** LottaLoRA mode: each target's base regenerated from {@code seed} with {@code init}, keyed by its name. */
  public GraphAdapter seeded(long seed, InitSpec init) {
    this.base = Base.SEED;
    this.seed = seed;
    this.init = init;
    return this;
  }

  /** Classic LoRA: the graph's own target weights are the frozen base (the default). */
  public GraphAdapter pretrained() {
    this.base = Base.PRETRAINED;
    return this;
  }

  /** Further weights trained in full, by name or glob (e.g. {@code "*.bias"}); each pattern must match. */
  public GraphAdapter trainable(String... patterns) {
    trainable.addAll(Arrays.asList(patterns));
    return this;
  }

  /**
   * Adds the training head of a classifier: a labels placeholder (one-hot, [batch, classes]) and softmax
   * cross-entropy on {@code logits}. Use for a graph that has no loss, such as an imported ONNX model.
   */
  public GraphAdapter classifier(String logits, int classes) {
    this.output = logits;
    this.classes = classes;
    return this;
  }

  /** The graph already has its loss: train on it, feeding {@code labels}; predictions read {@code output}. */
  public GraphAdapter loss(String loss, String labels, String output) {
    this.loss = loss;
    this.labels = labels;
    this.output = output;
    return this;
  }

  /** Records where the graph came from (e.g. {@code onnx:mlp.onnx} and the file's SHA-256). */
  public GraphAdapter source(String source, byte[] sha256) {
    this.source = source;
    this.sourceSha256 = sha256.clone();
    return this;
  }

  /**
   * Copies the graph, adds the training head, resolves the targets and the trainable weights, and rewrites.
   *
   * @throws IllegalArgumentException naming the rule, variable or op when a target cannot be adapted
   */
  public AdaptedGraph apply() {
    SameDiff g = sd.dup();
    String lossName = loss;
    String labelsName = labels;
    if (output == null || !g.hasVariable(output)) {
      throw new IllegalArgumentException(output == null ? "name the graph's output: call classifier(logits, "
          + "classes) or loss(loss, labels, output)" : "the graph has no variable '" + output + "' to read "
          + "predictions from; outputs: " + outputsOf(g));
    }
    int headClasses = 0;
    if (lossName == null) {
      if (classes < 2) {
        throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
      }
      for (String n : List.of(LABELS, LOSS)) {
        if (g.hasVariable(n)) {
          throw new IllegalArgumentException("the graph already has a variable '" + n + "', the name of the "
              + "training head this classifier adds; rename it in the graph, or pass its own loss with loss(...)");
        }
      }
      long width = outputWidth(g, output);
      if (width > 0 && width != classes) {
        throw new IllegalArgumentException("output '" + output + "' has " + width + " values per example but the "
            + "data has " + classes + " classes; pick data with " + width + " classes or a graph whose output "
            + "has " + classes);
      }
      headClasses = classes;
      lossName = LOSS;
      labelsName = LABELS;
    } else if (!g.hasVariable(lossName)) {
      throw new IllegalArgumentException("the graph has no loss variable '" + lossName + "'");
    }
    List<String> inputs = new ArrayList<>();
    for (SDVariable v : g.variables()) {
      if (v.getVariableType() == VariableType.PLACEHOLDER && !v.name().equals(labelsName)) { // own labels: not fed
        inputs.add(v.name());
      }
    }
    List<AdaptedTarget> targets = new ArrayList<>();
    for (String name : rule.select(g)) {
      targets.add(analyse(g, name));
    }
    Set<String> targetNames = new LinkedHashSet<>();
    targets.forEach(t -> targetNames.add(t.variable()));
    List<String> trained = new ArrayList<>();
    for (String p : trainable) {
      List<String> m;
      try {
        m = TargetRule.parse(p).select(g);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trainable " + e.getMessage().replaceFirst("^target rule ", ""), e);
      }
      for (String n : m) {
        if (targetNames.contains(n)) {
          throw new IllegalArgumentException("'" + n + "' is both an adapter target and trainable in full; "
              + "choose one");
        }
        if (!trained.contains(n)) {
          trained.add(n);
        }
      }
    }
    checkGradients(g, targetNames, trained);
    if (adapter.trainBias()) {
      throw new IllegalArgumentException("a wrapped graph does not know which bias belongs to a target; name the "
          + "biases to train with trainable(\"*.bias\") instead of trainBias");
    }
    if (adapter.residual() || adapter.layerNorm()) {
      throw new IllegalArgumentException("the residual and LayerNorm switches add blocks to the built-in "
          + "families; a wrapped graph keeps its own architecture (add them to the graph itself)");
    }
    if (adapter.dropout() > 0 && adapter.dora()) {
      throw new IllegalArgumentException("adapter dropout acts on the unmerged A path; DoRA merges the weight, "
          + "so use one or the other");
    }
    Backbone backbone = null;
    List<AdaptedGraph.BaseWeight> baseWeights = new ArrayList<>();
    if (base == Base.SEED) {
      backbone = Backbone.regenerate(seed, specs(targets, init));
      for (AdaptedTarget t : targets) {
        g.getVariable(t.variable()).setArray(AdaptedGraph.graphArray(backbone.get(t.variable()), t));
      }
    }
    Map<String, float[]> none = new LinkedHashMap<>();
    return AdaptedGraph.create(g, new AdaptedGraph.Spec(base, seed, init, targets, adapter, inputs, output, headClasses,
        labelsName, lossName, trained, source, sourceSha256), backbone, baseWeights, none);
  }

  /** The backbone tensors of the targets: canonical [d_out, d_in], keyed by the variable's name. */
  static List<TensorSpec> specs(List<AdaptedTarget> targets, InitSpec init) {
    List<TensorSpec> specs = new ArrayList<>();
    for (AdaptedTarget t : targets) {
      specs.add(TensorSpec.of(t.variable(), new int[] {t.dOut(), t.dIn()}, init));
    }
    return specs;
  }

  /**
   * Refuses, before anything trains, a graph whose backward pass would run an op that DL4J 1.0.0-M2.1
   * differentiates wrongly or not at all: a gather (an embedding lookup) whose table depends on a trained
   * weight (its gradient is wrong for repeated indices), or a conv2d in OIYX layout (ONNX's and PyTorch's) whose
   * input or kernel depends on one (conv2d_bp fails validation). "Depends on" follows the graph forward from the
   * targets and the weights trained in full.
   */
  static void checkGradients(SameDiff g, Set<String> targets, List<String> trained) {
    Set<String> reached = new LinkedHashSet<>(targets);
    reached.addAll(trained);
    java.util.ArrayDeque<String> frontier = new java.util.ArrayDeque<>(reached);
    Map<String, String> origin = new LinkedHashMap<>();
    reached.forEach(n -> origin.put(n, n));
    while (!frontier.isEmpty()) {
      String v = frontier.poll();
      List<String> consumers = g.getVariables().get(v).getInputsForOp();
      for (String opName : consumers == null ? List.<String>of() : consumers) {
        SameDiffOp op = g.getOps().get(opName);
        int idx = op.getInputsToOp().indexOf(v);
        if (op.getOp() instanceof Gather && idx == 0) {
          throw new IllegalArgumentException("gather op '" + opName + "' looks up a table that depends on trained "
              + "weight '" + origin.get(v) + "': DL4J 1.0.0-M2.1 computes gather's gradient wrongly for repeated "
              + "indices; keep the table and what feeds it frozen");
        }
        if (op.getOp() instanceof Conv2D c && isOiyx(c)) {
          throw new IllegalArgumentException("conv2d op '" + opName + "' (OIYX kernel, the ONNX/PyTorch layout) "
              + "would have to be differentiated because it reads '" + v + "', which depends on trained weight '"
              + origin.get(v) + "'; DL4J 1.0.0-M2.1's conv2d_bp fails for OIYX kernels, so adapt or train only "
              + "layers after the last convolution");
        }
        for (String out : op.getOutputsOfOp()) {
          if (reached.add(out)) {
            origin.put(out, origin.get(v));
            frontier.add(out);
          }
        }
      }
    }
  }

  /**
   * Whether a conv2d reads its kernel as OIYX. The op's integer arguments are the truth (index 10: 0 YXIO, 1 OIYX,
   * 2 OYXI): {@code SameDiff.dup()} and FlatBuffers rebuild the config object with the default YXIO.
   */
  static boolean isOiyx(Conv2D c) {
    long[] ia = c.iArgs();
    if (ia != null && ia.length > 10) {
      return ia[10] == 1;
    }
    return c.getConfig() != null && c.getConfig().getWeightsFormat() == WeightsFormat.OIYX;
  }

  /**
   * Reads a target's orientation from the matrix product that consumes it and checks that it can be adapted:
   * 2-D, consumed by no gather (M2.1's gather gradient is wrong for repeated indices) and no tensordot (M2.1's
   * tensormmul_bp fails, and only mmul's operand order and transpose flags are read). A rank above its sizes is
   * capped by {@link AdapterConfig#effectiveRank}, as in every family.
   */
  static AdaptedTarget analyse(SameDiff g, String name) {
    SDVariable v = g.getVariable(name);
    long[] shape = v.getShape();
    if (shape == null || shape.length != 2) {
      throw new IllegalArgumentException("target '" + name + "' has shape " + Arrays.toString(shape) + ", not a 2-D "
          + "weight matrix" + (shape != null && shape.length == 4 ? " (a convolution kernel: adapt the dense layers, "
          + "or name the kernel trainable in full)" : "") + "; candidates: " + TargetRule.candidates(g));
    }
    Boolean transposed = null;
    String consumer = "";
    List<String> consumers = g.getVariables().get(name).getInputsForOp();
    for (String opName : consumers == null ? List.<String>of() : consumers) {
      SameDiffOp op = g.getOps().get(opName);
      if (op.getOp() instanceof Gather) {
        throw new IllegalArgumentException("target '" + name + "' feeds gather op '" + opName + "' (an embedding "
            + "lookup): DL4J 1.0.0-M2.1 computes gather's gradient wrongly for repeated indices, so its adapter "
            + "would train on wrong gradients; leave it out of the targets (it stays frozen)");
      }
      if (op.getOp() instanceof TensorMmul) {
        throw new IllegalArgumentException("target '" + name + "' feeds tensordot op '" + opName + "': DL4J "
            + "1.0.0-M2.1's tensormmul_bp fails (even without adapters), so it could not train; reshape the input "
            + "to 2-D and use mmul instead, e.g. x.reshape(-1, d).mmul(W)");
      }
      if (transposed == null && op.getOp() instanceof Mmul mm) {
        int idx = op.getInputsToOp().indexOf(name);
        Map<String, Object> p = mm.propertiesForFunction();
        boolean ta = Boolean.TRUE.equals(p.get("transposeA"));
        boolean tb = Boolean.TRUE.equals(p.get("transposeB"));
        // x W (idx 1, no transpose) stores W as [d_in, d_out]; x W^T and W x store [d_out, d_in]
        transposed = idx == 1 ? !tb : ta;
        consumer = opName;
      }
    }
    boolean tr = transposed != null && transposed;
    if (transposed == null) {
      consumer = consumers == null || consumers.isEmpty() ? "" : consumers.get(0);
    }
    int dOut = (int) (tr ? shape[1] : shape[0]);
    int dIn = (int) (tr ? shape[0] : shape[1]);
    return new AdaptedTarget(name, dOut, dIn, tr, consumer);
  }

  /**
   * Values per example of {@code output}: its declared last dimension, or (when SameDiff does not know it before
   * running, as for most computed variables) one forward pass on a zero example, if every input's shape is known
   * but for the batch. -1 when it cannot be told.
   */
  static long outputWidth(SameDiff g, String output) {
    long[] shape = g.getVariable(output).getShape();
    if (shape != null && shape.length >= 2 && shape[shape.length - 1] > 0) {
      return shape[shape.length - 1];
    }
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> feed = new LinkedHashMap<>();
    for (SDVariable v : g.variables()) {
      if (v.getVariableType() == VariableType.PLACEHOLDER) {
        long[] ps = v.getShape();
        if (ps == null || ps.length == 0) {
          return -1;
        }
        long[] one = ps.clone();
        one[0] = 1;
        for (int i = 1; i < one.length; i++) {
          if (one[i] <= 0) {
            return -1;
          }
        }
        feed.put(v.name(), org.nd4j.linalg.factory.Nd4j.zeros(v.dataType(), one));
      }
    }
    try {
      long[] out = g.output(feed, output).get(output).shape();
      return out.length >= 2 ? out[out.length - 1] : -1;
    } catch (RuntimeException e) {
      return -1; // the graph wants other inputs than zeros: leave the check to training
    }
  }

  private static String outputsOf(SameDiff g) {
    List<String> out = new ArrayList<>();
    for (SDVariable v : g.variables()) {
      List<String> c = g.getVariables().get(v.name()).getInputsForOp();
      if (v.getVariableType() == VariableType.ARRAY && (c == null || c.isEmpty())) {
        out.add(v.name());
      }
    }
    return out.isEmpty() ? "none" : String.join(", ", out);
  }
}
