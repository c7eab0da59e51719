package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.Softmax;

/**
 * A Transformer sequence classifier over a frozen random scaffold (the paper's IMDB setting): byte tokens embedded
 * ({@code tok.embedding}, trained), learned positions ({@code pos}, trained), {@link EncoderBlock}s with adapters on
 * attention and a frozen random GELU MLP by default, a final LayerNorm, the mean over each sequence's real tokens
 * (padding masked in attention and pooling), and a linear head trained in full.
 */
public final class TextClassifier {
  /**
   * The shape.
   *
   * @param maxLen longest sequence (the context)
   * @param d width
   * @param heads attention heads
   * @param layers blocks
   * @param hidden MLP width
   * @param classes outputs
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings
   * @param targets which matrices are adapted, trained in full or frozen ({@link Targets#TEXT} by default)
   */
  public record Spec(int maxLen, int d, int heads, int layers, int hidden, int classes, long seed, InitSpec init,
      AdapterConfig adapter, Targets targets) {
    /** Validates. */
    public Spec {
      org.lottalora.models.EngineArtifacts.refuseBlockSwitches(adapter, "text encoder");
      if (d < 2 || heads < 1 || d % heads != 0) {
        throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads; use a width "
            + "that is a multiple of the heads (e.g. " + Math.max(2, heads) * Math.max(1, d / Math.max(1, heads))
            + ") or a head count that divides " + d);
      }
      if (maxLen < 1 || layers < 1 || hidden < 1 || classes < 2) {
        throw new IllegalArgumentException("a text classifier needs a context, layers and MLP width >= 1 and 2+ "
            + "classes");
      }
    }

    /** Every matrix trained in full. */
    public boolean full() {
      return targets.isFull();
    }

    /** Values of the full model. */
    public long modelValues() {
      long n = 2L * d * (2L * layers + 1);
      for (TensorSpec t : tensors(this)) {
        n += t.size();
      }
      return n;
    }
  }

  private final Spec spec;
  private final Backbone backbone;
  private final Param tok;
  private final Param pos;
  private final EncoderStack blocks;
  private final ClassifierHead head;
  private final List<Param> params = new ArrayList<>();
  private int[][] lastTokens;
  private int[] lastLengths;
  private int lastT;

  /** The backbone tensors. */
  public static List<TensorSpec> tensors(Spec s) {
    List<TensorSpec> ts = new ArrayList<>();
    ts.add(TensorSpec.of("tok.embedding", new int[] {ByteLm.VOCAB, s.d()}, InitSpec.parse("normal")));
    ts.add(TensorSpec.of("pos", new int[] {s.maxLen(), s.d()}, InitSpec.parse("normal")));
    ts.addAll(EncoderStack.tensors(s.layers(), s.d(), s.hidden(), s.init()));
    ts.add(TensorSpec.of("head.weight", new int[] {s.classes(), s.d()}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("head.bias", s.classes(), s.d(), InitSpec.parse("uniform")));
    return ts;
  }

  /** Builds the classifier from its seed. */
  public TextClassifier(Spec spec) {
    this(spec, Backbone.regenerate(spec.seed(), tensors(spec)));
  }

  /**
   * Builds the classifier on an already regenerated scaffold {@code bb} (of {@link #tensors}; its arrays are
   * shared).
   */
  public TextClassifier(Spec spec, Backbone bb) {
    this.spec = spec;
    backbone = bb;
    tok = trained("tok.embedding");
    pos = trained("pos");
    blocks = new EncoderStack(spec.layers(), spec.d(), spec.heads(), spec.hidden(), backbone, spec.adapter(),
        spec.targets(), params);
    head = new ClassifierHead(spec.d(), spec.classes(), backbone, params);
  }

  private Param trained(String name) {
    Param p = new Param(name, backbone.get(name).clone());
    params.add(p);
    return p;
  }

  /** The shape. */
  public Spec spec() {
    return spec;
  }

  /** The scaffold. */
  public Backbone backbone() {
    return backbone;
  }

  /** Trained arrays (live). */
  public List<Param> params() {
    return params;
  }

  /** Recomputes effective weights. */
  public void refresh() {
    blocks.refresh();
  }

  /**
   * Logits [B][classes] of token sequences (each 1..maxLen tokens; shorter ones are padded and masked).
   *
   * @throws IllegalArgumentException for an empty sequence or one longer than the context
   */
  public float[][] logits(int[][] batch) {
    return logits(batch, false);
  }

  private float[][] logits(int[][] batch, boolean train) {
    int t = 1;
    int[] lengths = new int[batch.length];
    for (int b = 0; b < batch.length; b++) {
      if (batch[b].length == 0 || batch[b].length > spec.maxLen()) {
        throw new IllegalArgumentException("a sequence of " + batch[b].length + " tokens: this classifier takes 1 "
            + "to " + spec.maxLen() + " (its context); truncate longer texts");
      }
      lengths[b] = batch[b].length;
      t = Math.max(t, batch[b].length);
    }
    int d = spec.d();
    lastTokens = batch;
    lastLengths = lengths;
    lastT = t;
    float[][] x = new float[batch.length * t][];
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < t; i++) {
        float[] row = new float[d];
        if (i < lengths[b]) {
          int k = batch[b][i];
          for (int j = 0; j < d; j++) {
            row[j] = tok.v[k * d + j] + pos.v[i * d + j];
          }
        }
        x[b * t + i] = row;
      }
    }
    x = blocks.forward(x, t, lengths, train);
    float[][] pooled = new float[batch.length][d];
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < lengths[b]; i++) {
        for (int j = 0; j < d; j++) {
          pooled[b][j] += x[b * t + i][j] / lengths[b];
        }
      }
    }
    return head.forward(pooled);
  }

  /** Class probabilities [B][classes]. */
  public float[][] probabilities(int[][] batch) {
    float[][] z = logits(batch);
    for (int b = 0; b < z.length; b++) {
      z[b] = Softmax.of(z[b]);
    }
    return z;
  }

  /** Mean cross-entropy of a batch and, in place, every trained array's gradient of it (zeroed first). */
  public double backward(int[][] batch, int[] labels) {
    for (Param q : params) {
      java.util.Arrays.fill(q.g, 0);
    }
    float[][] z = logits(batch, true);
    int n = batch.length;
    int d = spec.d();
    int t = lastT;
    ClassifierHead.Backward hb = head.backward(z, labels);
    double loss = hb.loss();
    float[][] dp = hb.dPooled();
    float[][] dx = new float[n * t][];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < t; i++) {
        float[] row = new float[d];
        if (i < lastLengths[b]) {
          for (int j = 0; j < d; j++) {
            row[j] = dp[b][j] / lastLengths[b];
          }
        }
        dx[b * t + i] = row;
      }
    }
    dx = blocks.backward(dx);
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < lastLengths[b]; i++) {
        int k = lastTokens[b][i];
        float[] g = dx[b * t + i];
        for (int j = 0; j < d; j++) {
          tok.g[k * d + j] += g[j];
          pos.g[i * d + j] += g[j];
        }
      }
    }
    return loss;
  }

  /** Copies of the trained arrays by name. */
  public Map<String, float[]> trained() {
    return Params.copy(params);
  }

  /**
   * Puts stored trained arrays back and refreshes.
   *
   * @throws IllegalArgumentException on an unknown name or a wrong length
   */
  public void restore(Map<String, float[]> values) {
    Params.restore(params, values, "this classifier");
    refresh();
  }

  /** Learned beta per adapted matrix. */
  public Map<String, Double> betas() {
    return Params.betas(params);
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    blocks.scaffoldLayers(layers);
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, this::refresh);
  }
}
