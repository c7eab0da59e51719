package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.engine.Attention;
import org.lottalora.core.engine.Blas;
import org.lottalora.core.engine.Gemm;
import org.lottalora.core.engine.Param;
import org.lottalora.core.engine.Params;
import org.lottalora.core.engine.RmsNorm;
import org.lottalora.core.engine.Softmax;
import org.lottalora.core.engine.SoftmaxCrossEntropy;

/**
 * A byte-level LLaMA-style language model over a frozen random scaffold (issue 4, first cut): a trained token
 * embedding {@code tok.embedding} [256, d] (tied: the output logits are {@code RMSNorm(h) E^T}), {@code layers}
 * {@link DecoderBlock}s with adapters on attention and a frozen SwiGLU, a trained final norm gain. Every byte is a
 * token, so every input is representable. Generation samples with temperature and top-k from the project's
 * generator, with or without the KV cache (the two give the same tokens).
 *
 * @see DecoderBlock
 */
public final class ByteLm {
  /** Vocabulary: the 256 byte values. */
  public static final int VOCAB = 256;

  /**
   * The model's shape.
   *
   * @param d width
   * @param heads attention heads
   * @param layers decoder blocks
   * @param hidden SwiGLU width
   * @param context longest sequence
   * @param seed backbone seed
   * @param init scaffold init
   * @param adapter adapter settings
   * @param targets which matrices are adapted, trained in full or frozen ({@link Targets#LM} by default)
   */
  public record Spec(int d, int heads, int layers, int hidden, int context, long seed, InitSpec init,
      AdapterConfig adapter, Targets targets) {
    /** Validates. */
    public Spec {
      org.lottalora.models.EngineArtifacts.refuseBlockSwitches(adapter, "byte LM");
      if (d < 2 || heads < 1 || d % heads != 0) {
        throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads");
      }
      if ((d / heads) % 2 != 0) {
        throw new IllegalArgumentException("RoPE rotates pairs: the head width " + d + "/" + heads + " must be even");
      }
      if (layers < 1 || hidden < 1 || context < 2) {
        throw new IllegalArgumentException("a language model needs layers, hidden >= 1 and a context of 2+");
      }
    }

    /** {@code full}: the trained baseline; else the paper's WikiText setting ({@link Targets#LM}). */
    public Spec(int d, int heads, int layers, int hidden, int context, long seed, InitSpec init,
        AdapterConfig adapter, boolean full) {
      this(d, heads, layers, hidden, context, seed, init, adapter, full ? Targets.FULL : Targets.LM);
    }

    /** Every matrix trained in full. */
    public boolean full() {
      return targets.isFull();
    }

    /** Values of the full model: embedding, blocks (weights and biases), norms. */
    public long modelValues() {
      long n = (2L * layers + 1) * d; // the norm gains
      for (TensorSpec t : tensors(this)) {
        n += t.size();
      }
      return n;
    }
  }

  private final Spec spec;
  private final Backbone backbone;
  private final Param embedding;
  private final DecoderBlock[] blocks;
  private final RmsNorm norm;
  private final List<Param> params = new ArrayList<>();

  /** The backbone tensors (the embedding's initial values and every block's). */
  public static List<TensorSpec> tensors(Spec s) {
    List<TensorSpec> ts = new ArrayList<>();
    ts.add(TensorSpec.of("tok.embedding", new int[] {VOCAB, s.d()}, InitSpec.parse("normal")));
    for (int l = 0; l < s.layers(); l++) {
      ts.addAll(DecoderBlock.tensors("blocks." + l, s.d(), s.hidden(), s.init()));
    }
    return ts;
  }

  /** Builds the model from its seed. */
  public ByteLm(Spec spec) {
    this(spec, Backbone.regenerate(spec.seed(), tensors(spec)));
  }

  /** Builds the model on an already regenerated scaffold {@code bb} (of {@link #tensors}; its arrays are shared). */
  public ByteLm(Spec spec, Backbone bb) {
    this.spec = spec;
    this.backbone = bb;
    embedding = new Param("tok.embedding", bb.get("tok.embedding").clone());
    params.add(embedding);
    blocks = new DecoderBlock[spec.layers()];
    for (int l = 0; l < blocks.length; l++) {
      blocks[l] = new DecoderBlock("blocks." + l, spec.d(), spec.heads(), spec.hidden(), bb, spec.adapter(),
          spec.targets(), params);
    }
    norm = new RmsNorm("final_norm", spec.d(), params);
  }

  /** Trained arrays (live). */
  public List<Param> params() {
    return params;
  }

  /** Recomputes effective weights after the trained arrays changed. */
  public void refresh() {
    for (DecoderBlock b : blocks) {
      b.refresh();
    }
  }

  private void checkLength(int n) {
    if (n > spec.context()) {
      throw new IllegalArgumentException(n + " tokens are longer than the model's context of " + spec.context()
          + "; shorten the input");
    }
  }

