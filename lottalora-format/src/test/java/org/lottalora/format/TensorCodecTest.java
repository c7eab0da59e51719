package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;

/** Storage dtypes: exact conversions, rounding rules, error bounds, and refusal of values they cannot hold. */
class TensorCodecTest {
  static final long[] MATRIX = {3, 4};

  static float[] values() {
    float[] v = new float[12];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i * 1.7) * (i % 4 + 1) * 0.3f;
    }
    return v;
  }

  @Test
  void everyHalfRoundTripsThroughFloat() {
    for (int h = 0; h < 65536; h++) {
      float f = TensorCodec.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(((h >>> 10) & 0x1f) == 31 && (h & 0x3ff) != 0, "NaN only from NaN encodings: " + h);
        continue;
      }
      assertEquals((short) h, TensorCodec.floatToHalf(f), "half 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void halfRoundsToNearestEvenAndOverflowsToInfinity() {
    assertEquals(0x3c00, TensorCodec.floatToHalf(1f));
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa, 1
    assertEquals(0x3c00, TensorCodec.floatToHalf(1f + 0x1.0p-11f));
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
    assertEquals(0x3c02, TensorCodec.floatToHalf(1f + 3 * 0x1.0p-11f));
    assertEquals(0x7bff, TensorCodec.floatToHalf(65504f));
    assertEquals(0x7bff, TensorCodec.floatToHalf(65519.99f));
    assertEquals(0x7c00, TensorCodec.floatToHalf(65520f));
    assertEquals(0x0001, TensorCodec.floatToHalf(0x1.0p-24f));
    assertEquals(0x0000, TensorCodec.floatToHalf(0x1.0p-25f), "a tie with zero goes to zero (even)");
    assertEquals((short) 0x8000, TensorCodec.floatToHalf(-0f));
  }

  @Test
  void bfloat16KeepsTheTopSixteenBitsRounded() {
    assertEquals((short) 0x3f80, TensorCodec.floatToBf16(1f));
    assertEquals((short) 0x3f80, TensorCodec.floatToBf16(Float.intBitsToFloat(0x3f808000)), "tie to even");
    assertEquals((short) 0x3f82, TensorCodec.floatToBf16(Float.intBitsToFloat(0x3f818000)), "tie to even, up");
    assertEquals((short) 0x3f81, TensorCodec.floatToBf16(Float.intBitsToFloat(0x3f808001)));
  }

  @Test
  void eachDtypeDecodesWithinItsErrorBound() {
    float[] v = values();
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT8}) {
      Tensor t = TensorCodec.encode("w", MATRIX, TensorRole.LORA_A, v, d);
      assertEquals(d, t.getDtype());
      assertEquals(12L * TensorCodec.width(d), t.getData().size());
      float[] back = TensorCodec.decode(t, "test");
      for (int i = 0; i < v.length; i++) {
        float rowMax = 0;
        for (int c = 0; c < 4; c++) {
          rowMax = Math.max(rowMax, Math.abs(v[(i / 4) * 4 + c]));
        }
        double bound = switch (d) {
          case FLOAT32 -> 0;
          case FLOAT16 -> Math.abs(v[i]) * 0x1.0p-11 + 0x1.0p-25;
          case BFLOAT16 -> Math.abs(v[i]) * 0x1.0p-8;
          default -> rowMax / 127.0 / 2 * 1.0001;
        };
        assertTrue(Math.abs(back[i] - v[i]) <= bound, d + " value " + i + ": " + v[i] + " -> " + back[i]);
      }
    }
  }

  @Test
  void int8StoresOneScalePerRow() {
    Tensor t = TensorCodec.encode("w", MATRIX, TensorRole.LORA_B, values(), DType.INT8);
    assertEquals(3 * 4, t.getScales().size());
    ByteBuffer s = t.getScales().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] v = values();
    for (int r = 0; r < 3; r++) {
      float max = 0;
      for (int c = 0; c < 4; c++) {
        max = Math.max(max, Math.abs(v[r * 4 + c]));
      }
      assertEquals(max / 127f, s.getFloat(), 0f);
    }
    float[] zeros = TensorCodec.decode(TensorCodec.encode("z", MATRIX, TensorRole.LORA_B, new float[12], DType.INT8), "t");
    assertArrayEquals(new float[12], zeros, 0f);
  }

  @Test
  void int8MinusOneTwentyEightIsReadAsAnyOtherCode() {
    // artifact-format.md section 3: writers emit only -127..127 (symmetric), readers decode all 256 codes; a
    // foreign writer's -128 is the value -128 * scale, not an error
    ByteBuffer scales = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(0.25f);
    Tensor t = Tensor.newBuilder().setName("w").addShape(2).addShape(2).setDtype(DType.INT8)
        .setData(ByteString.copyFrom(new byte[] {-128, 127, 0, -128})).setScales(ByteString.copyFrom(scales.array()))
        .setRole(TensorRole.WEIGHT).build();
    assertArrayEquals(new float[] {-64f, 63.5f, 0f, -32f}, TensorCodec.decode(t, "t"), 0f);
    // and the writer never produces it, even for a row whose extreme value is negative
    Tensor w = TensorCodec.encode("w", new long[] {1, 3}, TensorRole.WEIGHT, new float[] {-2f, 1f, 0.5f}, DType.INT8);
    assertEquals(-127, w.getData().byteAt(0));
  }

  @Test
  void vectorsAndScalarsStayFp32() {
    Tensor beta = TensorCodec.encode("layers.0.beta", new long[] {1}, TensorRole.BETA, new float[] {1.25f}, DType.INT8);
    assertEquals(DType.FLOAT32, beta.getDtype());
    assertEquals(1.25f, TensorCodec.decode(beta, "t")[0]);
  }

  @Test
  void refusesValuesADtypeCannotHold() {
    float[] big = values();
    big[3] = 70000f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, big, DType.FLOAT16));
    assertTrue(e.getMessage().contains("beyond fp16") && e.getMessage().contains("bf16"), e.getMessage());
    TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, big, DType.BFLOAT16); // fine in bf16
    float[] nan = values();
    nan[0] = Float.NaN;
    assertThrows(IllegalArgumentException.class, () -> TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, nan,
        DType.FLOAT32));
  }

  @Test
  void decodingRejectsNonFiniteValuesAndBadScales() {
    Tensor half = TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, values(), DType.FLOAT16);
    byte[] d = half.getData().toByteArray();
    d[4] = 0x00;
    d[5] = 0x7c; // +infinity
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> TensorCodec.decode(half.toBuilder().setData(ByteString.copyFrom(d)).build(), "f"));
    assertEquals(Reason.NON_FINITE, e.reason());
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("index 2"), e.getMessage());
    Tensor q = TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, values(), DType.INT8);
    byte[] s = q.getScales().toByteArray();
    ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN).putFloat(4, -1f);
    assertEquals(Reason.NON_FINITE, assertThrows(ArtifactException.class,
        () -> TensorCodec.decode(q.toBuilder().setScales(ByteString.copyFrom(s)).build(), "f")).reason());
    assertEquals(Reason.SHAPE_MISMATCH, assertThrows(ArtifactException.class,
        () -> TensorCodec.decode(q.toBuilder().setScales(ByteString.copyFrom(new byte[8])).build(), "f")).reason());
    assertEquals(Reason.SHAPE_MISMATCH, assertThrows(ArtifactException.class,
        () -> TensorCodec.decode(half.toBuilder().setData(ByteString.copyFrom(new byte[23])).build(), "f")).reason());
  }

  @Test
  void anUnknownDtypeAsksForANewerReader() {
    Tensor t = TensorCodec.encode("w", MATRIX, TensorRole.WEIGHT, values(), DType.FLOAT32).toBuilder()
        .setDtypeValue(9).build();
    ArtifactException e = assertThrows(ArtifactException.class, () -> TensorCodec.check(t, "f"));
    assertEquals(Reason.UNSUPPORTED_VERSION, e.reason());
    assertTrue(e.getMessage().contains("upgrade"), e.getMessage());
  }

  @Test
  void parsesTheNamesUsersType() {
    assertEquals(DType.INT8, TensorCodec.parse("int8"));
    assertEquals(DType.BFLOAT16, TensorCodec.parse("BF16"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorCodec.parse("fp8"));
    assertTrue(e.getMessage().contains("fp32, fp16, bf16 or int8"));
  }
}
