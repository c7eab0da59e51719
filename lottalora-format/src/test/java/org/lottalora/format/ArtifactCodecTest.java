package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.Backbone;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;

/** The container's validation rules, one crafted bad file each. */
class ArtifactCodecTest {
  @TempDir
  Path dir;

  static Artifact sample() {
    return Artifact.newBuilder().setProducer("test").setBackbone(Backbone.newBuilder()
            .setGenerator("philox4x64-10/v1").setSeed(42))
        .addTensors(Tensor.newBuilder().setName("layers.0.lora_A").addShape(2).addShape(3).setDtype(DType.FLOAT32)
            .setData(ByteString.copyFrom(ArtifactCodec.floatsToBytes(new float[] {1, 2, 3, 4, 5, -6.5f}))))
        .build();
  }

  @Test
  void roundTripsThroughAFile() throws Exception {
    Path p = dir.resolve("m.lotta");
    ArtifactCodec.write(sample(), p);
    Artifact a = ArtifactCodec.read(p);
    assertEquals(sample(), a);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, ArtifactCodec.bytesToFloats(a.getTensors(0).getData()));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void storesFloatsLittleEndian() {
    byte[] b = ArtifactCodec.floatsToBytes(new float[] {1f});
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, b);
  }

  @Test
  void rejectsTruncatedFiles() {
    byte[] ok = ArtifactCodec.encode(sample());
    for (int len : new int[] {0, 3, 8, 20, ok.length - 1}) {
      ArtifactException e = assertThrows(ArtifactException.class,
          () -> ArtifactCodec.decode(Arrays.copyOf(ok, len), "f"));
      assertEquals(Reason.TRUNCATED, e.reason(), "length " + len + ": " + e.getMessage());
    }
  }

  @Test
  void rejectsAnySingleFlippedBitInThePayloadOrDigest() {
    byte[] ok = ArtifactCodec.encode(sample());
    for (int i = ArtifactCodec.HEADER; i < ok.length; i += 7) {
      byte[] bad = ok.clone();
      bad[i] ^= 0x10;
      ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decode(bad, "f"));
      assertEquals(Reason.DIGEST_MISMATCH, e.reason());
      assertTrue(e.getMessage().contains("damaged or was modified"));
    }
  }

  @Test
  void rejectsWrongMagic() {
    byte[] bad = ArtifactCodec.encode(sample());
    bad[0] = 'X';
    assertEquals(Reason.BAD_MAGIC, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(bad, "f")).reason());
    assertEquals(Reason.BAD_MAGIC, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode("PK\3\4 a zip file, not ours".getBytes(), "f")).reason());
  }

  @Test
  void rejectsAFutureVersionNamingIt() {
    byte[] bad = ArtifactCodec.encode(sample());
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decode(bad, "f"));
    assertEquals(Reason.UNSUPPORTED_VERSION, e.reason());
    assertTrue(e.getMessage().contains("format version 7") && e.getMessage().contains("up to 1"), e.getMessage());
  }

  @Test
  void rejectsAbsurdLengthFields() {
    byte[] bad = ArtifactCodec.encode(sample());
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(12, Long.MAX_VALUE);
    assertEquals(Reason.BAD_LENGTH, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(bad, "f")).reason());
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(12, -5);
    assertEquals(Reason.BAD_LENGTH, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(bad, "f")).reason());
    byte[] trailing = Arrays.copyOf(ArtifactCodec.encode(sample()), ArtifactCodec.encode(sample()).length + 4);
    assertEquals(Reason.BAD_LENGTH, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(trailing, "f")).reason());
  }

  @Test
  void rejectsGarbagePayloadWithAValidDigest() throws Exception {
    byte[] payload = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};
    assertEquals(Reason.MALFORMED, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(container(payload), "f")).reason());
  }

  @Test
  void rejectsTensorsWhoseBytesDisagreeWithTheirShape() {
    Artifact bad = sample().toBuilder().setTensors(0, sample().getTensors(0).toBuilder().addShape(2)).build();
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(ArtifactCodec.encode(bad), "f"));
    assertEquals(Reason.SHAPE_MISMATCH, e.reason());
    Artifact absurd = sample().toBuilder().setTensors(0, sample().getTensors(0).toBuilder().clearShape()
        .addShape(1L << 40).addShape(1L << 40)).build();
    assertEquals(Reason.TOO_LARGE, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decode(ArtifactCodec.encode(absurd), "f")).reason());
  }

  @Test
  void unwritablePathsAreReportedBeforeAnyWork() throws Exception {
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.checkWritable(dir.resolve("no/such/folder/m.lotta")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertThrows(ArtifactException.class, () -> ArtifactCodec.checkWritable(dir));
    ArtifactCodec.checkWritable(dir.resolve("fine.lotta"));
    assertThrows(ArtifactException.class, () -> ArtifactCodec.write(sample(), dir.resolve("x/y.lotta")));
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void overwriteReplacesTheWholeFile() throws Exception {
    Path p = dir.resolve("m.lotta");
    ArtifactCodec.write(sample(), p);
    byte[] before = Files.readAllBytes(p);
    Artifact big = sample().toBuilder().setProducer("x".repeat(100)).build();
    ArtifactCodec.write(big, p);
    assertEquals("x".repeat(100), ArtifactCodec.read(p).getProducer());
    assertTrue(before.length < Files.size(p));
  }

  private static byte[] container(byte[] payload) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(ArtifactCodec.HEADER + payload.length + 32).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ArtifactCodec.MAGIC).putInt(1).putLong(payload.length).put(payload);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(b.array(), 0, ArtifactCodec.HEADER + payload.length);
    b.put(md.digest());
    return b.array();
  }
}
