package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.DType;

/** The safetensors writer and reader: layout, dtypes, metadata, and refusal of malformed files. */
class SafetensorsTest {
  @TempDir
  Path dir;

  static List<Safetensors.Entry> entries() {
    return List.of(new Safetensors.Entry("layers.0.weight", new long[] {2, 3}, new float[] {1, -2, 3.5f, 0.25f, 5, 6}),
        new Safetensors.Entry("layers.0.bias", new long[] {2}, new float[] {0.5f, -0.5f}));
  }

  @Test
  void writesTheDocumentedLayout() throws Exception {
    Path p = dir.resolve("m.safetensors");
    Safetensors.write(p, entries(), Map.of("lottalora.seed", "42"), DType.FLOAT32);
    byte[] b = Files.readAllBytes(p);
    long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8, "header padded to 8 bytes");
    String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":{\"lottalora.seed\":\"42\"},\"layers.0.weight\":{\"dtype\":"
        + "\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
    assertEquals(8 + n + 32, b.length);
    assertEquals(b.length, Safetensors.size(entries(), Map.of("lottalora.seed", "42"), DType.FLOAT32));
    assertEquals(-2f, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + n + 4)));
  }

  @Test
  void roundTripsEachDtype() {
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
      Path p = dir.resolve(d + ".safetensors");
      Safetensors.write(p, entries(), Map.of("k", "v \"quoted\""), d);
      Safetensors.Contents c = Safetensors.read(p);
      assertEquals("v \"quoted\"", c.metadata().get("k"));
      assertEquals(List.of("layers.0.weight", "layers.0.bias"), List.copyOf(c.tensors().keySet()));
      assertArrayEquals(new long[] {2, 3}, c.tensors().get("layers.0.weight").shape());
      // every value here is exact in all three dtypes
      assertArrayEquals(entries().get(0).values(), c.tensors().get("layers.0.weight").values(), 0f, d.name());
    }
  }

  @Test
  void refusesMalformedFiles() throws Exception {
    Path p = dir.resolve("bad.safetensors");
    Files.write(p, new byte[] {1, 2, 3});
    assertEquals(Reason.MALFORMED, assertThrows(ArtifactException.class, () -> Safetensors.read(p)).reason());
    byte[] json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    Files.write(p, b.array());
    ArtifactException e = assertThrows(ArtifactException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains("byte range"), e.getMessage());
    byte[] broken = "{\"w\":{\"dtype\":".getBytes(StandardCharsets.UTF_8);
    ByteBuffer c = ByteBuffer.allocate(8 + broken.length).order(ByteOrder.LITTLE_ENDIAN);
    c.putLong(broken.length).put(broken);
    Files.write(p, c.array());
    assertEquals(Reason.MALFORMED, assertThrows(ArtifactException.class, () -> Safetensors.read(p)).reason());
  }
}
