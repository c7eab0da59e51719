package org.lottalora.models.transformer;

import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Stream;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.models.engine.Param;
import org.lottalora.models.engine.Softmax;

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
   * @param full train every weight instead of adapters
   */
  public record Spec(int d, int heads, int layers, int hidden, int context, long seed, InitSpec init,
      AdapterConfig adapter, boolean full) {
    /** Validates. */
    public Spec {
      if (d < 2 || heads < 1 || d % heads != 0) {
        throw new IllegalArgumentException("width " + d + " is not divisible by " + heads + " heads");
      }
      if (layers < 1 || hidden < 1 || context < 2) {
        throw new IllegalArgumentException("a language model needs layers, hidden >= 1 and a context of 2+");
      }
    }
  }

  private final Spec spec;
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
    this.spec = spec;
    Backbone bb = Backbone.regenerate(spec.seed(), tensors(spec), 1);
    embedding = new Param("tok.embedding", bb.get("tok.embedding").clone());
    params.add(embedding);
    blocks = new DecoderBlock[spec.layers()];
    for (int l = 0; l < blocks.length; l++) {
      blocks[l] = new DecoderBlock("blocks." + l, spec.d(), spec.heads(), spec.hidden(), bb, spec.adapter(),
          spec.full(), false, params);
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

  private float[] logitsOf(float[] hn) {
    float[] z = new float[VOCAB];
    for (int t = 0; t < VOCAB; t++) {
      double acc = 0;
      for (int c = 0; c < spec.d(); c++) {
        acc += hn[c] * embedding.v[t * spec.d() + c];
      }
      z[t] = (float) acc;
    }
    return z;
  }

  /** Next-token logits at every position of {@code tokens}, [T][256]. */
  public float[][] logits(int[] tokens) {
    checkLength(tokens.length);
    float[][] h = new float[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      h[i] = embed(tokens[i]);
    }
    for (DecoderBlock b : blocks) {
      h = b.forward(h);
    }
    float[][] hn = norm.forward(h);
    float[][] z = new float[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      z[i] = logitsOf(hn[i]);
    }
    lastNormed = hn;
    return z;
  }

  private float[][] lastNormed;

  /**
   * Mean next-token cross-entropy (nats) of {@code tokens} and, in place, every trained array's gradient of it
   * (zeroed first).
   */
  public double backward(int[] tokens) {
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0);
    }
    float[][] z = logits(tokens);
    int n = tokens.length - 1;
    int d = spec.d();
    double loss = 0;
    float[][] dh = new float[tokens.length][d];
    for (int i = 0; i < n; i++) {
      float[] p = Softmax.of(z[i]);
      int y = tokens[i + 1];
      loss -= Math.log(Math.max(1e-30, p[y]));
      for (int t = 0; t < VOCAB; t++) {
        float g = (p[t] - (t == y ? 1 : 0)) / n;
        for (int c = 0; c < d; c++) {
          embedding.g[t * d + c] += g * lastNormed[i][c];
          dh[i][c] += g * embedding.v[t * d + c];
        }
      }
    }
    float[][] dx = norm.backward(dh);
    for (int l = blocks.length - 1; l >= 0; l--) {
      dx = blocks[l].backward(dx);
    }
    for (DecoderBlock b : blocks) {
      b.finish();
    }
    for (int i = 0; i < tokens.length; i++) {
      for (int c = 0; c < d; c++) {
        embedding.g[tokens[i] * d + c] += dx[i][c];
      }
    }
    return loss / n;
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
    SelfAttention.KvCache[] caches = new SelfAttention.KvCache[blocks.length];
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

  private float[] stepAll(SelfAttention.KvCache[] caches, int token) {
    float[] h = embed(token);
    for (int l = 0; l < blocks.length; l++) {
      h = blocks[l].step(caches[l], h);
    }
    return logitsOf(norm.forward(new float[][] {h})[0]);
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
}
