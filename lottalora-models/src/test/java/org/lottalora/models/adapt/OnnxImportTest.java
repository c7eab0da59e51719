package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX fixtures exported by torch (src/test/resources/onnx/make_fixtures.py) must import to graphs that give
 * torch's outputs, survive a save/load round trip, and fail with one-line messages on bad inputs. Each model is
 * imported once for the class: the first import in a JVM costs ~10 s of classpath scanning.
 */
class OnnxImportTest {
  private static final Path DIR = Paths.get("src/test/resources/onnx");
  private static final String[] MATCHING =
      {"mlp", "cnn", "attention", "gemm_transb0", "gemm_alpha", "gemm_beta", "gemm_transa", "gemm_nobias_unnamed"};
  private static final Map<String, SameDiff> IMPORTED = new HashMap<>();
  private static double firstImportSeconds;

  @BeforeAll
  static void importFixtures() {
    long t0 = System.nanoTime();
    for (String name : MATCHING) {
      IMPORTED.put(name, OnnxImport.load(DIR.resolve(name + ".onnx")));
      if (firstImportSeconds == 0) {
        firstImportSeconds = (System.nanoTime() - t0) / 1e9;
      }
    }
    System.out.printf("OnnxImportTest: first import %.1f s, %d models in %.1f s%n", firstImportSeconds,
        MATCHING.length, (System.nanoTime() - t0) / 1e9);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "cnn", "attention", "gemm_transb0", "gemm_alpha", "gemm_beta", "gemm_transa",
      "gemm_nobias_unnamed"})
  void importedOutputsEqualTorch(String name) throws IOException {
    SameDiff sd = IMPORTED.get(name);
    Expected e = Expected.read(name);
    assertEquals(List.of("logits"), sd.outputs());
    assertTrue(sd.getVariable("input").isPlaceHolder());
    INDArray out = sd.output(Map.of("input", e.input), "logits").get("logits");
    assertArrayEquals(e.logits.shape(), out.shape());
    assertEquals(0, out.sub(e.logits).amaxNumber().doubleValue(), 1e-5, name);
  }

  /** The importer prints a graph summary and "Unable to resolve attribute ..." lines; none may reach the user. */
  @Test
  void importPrintsNothing() {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    java.io.PrintStream capture = new java.io.PrintStream(buf, true);
    System.setOut(capture);
    System.setErr(capture);
    try {
      OnnxImport.load(DIR.resolve("mlp.onnx"));
      assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(DIR.resolve("unsupported.onnx")));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertEquals("", buf.toString());
  }

  @Test
  void dynamicBatchAxisBecomesMinusOne() {
    assertArrayEquals(new long[] {-1, 64}, IMPORTED.get("mlp").getVariable("input").placeholderShape());
    assertArrayEquals(new long[] {-1, 4, 16}, IMPORTED.get("attention").getVariable("input").placeholderShape());
  }

  /** Without the repair, M2.1's Mmul drops the Gemm bias; with it, each Gemm becomes Mmul then an add. */
  @Test
  void gemmBiasRepairIsNeededAndAddsTheBias() throws IOException {
    Expected e = Expected.read("mlp");
    SameDiff raw = OnnxImport.importRaw(DIR.resolve("mlp.onnx"));
    INDArray rawOut = raw.output(Map.of("input", e.input), "logits").get("logits");
    assertTrue(rawOut.sub(e.logits).amaxNumber().doubleValue() > 1e-2, "raw import unexpectedly keeps the bias");
    assertEquals(2, countMmulWithInputs(raw, 3));

    SameDiff sd = IMPORTED.get("mlp");
    assertEquals(0, countMmulWithInputs(sd, 3));
    assertEquals(2, countMmulWithInputs(sd, 2));
    List<List<String>> adds = new ArrayList<>();
    for (SameDiffOp op : sd.getOps().values()) {
      if (op.getOp() instanceof AddOp) {
        adds.add(op.getInputsToOp());
      }
    }
    assertEquals(List.of(List.of("/fc1/Gemm_output_0/nobias", "fc1.bias"), List.of("logits/nobias", "fc2.bias")),
        adds);
    assertEquals(raw.getOps().size() + 2, sd.getOps().size());
    SameDiffOp producer = sd.getOps().get(sd.getVariables().get("logits").getOutputOfOp());
    assertTrue(producer.getOp() instanceof AddOp);
  }

  /** M2.1 gives a MatMul's Mmul alpha=0, beta=1 (accumulate into a reused buffer); the repair sets 1, 0. */
  @Test
  void matMulScaleRepairIsNeeded() throws IOException {
    Expected e = Expected.read("attention");
    SameDiff raw = OnnxImport.importRaw(DIR.resolve("attention.onnx"));
    assertArrayEquals(new double[] {0.0, 1.0}, ((Mmul) raw.getOps().get("/MatMul").getOp()).tArgs());
    INDArray rawOut = raw.output(Map.of("input", e.input), "logits").get("logits");
    assertTrue(rawOut.sub(e.logits).amaxNumber().doubleValue() > 1e-2, "raw import unexpectedly correct");
    SameDiff sd = IMPORTED.get("attention");
    assertArrayEquals(new double[] {1.0, 0.0}, ((Mmul) sd.getOps().get("/MatMul").getOp()).tArgs());
    assertArrayEquals(new double[] {1.0, 0.0}, ((Mmul) sd.getOps().get("/q/Gemm").getOp()).tArgs());
  }

  /** Later surgery (adapters) relies on each variable's consumer list matching the ops' input lists. */
  @Test
  void consumerListsMatchTheOps() {
    for (String name : MATCHING) {
      SameDiff sd = IMPORTED.get(name);
      for (Variable v : sd.getVariables().values()) {
        List<String> expected = new ArrayList<>();
        for (Map.Entry<String, SameDiffOp> op : sd.getOps().entrySet()) {
          if (op.getValue().getInputsToOp() != null && op.getValue().getInputsToOp().contains(v.getName())) {
            expected.add(op.getKey());
          }
        }
        List<String> actual = v.getInputsForOp() == null ? List.of() : v.getInputsForOp();
        assertEquals(expected, actual, name + ": " + v.getName());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "cnn", "attention", "gemm_beta"})
  void flatBuffersRoundTripKeepsOutputs(String name) throws IOException {
    SameDiff sd = IMPORTED.get(name);
    Expected e = Expected.read(name);
    ByteBuffer bytes = sd.asFlatBuffers(true);
    SameDiff back = SameDiff.fromFlatBuffers(bytes);
    INDArray before = sd.output(Map.of("input", e.input), "logits").get("logits");
    INDArray after = back.output(Map.of("input", e.input), "logits").get("logits");
    assertEquals(before, after, name);
    assertEquals(0, after.sub(e.logits).amaxNumber().doubleValue(), 1e-5, name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "cnn", "attention", "gemm_beta"})
  void saveLoadStreamRoundTripKeepsOutputs(String name) throws IOException {
    SameDiff sd = IMPORTED.get(name);
    Expected e = Expected.read(name);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    sd.save(buf, false);
    SameDiff back = SameDiff.load(new ByteArrayInputStream(buf.toByteArray()), false);
    INDArray after = back.output(Map.of("input", e.input), "logits").get("logits");
    assertEquals(0, after.sub(e.logits).amaxNumber().doubleValue(), 1e-5, name);
  }

  @Test
  void unsupportedOpNamesTheOpAndNode() {
    String msg = failure(DIR.resolve("unsupported.onnx"));
    assertTrue(msg.contains("ONNX op Celu") && msg.contains("'/Celu'"), msg);
    assertTrue(msg.contains("re-export with a different opset or replace the op"), msg);
  }

  @Test
  void rankThreeMatMulNamesTheNode() {
    String msg = failure(DIR.resolve("attention3d.onnx"));
    assertTrue(msg.contains("'/q/MatMul'") && msg.contains("ONNX MatMul"), msg);
  }

  @Test
  void modelWithoutInputIsRefused() {
    String msg = failure(DIR.resolve("noinput.onnx"));
    assertTrue(msg.contains("no input placeholder"), msg);
  }

  @Test
  void missingFileIsRefused() {
    String msg = failure(DIR.resolve("no-such-model.onnx"));
    assertTrue(msg.startsWith("ONNX model not found: ") && msg.contains("no-such-model.onnx"), msg);
  }

  @Test
  void textFileIsNotAnOnnxModel(@TempDir Path tmp) throws IOException {
    Path text = tmp.resolve("notes.onnx");
    Files.writeString(text, "these are notes, not a model\nsecond line\n");
    String msg = failure(text);
    assertTrue(msg.contains("is not an ONNX model"), msg);
    Path empty = tmp.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertTrue(failure(empty).contains("is not an ONNX model"));
  }

  private static String failure(Path onnx) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(onnx));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().contains(onnx.getFileName().toString()), e.getMessage());
    return e.getMessage();
  }

  private static int countMmulWithInputs(SameDiff sd, int inputs) {
    int n = 0;
    for (SameDiffOp op : sd.getOps().values()) {
      if (op.getOp() instanceof Mmul && op.getInputsToOp().size() == inputs) {
        n++;
      }
    }
    return n;
  }

  /** A fixture's fixed input batch and torch's output on it. */
  private record Expected(INDArray input, INDArray logits) {
    static Expected read(String name) throws IOException {
      JsonNode j = new ObjectMapper().readTree(DIR.resolve(name + ".expected.json").toFile());
      return new Expected(array(j.get("input"), j.get("input_shape")), array(j.get("logits"), j.get("logits_shape")));
    }

    private static INDArray array(JsonNode values, JsonNode shape) {
      float[] v = new float[values.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) values.get(i).asDouble();
      }
      long[] s = new long[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape.get(i).asLong();
      }
      return Nd4j.create(v, s, 'c');
    }
  }
}
