package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.Signing;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.Tensor;

/**
 * One crafted bad file per validation rule, each loaded through the public API: the typed exception with the
 * right reason and a one-line message naming the problem. Payload edits are re-encoded with a valid digest,
 * as a buggy writer or an attacker would produce them, so that the rule behind the digest is what fires.
 */
class BadArtifactTest {
  @TempDir
  Path dir;

  static final byte[] GOOD = FixtureTool.bytes();
  static final Artifact A = ArtifactCodec.decode(GOOD, "fixture");

  private ArtifactException refuse(byte[] bytes, Reason reason, String... mentions) throws Exception {
    Path p = dir.resolve("bad.lotta");
    Files.write(p, bytes);
    ArtifactException e = assertThrows(ArtifactException.class, () -> LottaModel.load(p));
    assertEquals(reason, e.reason(), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
    for (String m : mentions) {
      assertTrue(e.getMessage().contains(m), "'" + m + "' in: " + e.getMessage());
    }
    return e;
  }

  private ArtifactException refuse(UnaryOperator<Artifact.Builder> edit, Reason reason, String... mentions)
      throws Exception {
    return refuse(ArtifactCodec.encode(edit.apply(A.toBuilder()).build()), reason, mentions);
  }

  private static int tensorIndex(String name) {
    for (int i = 0; i < A.getTensorsCount(); i++) {
      if (A.getTensors(i).getName().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  @Test
  void theGoodFileLoads() throws Exception {
    Path p = dir.resolve("good.lotta");
    Files.write(p, GOOD);
    LottaModel.load(p);
  }

  @Test
  void truncated() throws Exception {
    refuse(Arrays.copyOf(GOOD, GOOD.length - 1), Reason.TRUNCATED, "truncated");
    refuse(Arrays.copyOf(GOOD, 10), Reason.TRUNCATED);
    refuse(new byte[0], Reason.TRUNCATED);
  }

  @Test
  void oneFlippedBitAnywhere() throws Exception {
    for (int i = 20; i < GOOD.length; i += 37) {
      byte[] b = GOOD.clone();
      b[i] ^= 0x01;
      refuse(b, Reason.DIGEST_MISMATCH, "damaged or was modified");
    }
  }

  @Test
  void wrongMagicOrVersion() throws Exception {
    byte[] b = GOOD.clone();
    b[1] = 'X';
    refuse(b, Reason.BAD_MAGIC, "not a .lotta artifact");
    byte[] v = GOOD.clone();
    ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
    refuse(v, Reason.UNSUPPORTED_VERSION, "format version 2", "reads version 2", "upgrade");
    refuse(a -> a.addRequiredFeatures("sparse-adapters"), Reason.UNSUPPORTED_VERSION, "'sparse-adapters'");
  }

  @Test
  void absurdLengthFields() throws Exception {
    byte[] b = GOOD.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(12, 1L << 50);
    refuse(b, Reason.BAD_LENGTH, "payload length");
    refuse(a -> a.setTensors(0, a.getTensors(0).toBuilder().clearShape().addShape(1L << 33).addShape(1L << 33)),
        Reason.TOO_LARGE, "absurd shape");
    refuse(a -> a.setModel(a.getModel().toBuilder().setMlp(a.getModel().getMlp().toBuilder().setWidths(0, 1 << 30))),
        Reason.TOO_LARGE, "one Java array");
    // fits Java arrays, not this JVM (surefire runs with -Xmx4g): refused before any allocation
    refuse(a -> a.setModel(a.getModel().toBuilder().setMlp(a.getModel().getMlp().toBuilder().setWidths(0, 1 << 28))),
        Reason.TOO_LARGE, "raise -Xmx");
  }

  @Test
  void unknownGeneratorOrFamily() throws Exception {
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().setGenerator("mt19937/v1")), Reason.UNKNOWN_GENERATOR,
        "mt19937/v1", "philox4x64-10/v1");
    refuse(a -> a.setModel(a.getModel().toBuilder().setFamily("resnet")), Reason.UNKNOWN_FAMILY, "resnet");
  }

  @Test
  void fingerprintMismatch() throws Exception {
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().setSeed(8)), Reason.FINGERPRINT_MISMATCH,
        "layers.0.weight");
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().setTensors(1, a.getBackbone().getTensors(1).toBuilder()
        .setFingerprint(ByteString.copyFrom(new byte[32])))), Reason.FINGERPRINT_MISMATCH, "layers.0.bias");
    var init = a(A).getBackbone().getInit().toBuilder().putParams("sigma", 2.0);
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().setInit(init)), Reason.FINGERPRINT_MISMATCH);
  }

  private static Artifact a(Artifact x) {
    return x;
  }

  @Test
  void shapeAndByteSizeMismatches() throws Exception {
    int i = tensorIndex("layers.0.lora_B");
    Tensor t = A.getTensors(i);
    refuse(a -> a.setTensors(i, t.toBuilder().setData(t.getData().substring(4))), Reason.SHAPE_MISMATCH,
        "layers.0.lora_B", "bytes");
    // the same bytes under the transposed shape: right size, wrong layout
    refuse(a -> a.setTensors(i, t.toBuilder().clearShape().addShape(1).addShape(3)), Reason.SHAPE_MISMATCH,
        "layers.0.lora_B", "[1, 3]");
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().setTensors(0, a.getBackbone().getTensors(0).toBuilder()
        .setShape(0, 4).setShape(1, 3))), Reason.SHAPE_MISMATCH, "layers.0.weight");
  }

  @Test
  void missingOrForeignTensors() throws Exception {
    refuse(a -> a.removeTensors(tensorIndex("head.weight")), Reason.MISSING_TENSOR, "head.weight", "missing");
    refuse(a -> a.removeTensors(tensorIndex("layers.0.beta")), Reason.MISSING_TENSOR, "layers.0.beta");
    refuse(a -> a.addTensors(A.getTensors(0).toBuilder().setName("layers.9.lora_A")), Reason.MISSING_TENSOR,
        "layers.9.lora_A", "not part of");
    refuse(a -> a.setBackbone(a.getBackbone().toBuilder().removeTensors(1)), Reason.MISSING_TENSOR,
        "layers.0.bias");
  }

  @Test
  void nonFiniteValues() throws Exception {
    int i = tensorIndex("head.weight");
    byte[] d = A.getTensors(i).getData().toByteArray();
    ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putFloat(8, Float.NaN);
    refuse(a -> a.setTensors(i, a.getTensors(i).toBuilder().setData(ByteString.copyFrom(d))), Reason.NON_FINITE,
        "head.weight", "NaN");
  }

  @Test
  void inconsistentAdapterRecords() throws Exception {
    refuse(a -> a.setAdapters(0, a.getAdapters(0).toBuilder().setAlpha(4)), Reason.MALFORMED, "adapter records");
    refuse(a -> a.setAdapter(a.getAdapter().toBuilder().setRank(0)), Reason.MALFORMED, "rank");
  }

  @Test
  void badSignature() throws Exception {
    byte[] signed = Signing.sign(GOOD, Signing.generate().getPrivate());
    signed[signed.length - 5] ^= 0x20;
    refuse(signed, Reason.BAD_SIGNATURE, "signature does not verify");
  }
}
