package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.ScalingRule;

/**
 * Reads the spec document's worked example (docs/fixtures/tiny.lotta) with this module alone: a Java app that
 * only reads metadata needs no ND4J, and this test's class path has none.
 */
class FixtureMetadataTest {
  static final Path FIXTURE = Path.of("docs/fixtures/tiny.lotta");

  @Test
  void theClassPathHasNoNd4j() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.nd4j.linalg.factory.Nd4j"));
  }

  @Test
  void readsTheWorkedExampleAsTheSpecDocumentDescribesIt() throws Exception {
    ArtifactFile f = ArtifactCodec.open(FIXTURE);
    Artifact a = f.artifact();
    assertEquals(Files.size(FIXTURE), f.size());
    assertFalse(f.signed());
    assertEquals(1, f.version());
    assertEquals("philox4x64-10/v1", a.getBackbone().getGenerator());
    assertEquals(7, a.getBackbone().getSeed());
    assertEquals("mlp", a.getModel().getFamily());
    assertEquals(List.of(3), a.getModel().getMlp().getWidthsList());
    assertEquals(1, a.getAdaptersCount());
    assertEquals("layers.0.weight", a.getAdapters(0).getTarget());
    assertEquals(ScalingRule.ALPHA_OVER_R, a.getAdapters(0).getScalingRule());
    Map<String, float[]> t = new java.util.LinkedHashMap<>();
    a.getTensorsList().forEach(x -> t.put(x.getName(), TensorCodec.decode(x, "fixture")));
    assertEquals(1.5f, t.get("layers.0.beta")[0]);
    assertEquals(-0.25f, t.get("layers.0.lora_B")[1]);
    // the dense model is the backbone layer plus the head: 4*3+3 + 3*3+3
    assertEquals(27, ArtifactInfo.denseParams(a));
    assertEquals(ArtifactInfo.storedParams(a), 1 + 4 + 3 + 9 + 3);
    Map<DType, Long> sizes = ArtifactInfo.sizesByDtype(a, "fixture");
    assertEquals(f.size(), (long) sizes.get(DType.FLOAT32));
    // tiny matrices: a per-row scale costs as much as the bytes int8 saves, so only fp16 and bf16 shrink it
    assertTrue(sizes.get(DType.FLOAT16) < f.size() && sizes.get(DType.BFLOAT16) < f.size(), sizes.toString());
  }

  @Test
  void encodingIsDeterministic() throws Exception {
    Artifact a = ArtifactCodec.read(FIXTURE);
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(FIXTURE), ArtifactCodec.encode(a)),
        "re-encoding the parsed fixture gives its exact bytes");
  }
}
