package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;
import org.lottalora.core.engine.MatrixMode;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GraphModel;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.recurrent.SequenceSet;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.TextClassifier;
import org.lottalora.models.transformer.TextModel;
import org.lottalora.models.transformer.Vit;
import org.lottalora.models.transformer.VitModel;

/**
 * Tiny saved models of the hand-written engine's families (byte LM, ViT, text classifier, GCN, GIN, CfC, LSTM) for a
 * reader written from lottalora-format/docs/families.md alone ({@code benchmarks/scripts/spec_reader.py}). Each
 * model is saved, every stored tensor is moved off its initial value (so B, beta, norms and embeddings all matter),
 * the file is loaded back through the family's own loader, and the loaded model's outputs on fixed inputs are
 * written next to the artifact as JSON. The test checks that the loader put every stored value back and that the
 * moved values change the outputs; the outputs themselves are what the Python reader compares against.
 *
 * <p>Output folder: system property {@code specReader.out}, default {@code target/spec-reader}.
 */
class SpecReaderFixturesTest {
  private static final Path OUT = Path.of(System.getProperty("specReader.out", "target/spec-reader"));

  /** {@link #perturb(Path, DType)} in fp32. */
  private static Map<String, float[]> perturb(Path file) {
    return perturb(file, DType.FLOAT32);
  }

