package org.lottalora.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.format.proto.DType;

/**
 * Writes and reads the safetensors format (Hugging Face): a u64 little-endian header length, a JSON header
 * mapping each tensor name to its dtype, shape and byte range (plus a string-to-string {@code __metadata__}),
 * then the raw little-endian data. Used to export dense models and PEFT adapters so that any safetensors
 * reader can load them, and to measure loading a dense model against regenerating it. Writes stream in
 * chunks and are atomic, so a 400 MB export needs no 400 MB buffer and never leaves a half file.
 */
public final class Safetensors {
  /** Largest header this reader accepts (the format's own reference limit is 100 MB). */
  static final long MAX_HEADER = 100L << 20;

  private Safetensors() {}

  /**
   * One tensor: name, shape (row-major) and fp32 values.
   *
   * @param name tensor name
   * @param shape shape
   * @param values row-major values; null only for {@link #size} estimates
   */
  public record Entry(String name, long[] shape, float[] values) {
    long count() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  /**
   * The contents of a file.
   *
   * @param tensors tensors by name, in file order
   * @param metadata the {@code __metadata__} map
   */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  /** The safetensors dtype string of a storage dtype (F32, F16, BF16). */
  static String dtypeName(DType d) {
    return switch (d) {
      case FLOAT32 -> "F32";
      case FLOAT16 -> "F16";
      case BFLOAT16 -> "BF16";
      default -> throw new IllegalArgumentException("safetensors export writes fp32, fp16 or bf16, not "
          + TensorCodec.shortName(d));
    };
  }

  /** Bytes a file with these tensors would take (header included), without writing it. */
  public static long size(List<Entry> tensors, Map<String, String> metadata, DType dtype) {
    return 8 + header(tensors, metadata, dtype).length + dataBytes(tensors, dtype);
  }

  private static long dataBytes(List<Entry> tensors, DType dtype) {
    long n = 0;
    for (Entry e : tensors) {
      n += e.count() * TensorCodec.width(dtype);
    }
    return n;
  }

