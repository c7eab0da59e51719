package org.lottalora.format;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.lottalora.format.ArtifactException.Reason;

/**
 * Per-field size limits, checked on the wire before protobuf allocates anything. A payload within
 * {@link ArtifactCodec#MAX_PAYLOAD} can still hold a 500 MB string (copied into a String on parse), a packed
 * list whose varints expand eightfold into longs, or millions of empty messages of some 40 bytes each: each
 * would end in OutOfMemoryError. This walks the payload against the schema's descriptors, without building a
 * message, and refuses a field over its limit by name; it also sums what the parsed message will take on the
 * heap, so the caller can refuse a payload the JVM has no room for with "needs about N MiB". Tensor bytes are
 * not limited here (the payload bounds them, and the codec parses them as views of the file's buffer).
 */
final class PayloadLimits {
  /** Longest string field: names, paths, provenance lines; real ones are under a kilobyte. */
  static final int MAX_STRING = 1 << 20;
  /** Longest unknown length-delimited field (a newer writer's): protobuf keeps it as a copy. */
  static final int MAX_UNKNOWN = 1 << 20;
  /** Longest packed numeric list (shapes, widths, per-feature statistics), in bytes on the wire. */
  static final int MAX_PACKED = 16 << 20;
  /** Most elements of one repeated field in one message (tensors: {@link ArtifactCodec#MAX_TENSORS}). */
  static final int MAX_REPEATED = 1 << 16;
  /** Heap a parsed message object takes beyond its fields, roughly (header, fields, unknown-field set). */
  static final long OBJECT_BYTES = 64;

  private PayloadLimits() {}

  /**
   * Checks every field of a payload against its limit.
   *
   * @return the heap, in bytes, the parsed message will take about (strings as UTF-16, lists as longs,
   *     byte fields as views)
   * @throws ArtifactException {@link Reason#BAD_LENGTH} naming the first field over its limit,
   *     {@link Reason#MALFORMED} when the wire format itself is broken
   */
  static long check(byte[] buf, int off, int len, Descriptor type, String where) {
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    in.setSizeLimit(len);
    try {
      return walk(in, type, where, 0);
    } catch (IOException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": malformed payload (" + e.getMessage() + ")", e);
    }
  }

  private static long walk(CodedInputStream in, Descriptor type, String where, int depth) throws IOException {
    if (depth > 32) {
      throw new ArtifactException(Reason.MALFORMED, where + ": malformed payload (messages nested deeper than 32)");
    }
    long heap = OBJECT_BYTES;
    Map<Integer, Integer> repeats = new HashMap<>();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return heap;
      }
      int number = WireFormat.getTagFieldNumber(tag);
      FieldDescriptor fd = type.findFieldByNumber(number);
      String name = fd == null ? type.getName() + " field " + number + " (unknown)" : fd.getFullName();
      if (fd != null && fd.isRepeated()) {
        int n = repeats.merge(number, 1, Integer::sum);
        int limit = fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && fd.getMessageType().getName().equals("Tensor")
            ? ArtifactCodec.MAX_TENSORS : MAX_REPEATED;
        if (n > limit) {
          throw new ArtifactException(Reason.BAD_LENGTH, where + ": field " + name + " repeats more than "
              + limit + " times, over the limit of " + limit);
        }
      }
      if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        heap += 8; // a scalar, boxed or unboxed: a few bytes either way
        if (!in.skipField(tag)) {
          return heap; // an end-group tag: the parser will reject it, as before
        }
        continue;
      }
      int size = in.readRawVarint32();
      int left = in.getBytesUntilLimit();
      if (size < 0 || size > left) {
        throw new ArtifactException(Reason.BAD_LENGTH, where + ": field " + name + " declares "
            + Integer.toUnsignedString(size) + " bytes, but only " + left + " remain in the payload");
      }
      if (fd == null) {
        heap += limit(name, size, MAX_UNKNOWN, where);
        in.skipRawBytes(size);
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        int old = in.pushLimit(size);
        heap += walk(in, fd.getMessageType(), where, depth + 1);
        in.checkLastTagWas(0);
        in.popLimit(old);
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.STRING) {
        heap += 2L * limit(name, size, MAX_STRING, where) + 40; // UTF-16 at worst, plus the String object
        in.skipRawBytes(size);
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
        heap += 32; // a view of the file's buffer (see ArtifactCodec.decodeFile), not a copy
        in.skipRawBytes(size);
      } else { // a packed numeric list: at most one element per byte, each widened to 8 bytes
        heap += 8L * limit(name, size, MAX_PACKED, where);
        in.skipRawBytes(size);
      }
    }
  }

  private static int limit(String name, int size, int max, String where) {
    if (size > max) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + ": field " + name + " declares " + size
          + " bytes, over the limit of " + mib(max));
    }
    return size;
  }

  static String mib(long bytes) {
    return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }
}
