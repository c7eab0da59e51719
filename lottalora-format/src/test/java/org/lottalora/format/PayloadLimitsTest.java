package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;

/** Per-field limits: crafted payloads that would make protobuf allocate far more than they are worth. */
class PayloadLimitsTest {
  /** Wraps a raw payload in a valid container (header, payload, digest). */
  static byte[] container(byte[] payload, int payloadLength) {
    ByteBuffer b = ByteBuffer.allocate(ArtifactCodec.HEADER + payloadLength + ArtifactCodec.DIGEST)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(ArtifactCodec.MAGIC).putInt(ArtifactCodec.FORMAT_VERSION).putLong(payloadLength);
    b.put(payload);
    b.position(ArtifactCodec.HEADER + payloadLength);
    b.put(ArtifactCodec.sha256(b.array(), 0, ArtifactCodec.HEADER + payloadLength));
    return b.array();
  }

  static byte[] payload(Writer w) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    w.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  interface Writer {
    void write(CodedOutputStream out) throws Exception;
  }

  @Test
  void aFiveHundredMegabyteStringIsRefusedByName() throws Exception {
    int size = 500 << 20;
    // the field's tag and length, then 500 MB of 'a' (zeros would do as well: only the length is read)
    byte[] head = payload(o -> {
      o.writeTag(Artifact.PRODUCER_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(size);
    });
    byte[] file = container(head, head.length + size);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decodeFile(file, "big"));
    assertEquals(Reason.BAD_LENGTH, e.reason());
    assertEquals("big: field lottalora.v1.Artifact.producer declares " + size + " bytes, over the limit of "
        + (PayloadLimits.MAX_STRING >> 20) + " MiB", e.getMessage());
  }

  @Test
  void aStringJustOverTheLimitIsRefusedAndOneAtItIsRead() throws Exception {
    String at = "x".repeat(PayloadLimits.MAX_STRING);
    byte[] ok = ArtifactCodec.encode(Artifact.newBuilder().addHistory(at).build());
    assertEquals(at, ArtifactCodec.decode(ok, "f").getHistory(0));
    byte[] over = ArtifactCodec.encode(Artifact.newBuilder().addHistory(at + "x").build());
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decode(over, "f"));
    assertTrue(e.getMessage().contains("lottalora.v1.Artifact.history declares " + (PayloadLimits.MAX_STRING + 1)),
        e.getMessage());
  }

  @Test
  void aFieldDeclaredLongerThanTheFileIsRefusedBeforeAllocation() throws Exception {
    // a tensor message whose data field claims 1 GB in a 40-byte payload
    byte[] tensor = payload(o -> {
      o.writeString(1, "w");
      o.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(1 << 30);
    });
    byte[] p = payload(o -> {
      o.writeTag(Artifact.TENSORS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(tensor.length);
      o.writeRawBytes(tensor);
    });
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(container(p, p.length), "f"));
    assertEquals(Reason.BAD_LENGTH, e.reason());
    assertTrue(e.getMessage().contains("lottalora.v1.Tensor.data declares " + (1 << 30) + " bytes, but only 0 "
        + "remain"), e.getMessage());
  }

  @Test
  void aRepeatedFieldOverItsCountIsRefused() throws Exception {
    // 70,000 empty tensors: 140 KB on the wire, some 5 MB of objects; a billion would not fit any heap
    int n = ArtifactCodec.MAX_TENSORS + 1;
    byte[] p = payload(o -> {
      for (int i = 0; i < n; i++) {
        o.writeTag(Artifact.TENSORS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(0);
      }
    });
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(container(p, p.length), "f"));
    assertEquals("f: field lottalora.v1.Artifact.tensors repeats more than " + ArtifactCodec.MAX_TENSORS
        + " times, over the limit of " + ArtifactCodec.MAX_TENSORS, e.getMessage());
  }

  @Test
  void aPackedListThatWouldWidenEightfoldIsRefused() throws Exception {
    // 17 MB of one-byte varints in a tensor's shape: 136 MB of longs once parsed
    int size = PayloadLimits.MAX_PACKED + 1;
    byte[] tensorHead = payload(o -> {
      o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(size);
    });
    int tensorLen = tensorHead.length + size;
    byte[] head = payload(o -> {
      o.writeTag(Artifact.TENSORS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(tensorLen);
      o.writeRawBytes(tensorHead);
    });
    byte[] file = container(head, head.length + size);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decodeFile(file, "f"));
    assertTrue(e.getMessage().contains("lottalora.v1.Tensor.shape declares " + size + " bytes, over the limit"),
        e.getMessage());
  }

  @Test
  void anUnknownFieldIsLimitedLikeAString() throws Exception {
    int size = PayloadLimits.MAX_UNKNOWN + 1;
    byte[] head = payload(o -> {
      o.writeTag(999, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(size);
    });
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(container(head, head.length + size), "f"));
    assertTrue(e.getMessage().contains("Artifact field 999 (unknown) declares " + size), e.getMessage());
  }

  @Test
  void theHeapEstimateCountsObjectsAndStringsButNotTensorBytes() throws Exception {
    // what the "needs about N MiB" refusal compares with the heap: 60,000 empty tensors are 120 KB on the
    // wire but some 4 MB of objects; a 1 MiB string is 2 MiB as UTF-16 at worst; 1 MiB of tensor bytes is a view
    byte[] many = payload(o -> {
      for (int i = 0; i < 60_000; i++) {
        o.writeTag(Artifact.TENSORS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(0);
      }
    });
    long objects = PayloadLimits.check(many, 0, many.length, Artifact.getDescriptor(), "f");
    assertTrue(objects >= 60_000 * PayloadLimits.OBJECT_BYTES && objects > 20L * many.length, "" + objects);
    byte[] text = Artifact.newBuilder().setProducer("x".repeat(1 << 20)).build().toByteArray();
    long strings = PayloadLimits.check(text, 0, text.length, Artifact.getDescriptor(), "f");
    assertTrue(strings >= 2L << 20, "" + strings);
    byte[] tensor = Artifact.newBuilder().addTensors(org.lottalora.format.proto.Tensor.newBuilder()
        .setData(com.google.protobuf.ByteString.copyFrom(new byte[1 << 20]))).build().toByteArray();
    long view = PayloadLimits.check(tensor, 0, tensor.length, Artifact.getDescriptor(), "f");
    assertTrue(view < 1024, "" + view);
  }

  @Test
  void tensorBytesAreViewsOfTheFileNotCopies() {
    byte[] file = ArtifactCodec.encode(ArtifactCodecTest.sample());
    Artifact a = ArtifactCodec.decode(file, "f");
    float before = ArtifactCodec.bytesToFloats(a.getTensors(0).getData())[0];
    assertEquals(1f, before);
    // the parsed tensor shares the buffer: one copy of a large file on the heap, not two
    int at = indexOf(file, ArtifactCodec.floatsToBytes(new float[] {1, 2}));
    file[at + 3] = 0x40; // 1.0f (0x3f800000) becomes 4.0f (0x40800000)
    assertEquals(4f, ArtifactCodec.bytesToFloats(a.getTensors(0).getData())[0]);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