  /** Writes the tensors in {@code dtype} (fp32, fp16 or bf16), atomically. */
  public static void write(Path path, List<Entry> tensors, Map<String, String> metadata, DType dtype) {
    byte[] header = header(tensors, metadata, dtype);
    try {
      AtomicFile.write(path, AtomicFile.READABLE, ch -> {
        ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(header.length).put(header).flip();
        AtomicFile.writeFully(ch, head);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : tensors) {
          for (float v : e.values()) {
            if (chunk.remaining() < 4) {
              chunk.flip();
              AtomicFile.writeFully(ch, chunk);
              chunk.clear();
            }
            switch (dtype) {
              case FLOAT32 -> chunk.putFloat(v);
              case FLOAT16 -> chunk.putShort(TensorCodec.floatToHalf(v));
              default -> chunk.putShort(TensorCodec.floatToBf16(v));
            }
          }
        }
        chunk.flip();
        AtomicFile.writeFully(ch, chunk);
      });
    } catch (IOException e) {
      throw new ArtifactException(ArtifactException.Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes as the reference writer does. */
  static byte[] header(List<Entry> tensors, Map<String, String> metadata, DType dtype) {
    String dt = dtypeName(dtype);
    StringBuilder sb = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      sb.append("\"__metadata__\":{");
      boolean first = true;
      for (Map.Entry<String, String> m : metadata.entrySet()) {
        sb.append(first ? "" : ",").append(quote(m.getKey())).append(':').append(quote(m.getValue()));
        first = false;
      }
      sb.append('}');
    }
    long off = 0;
    for (Entry e : tensors) {
      long end = off + e.count() * TensorCodec.width(dtype);
      sb.append(sb.length() > 1 ? "," : "").append(quote(e.name())).append(":{\"dtype\":\"").append(dt)
          .append("\",\"shape\":[");
      for (int i = 0; i < e.shape().length; i++) {
        sb.append(i > 0 ? "," : "").append(e.shape()[i]);
      }
      sb.append("],\"data_offsets\":[").append(off).append(',').append(end).append("]}");
      off = end;
    }
    sb.append('}');
    while (sb.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
      sb.append(' ');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /**
   * Reads a safetensors file of F32, F16 or BF16 tensors into fp32 values.
   *
   * @throws ArtifactException naming the problem when the file is not valid safetensors
   */
  public static Contents read(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, path);
      long n = lenBuf.flip().getLong();
      if (n < 2 || n > MAX_HEADER || 8 + n > size) {
        throw bad(path, "header length " + n + " does not fit the " + size + "-byte file");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8, path);
      Object parsed = new MiniJson(new String(hb.array(), StandardCharsets.UTF_8)).parse();
      if (!(parsed instanceof Map<?, ?> header)) {
        throw bad(path, "the header is not a JSON object");
      }
      long dataStart = 8 + n;
      Map<String, Entry> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : header.entrySet()) {
        String name = (String) e.getKey();
        if (name.equals("__metadata__")) {
          if (e.getValue() instanceof Map<?, ?> m) {
            m.forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
          }
          continue;
        }
        if (!(e.getValue() instanceof Map<?, ?> info) || !(info.get("dtype") instanceof String dt)
            || !(info.get("shape") instanceof List<?> shapeList)
            || !(info.get("data_offsets") instanceof List<?> offs) || offs.size() != 2) {
          throw bad(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
        }
        int width = switch (dt) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default -> throw bad(path, "tensor '" + name + "' has dtype " + dt + "; this reader takes F32, F16, BF16");
        };
        long[] shape = new long[shapeList.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = ((Number) shapeList.get(i)).longValue();
          if (shape[i] < 0 || (shape[i] != 0 && count > Integer.MAX_VALUE / shape[i])) {
            throw bad(path, "tensor '" + name + "' has an absurd shape " + shapeList);
          }
          count *= shape[i];
        }
        long begin = ((Number) offs.get(0)).longValue();
        long end = ((Number) offs.get(1)).longValue();
        if (begin < 0 || end - begin != count * width || dataStart + end > size) {
          throw bad(path, "tensor '" + name + "' has byte range [" + begin + ", " + end + ") that does not fit "
              + "its shape or the file");
        }
        ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin)
            .order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[(int) count];
        switch (dt) {
          case "F32" -> data.asFloatBuffer().get(v);
          case "F16" -> {
            for (int i = 0; i < v.length; i++) {
              v[i] = TensorCodec.halfToFloat(data.getShort());
            }
          }
          default -> {
            for (int i = 0; i < v.length; i++) {
              v[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
            }
          }
        }
        tensors.put(name, new Entry(name, shape, v));
      }
      return new Contents(tensors, metadata);
    } catch (IOException e) {
      throw new ArtifactException(ArtifactException.Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
    } catch (ClassCastException | IllegalArgumentException | IndexOutOfBoundsException | NullPointerException e) {
      throw bad(path, "the header is malformed (" + e.getMessage() + ")");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path path) throws IOException {
    while (b.hasRemaining()) {
      int r = ch.read(b, pos + b.position());
      if (r < 0) {
        throw bad(path, "the file ends early");
      }
    }
  }

  private static ArtifactException bad(Path path, String what) {
    return new ArtifactException(ArtifactException.Reason.MALFORMED, path + " is not valid safetensors: " + what);
  }

  /** Just enough JSON for safetensors headers and PEFT configs: objects, arrays, strings, numbers, literals. */
  static final class MiniJson {
    private final String s;
    private int i;
    private int depth;

    MiniJson(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value();
      ws();
      if (i != s.length()) {
        throw new IllegalArgumentException("trailing text at " + i);
      }
      return v;
    }

    private Object value() {
      ws();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{' || c == '[') {
        if (++depth > 64) {
          throw new IllegalArgumentException("nested too deeply");
        }
        Object v = c == '{' ? object() : array();
        depth--;
        return v;
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String num = s.substring(start, i);
      if (num.isEmpty()) {
        throw new IllegalArgumentException("unexpected '" + c + "' at " + start);
      }
      return num.contains(".") || num.contains("e") || num.contains("E") ? (Object) Double.parseDouble(num)
          : (Object) Long.parseLong(num);
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      ws();
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        String k = string();
        ws();
        expect(':');
        m.put(k, value());
        ws();
        if (peek() == ',') {
          i++;
        } else {
          expect('}');
          return m;
        }
      }
    }

    private List<Object> array() {
      List<Object> l = new ArrayList<>();
      i++;
      ws();
      if (peek() == ']') {
        i++;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        if (peek() == ',') {
          i++;
        } else {
          expect(']');
          return l;
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i);
      }
      i++;
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
