package org.lottalora.format;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;

/**
 * Encodes fp32 values as a stored {@link Tensor} in any of the four storage dtypes and decodes them back,
 * validating sizes and values. FLOAT16 and BFLOAT16 round to nearest, ties to even; INT8 is symmetric with
 * one fp32 scale per row ({@code scale = max|row| / 127}, {@code q = round-half-even(x / scale)}). Only
 * tensors of two or more dimensions are ever stored narrower than fp32 (see {@link #storedAs}): biases and
 * betas are a sliver of the bytes and a beta scales a whole layer.
 */
public final class TensorCodec {
  /** Largest finite binary16 value. */
  public static final float HALF_MAX = 65504f;
  /** Most dimensions a stored tensor may have. */
  public static final int MAX_DIMS = 8;

  private TensorCodec() {}

  /** Bytes per value of a dtype. */
  public static int width(DType d) {
    return switch (d) {
      case FLOAT32 -> 4;
      case FLOAT16, BFLOAT16 -> 2;
      case INT8 -> 1;
      default -> throw new IllegalArgumentException("no width for dtype " + d);
    };
  }

  /** Parses a dtype name as users type it: fp32, fp16, bf16, int8 (or the enum names). */
  public static DType parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "f32" -> DType.FLOAT32;
      case "fp16", "float16", "f16", "half" -> DType.FLOAT16;
      case "bf16", "bfloat16" -> DType.BFLOAT16;
      case "int8", "i8", "q8" -> DType.INT8;
      default -> throw new IllegalArgumentException("unknown storage dtype '" + s + "'; use fp32, fp16, bf16 or int8");
    };
  }

  /** The short name users type: fp32, fp16, bf16, int8. */
  public static String shortName(DType d) {
    return switch (d) {
      case FLOAT32 -> "fp32";
      case FLOAT16 -> "fp16";
      case BFLOAT16 -> "bf16";
      case INT8 -> "int8";
      default -> d.name();
    };
  }

  /** The dtype a tensor of this shape is stored in when {@code requested} is asked for. */
  public static DType storedAs(DType requested, long[] shape) {
    return shape.length >= 2 ? requested : DType.FLOAT32;
  }

  /** Rows of a tensor for per-row int8 scales: the first dimension, or 1 below two dimensions. */
  public static long rows(long[] shape) {
    return shape.length >= 2 ? shape[0] : 1;
  }

  /**
   * Encodes values (row-major, canonical layout) under the storage rule of {@link #storedAs}.
   *
   * @throws IllegalArgumentException if a value is not finite, or is beyond the fp16 range when fp16 is asked
   */
  public static Tensor encode(String name, long[] shape, TensorRole role, float[] v, DType requested) {
    DType d = storedAs(requested, shape);
    long n = count(shape, name, "encode");
    if (n != v.length) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + v.length + " values, its shape needs " + n);
    }
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("tensor '" + name + "' holds " + x + "; a model with non-finite "
            + "weights cannot be saved");
      }
      if (d == DType.FLOAT16 && Math.abs(x) > HALF_MAX) {
        throw new IllegalArgumentException("tensor '" + name + "' holds " + x + ", beyond fp16's range of "
            + HALF_MAX + "; store it as bf16 or fp32");
      }
    }
    Tensor.Builder t = Tensor.newBuilder().setName(name).setDtype(d).setRole(role);
    for (long s : shape) {
      t.addShape(s);
    }
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, width(d))).order(ByteOrder.LITTLE_ENDIAN);
    switch (d) {
      case FLOAT32 -> b.asFloatBuffer().put(v);
      case FLOAT16 -> {
        for (float x : v) {
          b.putShort(floatToHalf(x));
        }
      }
      case BFLOAT16 -> {
        for (float x : v) {
          b.putShort(floatToBf16(x));
        }
      }
      case INT8 -> {
        int rows = (int) rows(shape);
        int cols = rows == 0 ? 0 : v.length / rows;
        ByteBuffer sc = ByteBuffer.allocate(rows * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
          float max = 0;
          for (int c = 0; c < cols; c++) {
            max = Math.max(max, Math.abs(v[r * cols + c]));
          }
          float scale = max / 127f;
          sc.putFloat(scale);
          for (int c = 0; c < cols; c++) {
            int q = scale == 0 ? 0 : (int) Math.rint(v[r * cols + c] / scale);
            b.put((byte) Math.max(-127, Math.min(127, q)));
          }
        }
        t.setScales(ByteString.copyFrom(sc.array()));
      }
      default -> throw new IllegalStateException();
    }
    return t.setData(ByteString.copyFrom(b.array())).build();
  }

  /**
   * Checks a stored tensor's dtype, dimensions, byte size and scales against its shape, without decoding.
   *
   * @throws ArtifactException naming the tensor and the rule it breaks
   */
  public static void check(Tensor t, String where) {
    String what = where + ": tensor '" + t.getName() + "'";
    if (t.getDtype() == DType.DTYPE_UNSPECIFIED || t.getDtype() == DType.UNRECOGNIZED) {
      throw new ArtifactException(Reason.UNSUPPORTED_VERSION, what + " has dtype number " + t.getDtypeValue()
          + ", which this reader does not know (it reads fp32, fp16, bf16, int8): upgrade lottalora");
    }
    if (t.getShapeCount() > MAX_DIMS) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, what + " has " + t.getShapeCount() + " dimensions, "
          + "over the limit of " + MAX_DIMS);
    }
    long n = count(t.getShapeList().stream().mapToLong(Long::longValue).toArray(), t.getName(), where);
    long bytes = n * width(t.getDtype()); // n < 2^31, width <= 4: no overflow
    if (bytes != t.getData().size()) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, what + " has " + t.getData().size() + " bytes, its "
          + "shape " + t.getShapeList() + " in " + shortName(t.getDtype()) + " needs " + bytes);
    }
    long scales = t.getDtype() == DType.INT8 ? 4 * rows(shapeOf(t)) : 0;
    if (t.getScales().size() != scales) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, what + " has " + t.getScales().size() + " bytes of "
          + "scales, " + shortName(t.getDtype()) + " of shape " + t.getShapeList() + " needs " + scales);
    }
  }

  /**
   * Decodes a stored tensor to fp32 values (after {@link #check}).
   *
   * @throws ArtifactException if the sizes are wrong or a value or scale is not finite
   */
  public static float[] decode(Tensor t, String where) {
    check(t, where);
    int n = (int) count(shapeOf(t), t.getName(), where);
    float[] v = new float[n];
    ByteBuffer b = t.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (t.getDtype()) {
      case FLOAT32 -> b.asFloatBuffer().get(v);
      case FLOAT16 -> {
        for (int i = 0; i < n; i++) {
          v[i] = halfToFloat(b.getShort());
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < n; i++) {
          v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        }
      }
      case INT8 -> {
        int rows = (int) rows(shapeOf(t));
        int cols = rows == 0 ? 0 : n / rows;
        ByteBuffer sc = t.getScales().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
          float scale = sc.getFloat();
          if (!(scale >= 0) || !Float.isFinite(scale)) {
            throw new ArtifactException(Reason.NON_FINITE, where + ": tensor '" + t.getName() + "' has scale "
                + scale + " for row " + r + "; scales must be finite and not negative");
          }
          for (int c = 0; c < cols; c++) {
            v[r * cols + c] = b.get() * scale;
          }
        }
      }
      default -> throw new IllegalStateException();
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(v[i])) {
        throw new ArtifactException(Reason.NON_FINITE, where + ": tensor '" + t.getName() + "' holds " + v[i]
            + " at index " + i + "; a saved model never does");
      }
    }
    return v;
  }

  /** The shape as a long array. */
  public static long[] shapeOf(Tensor t) {
    return t.getShapeList().stream().mapToLong(Long::longValue).toArray();
  }

  /** Number of values of a shape; at most {@link Integer#MAX_VALUE} (one Java array). */
  static long count(long[] shape, String name, String where) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + name + "' has a negative "
            + "dimension " + d);
      }
      if (d != 0 && n > Integer.MAX_VALUE / d) {
        throw new ArtifactException(Reason.TOO_LARGE, where + ": tensor '" + name + "' has an absurd shape "
            + java.util.Arrays.toString(shape) + " (over 2^31 values)");
      }
      n *= d;
    }
    return n;
  }

  /** binary32 to binary16, round to nearest, ties to even; overflow gives infinity. */
  public static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    float abs = Math.abs(f);
    if (Float.isNaN(f)) {
      return (short) (sign | 0x7e00);
    }
    if (abs >= 65520f) { // halfway between 65504 and 2^16 and above: rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x1.0p-14f) { // subnormal or zero: m * 2^-24; the scaling is exact, rint ties to even
      return (short) (sign | (int) Math.rint(abs * 0x1.0p24f)); // m = 1024 encodes the smallest normal
    }
    int e = ((bits >>> 23) & 0xff) - 127 + 15;
    int mant = bits & 0x7fffff;
    int h = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
      h++; // a carry into the exponent is the correct rounding
    }
    return (short) (sign | h);
  }

  /** binary16 to binary32 (exact). */
  public static float halfToFloat(short h) {
    int s = h & 0x8000;
    int e = (h >>> 10) & 0x1f;
    int m = h & 0x3ff;
    if (e == 0) {
      float v = m * 0x1.0p-24f;
      return s != 0 ? -v : v;
    }
    if (e == 31) {
      return m == 0 ? (s != 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : Float.NaN;
    }
    return Float.intBitsToFloat((s << 16) | ((e - 15 + 127) << 23) | (m << 13));
  }

  /** binary32 to bfloat16, round to nearest, ties to even. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    bits += 0x7fff + ((bits >>> 16) & 1);
    return (short) (bits >>> 16);
  }
}
