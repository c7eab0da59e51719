package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.Softmax;

/**
 * A Vision Transformer over a frozen random scaffold: square patches of a one-channel image embedded by a linear
 * map, a class token in front, learned position embeddings added, {@link EncoderBlock}s, a LayerNorm on the class
 * token and a linear head. The patch embedding, class token, positions, LayerNorms and head are trained in full
 * (their starting values come from the seed); every block's W_Q, W_K, W_V, W_O and both MLP matrices carry adapters
 * (6 per block), or are trained in full for the baseline.
 */
public final class Vit {
  /**
   * The ViT's shape.
   *
   * @param side image height and width (square images)
   * @param patch patch side (divides {@code side})
   * @param d width
   * @param heads attention heads
   * @param layers blocks
   * @param hidden MLP width
   * @param classes outputs
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings
   * @param targets which matrices are adapted, trained in full or frozen ({@link Targets#VIT} by default)
   */
  public record Spec(int side, int patch, int d, int heads, int layers, int hidden, int classes, long seed,
      InitSpec init, AdapterConfig adapter, Targets targets) {
    /** Validates. */
    public Spec {
      if (patch < 1 || side < patch || side % patch != 0) {
        throw new IllegalArgumentException("patch side " + patch + " does not divide the " + side + "x" + side
            + " image; use a divisor of " + side);
      }
      org.lottalora.models.EngineArtifacts.refuseBlockSwitches(adapter, "ViT");
      if (d < 2 || heads < 1 || d % heads != 0) {
        throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads; use a width "
            + "that is a multiple of the heads (e.g. " + Math.max(2, heads) * Math.max(1, d / Math.max(1, heads))
            + ") or a head count that divides " + d);
      }
      if (layers < 1 || hidden < 1 || classes < 2) {
        throw new IllegalArgumentException("a ViT needs layers and an MLP width >= 1 and 2+ classes");
      }
    }

    /** Every matrix trained in full. */
    public boolean full() {
      return targets.isFull();
    }

    /** Patches per image. */
    public int patches() {
      return (side / patch) * (side / patch);
    }

    /** Tokens per image: the patches and the class token. */
    public int tokens() {
      return patches() + 1;
    }

    /** Values of the full model (every backbone tensor and the LayerNorms). */
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
  private final Param patchW;
  private final Param patchB;
  private final Param cls;
  private final Param pos;
  private final EncoderStack blocks;
  private final ClassifierHead head;
  private final List<Param> params = new ArrayList<>();
  private float[][] patchRows;
  private int batch;