  /**
   * Moves every stored tensor by {@code 0.25 sin(1.3 i + 0.7 k + 0.1)} (k: its index in the file), rewrites it with
   * matrices as {@code dtype}, and returns the values as the file now holds them (decoded).
   */
  private static Map<String, float[]> perturb(Path file, DType dtype) {
    Artifact a = ArtifactCodec.open(file).artifact();
    Artifact.Builder b = a.toBuilder().clearTensors();
    Map<String, float[]> moved = new java.util.LinkedHashMap<>();
    int k = 0;
    for (Tensor t : a.getTensorsList()) {
      float[] v = TensorCodec.decode(t, file.toString());
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.25f * (float) Math.sin(1.3 * i + 0.7 * k + 0.1);
      }
      long[] shape = TensorCodec.shapeOf(t);
      b.addTensors(TensorCodec.encode(t.getName(), shape, t.getRole(), v, shape.length > 1 ? dtype : DType.FLOAT32));
      k++;
    }
    ArtifactCodec.write(b.build(), file, null);
    for (Tensor t : ArtifactCodec.open(file).artifact().getTensorsList()) {
      moved.put(t.getName(), TensorCodec.decode(t, file.toString()));
    }
    return moved;
  }

  private static void assertRestored(Map<String, float[]> moved, Map<String, float[]> loaded) {
    assertTrue(moved.keySet().equals(loaded.keySet()), "stored " + moved.keySet() + " vs model " + loaded.keySet());
    for (Map.Entry<String, float[]> e : moved.entrySet()) {
      assertArrayEquals(e.getValue(), loaded.get(e.getKey()), e.getKey());
    }
  }

  private static void assertDiffer(float[][] a, float[][] b) {
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        diff = Math.max(diff, Math.abs(a[i][j] - b[i][j]));
      }
    }
    assertTrue(diff > 1e-3, "the moved tensors changed the outputs by only " + diff);
  }

  private static String json(float[][] m) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < m.length; i++) {
      sb.append(i == 0 ? "" : ",").append(json(m[i]));
    }
    return sb.append(']').toString();
  }

  private static String json(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int j = 0; j < v.length; j++) {
      sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.9g", v[j]));
    }
    return sb.append(']').toString();
  }

  private static String json(int[] v) {
    return java.util.Arrays.toString(v);
  }

  private static void write(String name, String family, String inputs, float[][] outputs, String outputKind)
      throws IOException {
    String s = "{\"family\": \"" + family + "\", \"artifact\": \"" + name + ".lotta\", \"inputs\": " + inputs
        + ", \"" + outputKind + "\": " + json(outputs) + "}\n";
    Files.writeString(OUT.resolve(name + ".json"), s, StandardCharsets.UTF_8);
  }

  private static AdapterConfig adapter(boolean rs) {
    return new AdapterConfig(2, 2.0, rs, true, 0, false, 3);
  }

  @Test
  void byteLm() throws IOException {
    Files.createDirectories(OUT);
    ByteLm.Spec s = new ByteLm.Spec(8, 2, 2, 12, 16, 11, InitSpec.DEFAULT, adapter(false), Targets.LM);
    Path file = OUT.resolve("tiny-lm.lotta");
    new LmModel(new ByteLm(s), "", "none", 0.1, 16, Double.NaN).save(file, null, DType.FLOAT32, null);
    int[] tokens = LmModel.tokens("Héllo, spec!");
    float[][] fresh = LmModel.load(file).lm().logits(tokens);
    Map<String, float[]> moved = perturb(file);
    LmModel m = LmModel.load(file);
    assertRestored(moved, m.lm().trained());
    float[][] z = m.lm().logits(tokens);
    assertDiffer(fresh, z);
    write("tiny-lm", "byte-lm", "{\"text\": \"Héllo, spec!\", \"tokens\": " + json(tokens) + "}", z, "logits");
  }

  @Test
  void byteLmFullAttentionAdaptedMlpInt8() throws IOException {
    Files.createDirectories(OUT);
    // attention trained in full, SwiGLU adapted, rsLoRA, rank 3 (capped nowhere: d = 8, F = 12); matrices stored int8
    ByteLm.Spec s = new ByteLm.Spec(8, 2, 1, 12, 16, -4, InitSpec.parse("uniform"),
        new AdapterConfig(3, 1.5, true, true, 0, false, 3), new Targets(MatrixMode.FULL, MatrixMode.ADAPTER));
    Path file = OUT.resolve("tiny-lm-int8.lotta");
    new LmModel(new ByteLm(s), "", "none", 0.1, 16, Double.NaN).save(file, null, DType.FLOAT32, null);
    int[] tokens = LmModel.tokens("int8 ✓");
    float[][] fresh = LmModel.load(file).lm().logits(tokens);
    Map<String, float[]> moved = perturb(file, DType.INT8);
    assertTrue(ArtifactCodec.open(file).artifact().getTensorsList().stream()
        .anyMatch(t -> t.getDtype() == DType.INT8), "some matrices are stored int8");
    LmModel m = LmModel.load(file);
    assertRestored(moved, m.lm().trained());
    float[][] z = m.lm().logits(tokens);
    assertDiffer(fresh, z);
    write("tiny-lm-int8", "byte-lm", "{\"text\": \"int8 ✓\", \"tokens\": " + json(tokens) + "}", z, "logits");
  }

  @Test
  void vit() throws IOException {
    Files.createDirectories(OUT);
    // attention trained in full (its matrices stored whole), MLP adapted, rsLoRA scaling
    Vit.Spec s = new Vit.Spec(4, 2, 8, 2, 2, 12, 3, 5, InitSpec.DEFAULT, adapter(true),
        new Targets(MatrixMode.FULL, MatrixMode.ADAPTER));
    Path file = OUT.resolve("tiny-vit.lotta");
    new VitModel(new Vit(s), "none", 1, 0, new Normalization(0.5f, 0.25f)).save(file, null, DType.FLOAT32, null);
    float[][] raw = new float[2][16];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 16; j++) {
        raw[i][j] = (float) (0.5 + 0.5 * Math.sin(0.9 * j + 2.1 * i));
      }
    }
    float[][] fresh = VitModel.load(file).probabilities(raw);
    Map<String, float[]> moved = perturb(file);
    VitModel m = VitModel.load(file);
    assertRestored(moved, m.vit().trained());
    float[][] p = m.probabilities(raw);
    assertDiffer(fresh, p);
    write("tiny-vit", "vit", "{\"images\": " + json(raw) + "}", p, "probabilities");
  }

  @Test
  void textClassifier() throws IOException {
    Files.createDirectories(OUT);
    TextClassifier.Spec s = new TextClassifier.Spec(12, 8, 2, 2, 12, 3, 9, InitSpec.DEFAULT, adapter(false),
        Targets.TEXT);
    Path file = OUT.resolve("tiny-text.lotta");
    new TextModel(new TextClassifier(s), List.of("a", "b", "c"), "none", 1, true).save(file, null, DType.FLOAT32,
        null);
    String[] texts = {"héllo", "ok", "twelve bytes", "longer than twelve bytes"};
    Map<String, float[]> moved = perturb(file);
    TextModel m = TextModel.load(file);
    assertRestored(moved, m.model().trained());
    float[][] p = new float[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      Map<String, Float> c = m.classify(texts[i]);
      p[i] = new float[] {c.get("a"), c.get("b"), c.get("c")};
    }
    // a batch pads the shorter texts: the padded ones must score as they do alone
    int[][] batch = {LmModel.tokens(texts[0]), LmModel.tokens(texts[1]), LmModel.tokens(texts[2])};
    float[][] together = m.model().probabilities(batch);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(p[i], together[i], 1e-6f, texts[i]);
    }
    assertFalse(java.util.Arrays.equals(p[0], p[1]));
    StringBuilder in = new StringBuilder("{\"texts\": [");
    for (int i = 0; i < texts.length; i++) {
      in.append(i == 0 ? "" : ", ").append('"').append(texts[i]).append('"');
    }
    write("tiny-text", "text-encoder", in.append("]}").toString(), p, "probabilities");
  }

  // 7 nodes, edges given with a repeat (0-1 twice, once reversed) and a self-loop (2-2); node 6 is isolated
  private static final int[] SRC = {0, 1, 1, 2, 3, 4, 2, 0};
  private static final int[] DST = {1, 0, 2, 2, 4, 5, 4, 3};

  private static Graph graph(int nodes, int[] src, int[] dst, int dims, double phase) {
    float[] f = new float[nodes * dims];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) Math.sin(0.8 * i + phase);
    }
    return Graph.of("g", nodes, src, dst, f, dims, null, 2);
  }

  private static String graphJson(Graph g, int[] src, int[] dst) {
    float[][] x = new float[g.nodes()][g.dims()];
    for (int i = 0; i < g.nodes(); i++) {
      System.arraycopy(g.features(), i * g.dims(), x[i], 0, g.dims());
    }
    return "{\"nodes\": " + g.nodes() + ", \"src\": " + json(src) + ", \"dst\": " + json(dst) + ", \"features\": "
        + json(x) + "}";
  }

  @Test
  void gcn() throws IOException {
    Files.createDirectories(OUT);
    // residual (layer 1: 4 -> 4) and LayerNorm closing each layer
    GcnNetwork.Spec s = new GcnNetwork.Spec(3, new int[] {4, 4}, 2, 13, InitSpec.DEFAULT,
        adapter(false).withVariants(false, true, true), false);
    Path file = OUT.resolve("tiny-gcn.lotta");
    GraphModel.create(new GraphModel.Setup("gcn", s, "none", 1, 0.6, 0.2)).save(file, null, null);
    Graph g = graph(7, SRC, DST, 3, 0);
    float[][] fresh = GraphModel.load(file).nodeProbabilities(g);
    Map<String, float[]> moved = perturb(file);
    GraphModel m = GraphModel.load(file);
    assertRestored(moved, m.trained());
    float[][] p = m.nodeProbabilities(g);
    assertDiffer(fresh, p);
    write("tiny-gcn", "gcn", "{\"graphs\": [" + graphJson(g, SRC, DST) + "]}", p, "probabilities");
  }

  @Test
  void gin() throws IOException {
    Files.createDirectories(OUT);
    // DoRA on every adapted matrix
    GcnNetwork.Spec s = new GcnNetwork.Spec(3, new int[] {4, 3}, 2, 17, InitSpec.DEFAULT,
        adapter(false).withVariants(true, false, false), false);
    Path file = OUT.resolve("tiny-gin.lotta");
    GraphModel.create(new GraphModel.Setup("gin", s, "none", 1, 0.6, 0.2)).save(file, null, null);
    int[] src2 = {0, 1, 2};
    int[] dst2 = {1, 2, 0};
    Graph[] gs = {graph(7, SRC, DST, 3, 0), graph(3, src2, dst2, 3, 1.5)};
    Map<String, float[]> moved = perturb(file);
    GraphModel m = GraphModel.load(file);
    assertRestored(moved, m.trained());
    float[][] p = {m.graphProbabilities(gs[0]), m.graphProbabilities(gs[1])};
    assertFalse(java.util.Arrays.equals(p[0], p[1]));
    write("tiny-gin", "gin", "{\"graphs\": [" + graphJson(gs[0], SRC, DST) + ", " + graphJson(gs[1], src2, dst2)
        + "]}", p, "probabilities");
  }

  private static SequenceSet sequences() {
    int n = 3;
    int steps = 4;
    float[][][] x = new float[n][steps][2];
    float[][] dt = new float[n][steps];
    int[] len = {4, 2, 3};
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < steps; t++) {
        x[i][t][0] = (float) (3 + 2 * Math.sin(1.1 * t + i));
        x[i][t][1] = (float) (-1 + Math.cos(0.7 * t + 2 * i));
        dt[i][t] = t == 0 ? 0f : (float) (0.5 + 0.4 * t + 0.3 * i);
      }
    }
    return new SequenceSet("s", x, dt, len, new int[] {0, 1, 2}, 3);
  }

  private static String sequenceJson(SequenceSet s) {
    StringBuilder sb = new StringBuilder("{\"x\": [");
    for (int i = 0; i < s.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(json(s.x()[i]));
    }
    return sb.append("], \"dt\": ").append(json(s.dt())).append(", \"lengths\": ").append(json(s.lengths()))
        .append('}').toString();
  }

  private void recurrent(String cell, AdapterConfig ac) throws IOException {
    Files.createDirectories(OUT);
    RecurrentNetwork.Spec s = new RecurrentNetwork.Spec(cell, 2, 4, 5, 3, 19, InitSpec.DEFAULT, ac, false);
    Path file = OUT.resolve("tiny-" + cell + ".lotta");
    new RecurrentModel(new RecurrentNetwork(s, Map.of()), "none", 1, 0, false, 4, new float[] {3f, -1f},
        new float[] {2f, 0.5f}).save(file, null, null);
    SequenceSet raw = sequences();
    float[][] fresh = RecurrentModel.load(file).probabilities(raw);
    Map<String, float[]> moved = perturb(file);
    RecurrentModel m = RecurrentModel.load(file);
    assertRestored(moved, m.network().trained());
    float[][] p = m.probabilities(raw);
    assertDiffer(fresh, p);
    write("tiny-" + cell, cell, sequenceJson(raw), p, "probabilities");
  }

  @Test
  void cfc() throws IOException {
    recurrent("cfc", adapter(false).withVariants(false, false, true)); // LayerNorm on each new state
  }

  @Test
  void lstm() throws IOException {
    recurrent("lstm", adapter(false).withVariants(false, true, false)); // residual state update
  }
}