  private float[] embed(int token) {
    return java.util.Arrays.copyOfRange(embedding.v, token * spec.d(), (token + 1) * spec.d());
  }

  private float[] logitsOf(float[] hn) { // the same OpenBLAS product as a whole sequence's row
    float[] z = new float[VOCAB];
    Gemm.blas(false, true, 1, VOCAB, spec.d(), 1f, hn, 0, embedding.v, 0, 0f, z, 0);
    return z;
  }

  /** Next-token logits at every position of {@code tokens}, [T][256]. */
  public float[][] logits(int[] tokens) {
    return logits(new int[][] {tokens});
  }

  /** Next-token logits at every position of equally long sequences, stacked as rows [B T][256]. */
  public float[][] logits(int[][] batch) {
    int t = batch[0].length;
    return Blas.rows(flatLogits(batch, false), batch.length * t, VOCAB);
  }

  // the embedded tokens of equally long sequences as one block [B T, d]
  private float[] embedAll(int[][] batch) {
    int t = batch[0].length;
    checkLength(t);
    int d = spec.d();
    float[] h = new float[batch.length * t * d];
    for (int b = 0; b < batch.length; b++) {
      if (batch[b].length != t) {
        throw new IllegalArgumentException("sequences of a batch must be equally long: " + batch[b].length + " vs "
            + t);
      }
      for (int i = 0; i < t; i++) {
        System.arraycopy(embedding.v, batch[b][i] * d, h, (b * t + i) * d, d);
      }
    }
    return h;
  }

  // logits [B T, 256] as one block; with train, every layer keeps what backward needs
  private float[] flatLogits(int[][] batch, boolean train) {
    int t = batch[0].length;
    int rows = batch.length * t;
    float[] h = embedAll(batch);
    for (DecoderBlock b : blocks) {
      h = b.forward(h, rows, t, train);
    }
    lastNormed = norm.forward(h, rows, new float[rows * spec.d()]);
    float[] z = new float[rows * VOCAB];
    Gemm.blas(false, true, rows, VOCAB, spec.d(), 1f, lastNormed, 0, embedding.v, 0, 0f, z, 0);
    return z;
  }

  private float[] lastNormed;

  /** Mean next-token cross-entropy (nats) of {@code tokens} with every trained array's gradient (see below). */
  public double backward(int[] tokens) {
    return backward(new int[][] {tokens});
  }

  /** Mean next-token cross-entropy (nats) over every prediction in {@code batch}, without gradients. */
  public double loss(int[][] batch) {
    float[] z = flatLogits(batch, false);
    return crossEntropy(z, batch, null);
  }

  // mean next-token cross-entropy of logits z [B T, 256] (each row's label: the next byte; the last row of a
  // sequence has none); with dz, its gradient
  private static double crossEntropy(float[] z, int[][] batch, float[] dz) {
    int t = batch[0].length;
    int[] next = new int[batch.length * t];
    for (int b = 0; b < batch.length; b++) {
      for (int i = 0; i < t; i++) {
        next[b * t + i] = i + 1 < t ? batch[b][i + 1] : -1;
      }
    }
    return SoftmaxCrossEntropy.of(z, VOCAB, next, null, dz).loss();
  }

  /**
   * Mean next-token cross-entropy (nats) over every prediction of equally long sequences and, in place, every
   * trained array's gradient of it (zeroed first).
   */
  public double backward(int[][] batch) {
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    float[] z = flatLogits(batch, true);
    int t = batch[0].length;
    int rows = batch.length * t;
    int d = spec.d();
    float[] dz = new float[rows * VOCAB];
    double loss = crossEntropy(z, batch, dz);
    Gemm.mm(true, false, VOCAB, d, rows, 1f, dz, lastNormed, 1f, embedding.g); // dE += dz^T RMSNorm(h)
    float[] dn = new float[rows * d];
    Gemm.mm(false, false, rows, d, VOCAB, 1f, dz, embedding.v, 0f, dn);
    float[] dx = new float[rows * d];
    norm.backward(dn, rows, dx);
    for (int l = blocks.length - 1; l >= 0; l--) {
      dx = blocks[l].backward(dx);
    }
    for (DecoderBlock b : blocks) {
      b.finish();
    }
    for (int b = 0; b < batch.length; b++) { // repeated tokens add up
      for (int i = 0; i < t; i++) {
        int tok = batch[b][i];
        int src = (b * t + i) * d;
        for (int c = 0; c < d; c++) {
          embedding.g[tok * d + c] += dx[src + c];
        }
      }
    }
    return loss;
  }

  /** The frozen scaffold it was built on. */
  public Backbone backbone() {
    return backbone;
  }

  /** The model's shape. */
  public Spec spec() {
    return spec;
  }

  /** Copies of the trained arrays by name (what the artifact stores). */
  public java.util.Map<String, float[]> trained() {
    return Params.copy(params);
  }