  /** The backbone tensors: the starting values of the trained embeddings and head, and every block's matrices. */
  public static List<TensorSpec> tensors(Spec s) {
    List<TensorSpec> ts = new ArrayList<>();
    int pp = s.patch() * s.patch();
    ts.add(TensorSpec.of("patch.weight", new int[] {s.d(), pp}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("patch.bias", s.d(), pp, InitSpec.parse("uniform")));
    ts.add(TensorSpec.of("cls", new int[] {1, s.d()}, InitSpec.parse("normal")));
    ts.add(TensorSpec.of("pos", new int[] {s.tokens(), s.d()}, InitSpec.parse("normal")));
    ts.addAll(EncoderStack.tensors(s.layers(), s.d(), s.hidden(), s.init()));
    ts.add(TensorSpec.of("head.weight", new int[] {s.classes(), s.d()}, InitSpec.parse("kaiming_uniform")));
    ts.add(TensorSpec.bias("head.bias", s.classes(), s.d(), InitSpec.parse("uniform")));
    return ts;
  }

  /** Builds the ViT from its seed. */
  public Vit(Spec spec) {
    this(spec, Backbone.regenerate(spec.seed(), tensors(spec)));
  }

  /** Builds the ViT on an already regenerated scaffold {@code bb} (of {@link #tensors}; its arrays are shared). */
  public Vit(Spec spec, Backbone bb) {
    this.spec = spec;
    this.backbone = bb;
    patchW = trained("patch.weight");
    patchB = trained("patch.bias");
    cls = trained("cls");
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

  /** The scaffold it was built on. */
  public Backbone backbone() {
    return backbone;
  }

  /** Trained arrays (live). */
  public List<Param> params() {
    return params;
  }

  /** Recomputes effective weights after the trained arrays changed. */
  public void refresh() {
    blocks.refresh();
  }

  /** Logits [B][classes] of images given as rows of side x side pixels (already normalised). */
  public float[][] logits(float[][] images) {
    return logits(images, false);
  }

  private float[][] logits(float[][] images, boolean train) {
    int n = spec.patches();
    int t = spec.tokens();
    int d = spec.d();
    int p = spec.patch();
    int across = spec.side() / p;
    batch = images.length;
    patchRows = new float[batch * n][p * p];
    for (int b = 0; b < batch; b++) {
      if (images[b].length != spec.side() * spec.side()) {
        throw new IllegalArgumentException("an image has " + images[b].length + " pixels; this ViT takes "
            + spec.side() + "x" + spec.side());
      }
      for (int k = 0; k < n; k++) {
        int r0 = (k / across) * p;
        int c0 = (k % across) * p;
        for (int i = 0; i < p; i++) {
          System.arraycopy(images[b], (r0 + i) * spec.side() + c0, patchRows[b * n + k], i * p, p);
        }
      }
    }
    float[][] e = Blas.timesTransposed(patchRows, patchW.v, d);
    float[][] x = new float[batch * t][];
    for (int b = 0; b < batch; b++) {
      float[] c = new float[d];
      for (int j = 0; j < d; j++) {
        c[j] = cls.v[j] + pos.v[j];
      }
      x[b * t] = c;
      for (int k = 0; k < n; k++) {
        float[] row = e[b * n + k];
        for (int j = 0; j < d; j++) {
          row[j] += patchB.v[j] + pos.v[(k + 1) * d + j];
        }
        x[b * t + k + 1] = row;
      }
    }
    x = blocks.forward(x, t, null, train);
    float[][] c = new float[batch][];
    for (int b = 0; b < batch; b++) {
      c[b] = x[b * t];
    }
    return head.forward(c);
  }

  /** Class probabilities [B][classes]. */
  public float[][] probabilities(float[][] images) {
    float[][] z = logits(images);
    for (int b = 0; b < z.length; b++) {
      z[b] = Softmax.of(z[b]);
    }
    return z;
  }

  /**
   * Mean cross-entropy of a batch and, in place, every trained array's gradient of it (zeroed first).
   *
   * @throws IllegalArgumentException on a label outside the classes
   */
  public double backward(float[][] images, int[] labels) {
    for (Param q : params) {
      java.util.Arrays.fill(q.g, 0);
    }
    float[][] z = logits(images, true);
    int d = spec.d();
    int t = spec.tokens();
    int n = spec.patches();
    ClassifierHead.Backward hb = head.backward(z, labels);
    double loss = hb.loss();
    float[][] dc = hb.dPooled();
    float[][] dx = new float[batch * t][];
    for (int b = 0; b < batch; b++) {
      dx[b * t] = dc[b];
      for (int k = 1; k < t; k++) {
        dx[b * t + k] = new float[d];
      }
    }
    dx = blocks.backward(dx);
    float[][] de = new float[batch * n][];
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < t; k++) {
        float[] g = dx[b * t + k];
        for (int j = 0; j < d; j++) {
          pos.g[k * d + j] += g[j];
        }
        if (k == 0) {
          for (int j = 0; j < d; j++) {
            cls.g[j] += g[j];
          }
        } else {
          de[b * n + k - 1] = g;
          for (int j = 0; j < d; j++) {
            patchB.g[j] += g[j];
          }
        }
      }
    }
    Blas.addTransposedTimes(de, patchRows, patchW.g, d, spec.patch() * spec.patch());
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
    Params.restore(params, values, "this ViT");
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
