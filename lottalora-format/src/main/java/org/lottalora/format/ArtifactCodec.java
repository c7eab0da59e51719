package org.lottalora.format;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;

/**
 * Reads and writes the .lotta container: an 8-byte magic, a little-endian u32 format version, a u64 payload
 * length, the protobuf {@link Artifact} payload, and a SHA-256 of everything before it. Writes are atomic
 * (temporary file, fsync, rename). Reads check, in order: size, magic, version, length, digest, parse,
 * tensor sizes; each failure is an {@link ArtifactException} with its own {@link Reason}.
 */
public final class ArtifactCodec {
  /** "LOTTA" then CR LF SUB, as PNG does: catches text-mode transfers and `type` on Windows. */
  static final byte[] MAGIC = {'L', 'O', 'T', 'T', 'A', '\r', '\n', 0x1a};
  /** The format version this build writes and the highest it reads. */
  public static final int FORMAT_VERSION = 1;
  static final int HEADER = MAGIC.length + 4 + 8;
  static final int DIGEST = 32;
  /** Largest payload accepted: a hostile length field cannot make the reader allocate more. */
  public static final long MAX_PAYLOAD = 1L << 30;

  private ArtifactCodec() {}

  /** Serializes an artifact into container bytes. */
  public static byte[] encode(Artifact a) {
    byte[] payload = a.toByteArray();
    ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length + DIGEST).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(FORMAT_VERSION).putLong(payload.length).put(payload);
    byte[] digest = sha256(buf.array(), 0, HEADER + payload.length);
    buf.put(digest);
    return buf.array();
  }

  /**
   * Writes atomically: a crash leaves either the old file or the new one under {@code path}, never a part.
   *
   * @throws ArtifactException with {@link Reason#IO} naming the path when it cannot be written
   */
  public static void write(Artifact a, Path path) {
    byte[] bytes = encode(a);
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      if (dir != null && !Files.isDirectory(dir)) {
        throw new ArtifactException(Reason.IO, "cannot write " + path + ": folder " + dir + " does not exist");
      }
      tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
      if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // createTempFile makes the file owner-only; an artifact is as readable as any file the user writes
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (AccessDeniedException e) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": permission denied");
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temporary name starts with a dot and never shadows the target
        }
      }
    }
  }

  /**
   * Checks, before any long work, that {@code path} can be written: its folder exists and is writable, and
   * it is not itself a folder or a read-only file.
   *
   * @throws ArtifactException with {@link Reason#IO} naming the problem
   */
  public static void checkWritable(Path path) {
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    if (Files.isDirectory(abs)) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": it is a folder; name a file such as "
          + abs.resolve("model.lotta"));
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": folder " + dir + " does not exist");
    }
    if (!Files.isWritable(dir) || (Files.exists(abs) && !Files.isWritable(abs))) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": permission denied");
    }
  }

  /** Reads and validates a file. */
  public static Artifact read(Path path) {
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      throw new ArtifactException(Reason.IO, "no such artifact: " + path);
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
    }
    if (size > HEADER + MAX_PAYLOAD + DIGEST) {
      throw new ArtifactException(Reason.BAD_LENGTH, path + " is " + size + " bytes, over the "
          + (MAX_PAYLOAD >> 20) + " MiB payload limit");
    }
    try {
      return decode(Files.readAllBytes(path), path.toString());
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Validates and parses container bytes; {@code where} names the source in messages. */
  public static Artifact decode(byte[] bytes, String where) {
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      if (bytes.length < MAGIC.length && Arrays.equals(bytes, 0, bytes.length, MAGIC, 0, bytes.length)) {
        throw new ArtifactException(Reason.TRUNCATED, where + " is truncated: " + bytes.length + " bytes");
      }
      throw new ArtifactException(Reason.BAD_MAGIC, where + " is not a .lotta artifact (wrong magic bytes)");
    }
    if (bytes.length < HEADER + DIGEST) {
      throw new ArtifactException(Reason.TRUNCATED, where + " is truncated: " + bytes.length
          + " bytes, the header and digest alone take " + (HEADER + DIGEST));
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(MAGIC.length);
    int version = buf.getInt();
    if (version > FORMAT_VERSION || version < 1) {
      throw new ArtifactException(Reason.UNSUPPORTED_VERSION, where + " has format version " + version
          + "; this reader handles up to " + FORMAT_VERSION + ": upgrade lottalora to read it");
    }
    long len = buf.getLong();
    if (len < 0 || len > MAX_PAYLOAD) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + ": payload length " + len + " is outside [0, "
          + MAX_PAYLOAD + "]");
    }
    long expected = HEADER + len + DIGEST;
    if (bytes.length < expected) {
      throw new ArtifactException(Reason.TRUNCATED, where + " is truncated: " + bytes.length
          + " bytes, its header says " + expected);
    }
    if (bytes.length > expected) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + " has " + (bytes.length - expected)
          + " bytes after the digest");
    }
    byte[] digest = sha256(bytes, 0, (int) (HEADER + len));
    if (!Arrays.equals(digest, 0, DIGEST, bytes, (int) (HEADER + len), bytes.length)) {
      throw new ArtifactException(Reason.DIGEST_MISMATCH, where + " is damaged or was modified: its SHA-256 "
          + "does not match");
    }
    Artifact a;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, HEADER, (int) len);
      in.setSizeLimit((int) len);
      in.setRecursionLimit(32);
      a = Artifact.parseFrom(in);
      in.checkLastTagWas(0);
    } catch (InvalidProtocolBufferException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": malformed payload (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": malformed payload (" + e.getMessage() + ")", e);
    }
    for (Tensor t : a.getTensorsList()) {
      checkTensor(t, where);
    }
    return a;
  }

  /** Checks a tensor's byte size against its shape and dtype, with overflow-checked arithmetic. */
  static void checkTensor(Tensor t, String where) {
    if (t.getDtype() != DType.FLOAT32) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + t.getName() + "' has dtype "
          + t.getDtype() + ", this reader handles FLOAT32");
    }
    long n = 1;
    try {
      for (long d : t.getShapeList()) {
        if (d < 0) {
          throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + t.getName()
              + "' has a negative dimension");
        }
        n = Math.multiplyExact(n, d);
      }
      if (Math.multiplyExact(n, 4L) != t.getData().size()) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + t.getName() + "' has "
            + t.getData().size() + " bytes, its shape " + t.getShapeList() + " needs " + n * 4);
      }
    } catch (ArithmeticException e) {
      throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": tensor '" + t.getName()
          + "' has an absurd shape " + t.getShapeList());
    }
  }

  /** fp32 values as little-endian bytes. */
  public static byte[] floatsToBytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** Little-endian bytes as fp32 values. */
  public static float[] bytesToFloats(com.google.protobuf.ByteString bytes) {
    float[] v = new float[bytes.size() / 4];
    bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  static byte[] sha256(byte[] b, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(b, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