  /**
   * Puts stored trained arrays back (every name must be one of {@link #trained()}'s, same length) and refreshes.
   *
   * @throws IllegalArgumentException on an unknown name or a wrong length
   */
  public void restore(java.util.Map<String, float[]> values) {
    Params.restore(params, values, "this model");
    refresh();
  }

  /** Canonical shape of a trained array (for int8 row scales and readers): by its name. */
  public long[] shapeOf(String name) {
    int d = spec.d();
    if (name.equals("tok.embedding")) {
      return new long[] {VOCAB, d};
    }
    if (name.endsWith(".lora_A") || name.endsWith(".lora_B") || name.endsWith(".weight")) {
      boolean mlp = name.contains(".mlp.");
      boolean down = name.contains(".mlp.down.");
      int in = mlp && down ? spec.hidden() : d;
      int out = mlp && !down ? spec.hidden() : d;
      int rr = spec.adapter().effectiveRank(in, out);
      return name.endsWith(".lora_A") ? new long[] {rr, in} : name.endsWith(".lora_B") ? new long[] {out, rr}
          : new long[] {out, in};
    }
    return new long[] {params.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow().v.length};
  }

  /** Probabilities of the next byte after {@code prefix} (1 to context bytes). */
  public float[] nextTokenDistribution(int[] prefix) {
    if (prefix.length == 0) {
      throw new IllegalArgumentException("the prefix is empty; give at least one byte");
    }
    float[][] z = logits(prefix);
    return Softmax.of(z[z.length - 1]);
  }

  /**
   * Generates {@code maxTokens} bytes after {@code prompt}: temperature 0 is greedy, else softmax(z / temperature)
   * over the {@code topK} largest logits (0: all), drawn from stream "lm.sample" of {@code seed}. With
   * {@code cached} each new token costs one step per block against the KV caches; without, the whole sequence is
   * run again. Both give the same tokens.
   *
   * @throws IllegalArgumentException when the prompt and the new tokens do not fit the context
   */
  public int[] generate(int[] prompt, int maxTokens, double temperature, int topK, long seed, boolean cached) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty; give at least one byte");
    }
    checkLength(prompt.length);
    checkLength(prompt.length + maxTokens);
    Stream draws = new Stream(seed, "lm.sample");
    int[] out = java.util.Arrays.copyOf(prompt, prompt.length + maxTokens);
    Attention.KvCache[] caches = new Attention.KvCache[blocks.length];
    float[] last = null;
    if (cached) {
      for (int l = 0; l < blocks.length; l++) {
        caches[l] = blocks[l].newCache();
      }
      for (int token : prompt) {
        last = stepAll(caches, token);
      }
    }
    for (int k = 0; k < maxTokens; k++) {
      int len = prompt.length + k;
      float[] z;
      if (cached) {
        z = last;
      } else {
        float[][] all = logits(java.util.Arrays.copyOf(out, len));
        z = all[len - 1];
      }
      out[len] = sample(z, temperature, topK, Stream.uniform(draws.word(k)));
      if (cached && k + 1 < maxTokens) {
        last = stepAll(caches, out[len]);
      }
    }
    return out;
  }

  private float[] stepAll(Attention.KvCache[] caches, int token) {
    float[] h = embed(token);
    for (int l = 0; l < blocks.length; l++) {
      h = blocks[l].step(caches[l], h);
    }
    return logitsOf(norm.forward(h, 1, new float[spec.d()]));
  }

  static int sample(float[] z, double temperature, int topK, double u) {
    int best = 0;
    for (int t = 1; t < z.length; t++) {
      best = z[t] > z[best] ? t : best;
    }
    if (temperature <= 0) {
      return best;
    }
    Integer[] order = new Integer[z.length];
    for (int t = 0; t < z.length; t++) {
      order[t] = t;
    }
    java.util.Arrays.sort(order, (a, b) -> z[a] != z[b] ? Float.compare(z[b], z[a]) : Integer.compare(a, b));
    int keep = topK <= 0 ? z.length : Math.min(topK, z.length);
    double[] w = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      w[i] = Math.exp((z[order[i]] - z[best]) / temperature);
      sum += w[i];
    }
    double target = u * sum;
    for (int i = 0; i < keep; i++) {
      target -= w[i];
      if (target < 0) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  /**
   * A switch between this network's scaffolds ({@link org.lottalora.core.train.ScaffoldSwitch}), for scaffold
   * resampling: the attention and MLP matrices change, the tensors trained in full stay.
   */
  public org.lottalora.core.train.ScaffoldSwitch scaffoldSwitch() {
    java.util.List<org.lottalora.core.engine.AdaptedDense> layers = new java.util.ArrayList<>();
    for (DecoderBlock b : blocks) {
      b.scaffoldLayers(layers);
    }
    return new org.lottalora.core.train.ScaffoldSwitch(spec.seed(), tensors(spec), layers, this::refresh);
  }
}
