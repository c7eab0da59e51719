package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/** diff: same backbone or not, and per-tensor differences. */
class ArtifactDiffTest {
  static Artifact fixture() {
    return ArtifactCodec.read(Path.of("docs/fixtures/tiny.lotta"));
  }

  @Test
  void anArtifactEqualsItself() {
    ArtifactDiff d = ArtifactDiff.of(fixture(), fixture());
    assertTrue(d.identical());
  }

  @Test
  void aConversionChangesValuesButNotTheBackbone() {
    Artifact q = ArtifactInfo.converted(fixture(), DType.INT8, "test", "fixture");
    ArtifactDiff d = ArtifactDiff.of(fixture(), q);
    assertTrue(d.sameBackbone());
    assertTrue(d.specDifferences().isEmpty());
    ArtifactDiff.TensorDiff a = d.tensors().stream().filter(t -> t.name().equals("layers.0.lora_A")).findFirst()
        .orElseThrow();
    assertEquals(ArtifactDiff.Status.DIFFERS, a.status());
    assertTrue(a.maxAbs() > 0 && a.relL2() < 0.01, a.toString());
    assertEquals("int8", a.dtypeB());
    ArtifactDiff.TensorDiff beta = d.tensors().stream().filter(t -> t.name().equals("layers.0.beta")).findFirst()
        .orElseThrow();
    assertEquals(ArtifactDiff.Status.EQUAL, beta.status());
  }

  @Test
  void anotherSeedIsAnotherBackbone() {
    Artifact a = fixture();
    Artifact b = a.toBuilder().setBackbone(a.getBackbone().toBuilder().setSeed(8)).removeTensors(0).build();
    ArtifactDiff d = ArtifactDiff.of(a, b);
    assertFalse(d.sameBackbone());
    assertTrue(d.backboneDifferences().get(0).contains("seed 7 vs 8"));
    assertEquals(ArtifactDiff.Status.ONLY_IN_A, d.tensors().get(0).status());
  }
}
