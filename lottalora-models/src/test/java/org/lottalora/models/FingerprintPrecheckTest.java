package org.lottalora.models;

import org.lottalora.core.backbone.BackboneRecord;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitFamily;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Initializer;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.BackboneTensor;

/**
 * Fingerprints checked before regeneration ({@link ArtifactMapper#precheckFingerprints}, issue 19): for every
 * element-local init family the fingerprinted values computed alone equal those of a whole regeneration, so a genuine
 * record passes; a lying record is refused naming its tensor; and a record that claims a tensor of 1.6e9 values
 * (6.4 GB, more than the test JVM's heap) is refused without regenerating any of it.
 */
class FingerprintPrecheckTest {
  private static List<TensorSpec> tensors(InitSpec init) {
    List<TensorSpec> ts = new ArrayList<>();
    ts.add(TensorSpec.of("layers.0.weight", new int[] {37, 29}, init)); // more values than the fingerprint takes
    ts.add(TensorSpec.of("layers.0.bias", new int[] {5}, init)); // fewer: all of them
    ts.add(TensorSpec.of("layers.1.weight", new int[] {300, 211}, init));
    return ts;
  }

  private static Artifact record(long seed, List<TensorSpec> ts, InitSpec init) {
    Backbone bb = Backbone.regenerate(seed, ts, 2);
    return Artifact.newBuilder().setBackbone(BackboneRecord.backboneRecord(seed, init, bb, false)).build();
  }

  @Test
  void valuesComputedAloneEqualTheRegeneratedOnesForEveryElementLocalFamily() {
    int families = 0;
    for (InitFamily f : InitFamily.values()) {
      if (f.isGlobal()) {
        continue;
      }
      InitSpec init = InitSpec.of(f);
      List<TensorSpec> ts = tensors(init);
      Backbone bb = Backbone.regenerate(11, ts, 2);
      for (TensorSpec t : ts) {
        long[] at = BackboneRecord.fingerprintIndices(t.size());
        float[] alone = Initializer.valuesAt(11, t, at);
        float[] whole = bb.get(t.name());
        for (int k = 0; k < at.length; k++) {
          assertEquals(whole[(int) at[k]], alone[k], 0f, f.id() + " " + t.name() + " index " + at[k]);
        }
      }
      BackboneRecord.precheckFingerprints(record(11, ts, init), 11, ts, "genuine.lotta"); // passes
      families++;
    }
    assertTrue(families >= 15, "covers the element-local families: " + families);
  }

  @Test
  void aLyingFingerprintIsRefusedNamingItsTensor() {
    InitSpec init = InitSpec.DEFAULT;
    List<TensorSpec> ts = tensors(init);
    Artifact genuine = record(3, ts, init);
    Artifact lying = genuine.toBuilder().setBackbone(genuine.getBackbone().toBuilder().setTensors(2,
        genuine.getBackbone().getTensors(2).toBuilder().setFingerprint(ByteString.copyFrom(new byte[32])))).build();
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> BackboneRecord.precheckFingerprints(lying, 3, ts, "lying.lotta"));
    assertEquals(Reason.FINGERPRINT_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("lying.lotta") && e.getMessage().contains("layers.1.weight"), e.getMessage());
    assertThrows(ArtifactException.class, () -> BackboneRecord.precheckFingerprints(genuine, 4, ts, "other seed"),
        "another seed's values do not match the record");
  }

  @Test
  void aHugeClaimedTensorIsRefusedWithoutRegeneratingIt() {
    InitSpec init = InitSpec.DEFAULT;
    TensorSpec huge = TensorSpec.of("layers.0.weight", new int[] {40_000, 40_000}, init);
    assertTrue(4L * huge.size() > Runtime.getRuntime().maxMemory(), "the tensor would not fit this JVM's heap");
    BackboneTensor rec = BackboneTensor.newBuilder().setName(huge.name()).addShape(40_000).addShape(40_000)
        .setFingerprint(ByteString.copyFrom(new byte[32])).build();
    Artifact a = Artifact.newBuilder().setBackbone(org.lottalora.format.proto.Backbone.newBuilder().addTensors(rec))
        .build();
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> BackboneRecord.regenerateChecked(a, 1, List.of(huge), 2, "crafted.lotta"));
    assertEquals(Reason.FINGERPRINT_MISMATCH, e.reason(), e.getMessage());
    // and the genuine fingerprint of that tensor, computed from 64 values alone, is what a regeneration would give
    long[] at = BackboneRecord.fingerprintIndices(huge.size());
    assertEquals(64, at.length);
    float[] small = Initializer.valuesAt(1, huge, new long[] {at[63]});
    float[] slice = new float[1];
    Initializer.fillSlice(1, huge, at[63], slice, 1);
    assertArrayEquals(slice, small);
  }
}
