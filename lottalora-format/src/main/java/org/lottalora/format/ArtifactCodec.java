package org.lottalora.format;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Arrays;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.Signature;
import org.lottalora.format.proto.Tensor;

/**
 * Reads and writes the .lotta container: an 8-byte magic, a little-endian u32 format version, a u64 payload
 * length, the protobuf {@link Artifact} payload, and a SHA-256 of everything before it. Writes are atomic
 * (temporary file, fsync, rename). An optional trailer after the digest carries an Ed25519 signature
 * ({@link Signing}). Reads check, in order: size, magic, version, length, digest, signature, the
 * {@link TrustPolicy}'s signer, per-field sizes ({@code PayloadLimits}), parse, required features, tensor
 * sizes; each failure is an {@link ArtifactException} with its own {@link Reason}. Hard limits on every length
 * keep a hostile file from making the reader allocate without bound.
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
  /** Largest signature trailer accepted. */
  public static final int MAX_SIGNATURE = 4096;
  /** Most tensors one artifact may list. */
  public static final int MAX_TENSORS = 1 << 16;
  /**
   * Names this reader honours in {@code Artifact.required_features}. Empty in format version 1: the field
   * exists so that a later writer can make older readers refuse, by name, a file they would misread.
   */
  public static final java.util.Set<String> KNOWN_FEATURES = java.util.Set.of();

  private ArtifactCodec() {}

  /** Serializes an artifact into unsigned container bytes (deterministic: maps are written sorted). */
  public static byte[] encode(Artifact a) {
    byte[] payload = new byte[a.getSerializedSize()];
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(payload);
      out.useDeterministicSerialization();
      a.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serializing into an array cannot fail", e);
    }
    if (payload.length > MAX_PAYLOAD) {
      throw new ArtifactException(Reason.TOO_LARGE, "the artifact's payload is " + payload.length
          + " bytes, over the " + (MAX_PAYLOAD >> 20) + " MiB limit: store its tensors as fp16 or int8");
    }
    ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length + DIGEST).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(FORMAT_VERSION).putLong(payload.length).put(payload);
    byte[] digest = sha256(buf.array(), 0, HEADER + payload.length);
    buf.put(digest);
    return buf.array();
  }

  /** Serializes and, if {@code key} is not null, signs (Ed25519) the container. */
  public static byte[] encode(Artifact a, PrivateKey key) {
    byte[] bytes = encode(a);
    return key == null ? bytes : Signing.sign(bytes, key);
  }

  /** {@link #write(Artifact, Path)}, signed with {@code key} unless it is null. */
  public static void write(Artifact a, Path path, PrivateKey key) {
    writeBytes(encode(a, key), path);
  }

  /**
   * Writes atomically: a crash leaves either the old file or the new one under {@code path}, never a part.
   *
   * @throws ArtifactException with {@link Reason#IO} naming the path when it cannot be written
   */
  public static void write(Artifact a, Path path) {
    writeBytes(encode(a), path);
  }

  /** Writes container bytes atomically (temporary file, fsync, rename). */
  public static void writeBytes(byte[] bytes, Path path) {
    Path dir = path.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": folder " + dir + " does not exist");
    }
    try {
      AtomicFile.write(path, AtomicFile.READABLE, bytes);
    } catch (AccessDeniedException e) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": permission denied");
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
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

  /** Reads and validates a file (a signature, if present, must verify against the key it carries). */
  public static Artifact read(Path path) {
    return open(path).artifact();
  }

  /** {@link #read(Path)} under a trust policy (see {@link #open(Path, TrustPolicy)}). */
  public static Artifact read(Path path, TrustPolicy trust) {
    return open(path, trust).artifact();
  }

  /** Reads and validates a file, keeping what the container says beside the payload; no trust policy. */
  public static ArtifactFile open(Path path) {
    return open(path, TrustPolicy.NONE);
  }

  /**
   * Reads a file once into memory, then checks and parses that one buffer: digest, signature, the trust
   * policy's signer, and only then the payload. Nothing is read from the file again, so the bytes that were
   * verified are the bytes that are parsed, whatever happens to the file meanwhile.
   *
   * @throws ArtifactException for every refusal, {@link Reason#UNSIGNED} and {@link Reason#WRONG_KEY}
   *     included, and {@link Reason#TOO_LARGE} when the file or its parsed form would not fit in this JVM
   */
  public static ArtifactFile open(Path path, TrustPolicy trust) {
    return decodeFile(readBytes(path), path.toString(), trust);
  }

  /**
   * The bytes of an artifact file, read once into one exactly sized buffer after the size limits are checked:
   * the payload limit, and the heap this JVM has left (a clean refusal rather than OutOfMemoryError).
   *
   * @throws ArtifactException {@link Reason#IO}, {@link Reason#BAD_LENGTH} or {@link Reason#TOO_LARGE}
   */
  public static byte[] readBytes(Path path) {
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      throw new ArtifactException(Reason.IO, "no such artifact: " + path);
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
    }
    if (Files.isDirectory(path)) {
      throw new ArtifactException(Reason.IO, "cannot read " + path + ": it is a folder, not an artifact");
    }
    long max = HEADER + MAX_PAYLOAD + DIGEST + 4 + MAX_SIGNATURE;
    if (size > max) {
      throw new ArtifactException(Reason.BAD_LENGTH, path + " is " + size + " bytes, over the "
          + (MAX_PAYLOAD >> 20) + " MiB payload limit");
    }
    long room = headroom(size);
    if (size > room) {
      throw new ArtifactException(Reason.TOO_LARGE, path + " is " + (size >> 20) + " MiB, so reading it needs "
          + "about " + ((size >> 20) + 1) + " MiB; this JVM has " + (room >> 20) + " MiB left: raise -Xmx");
    }
    try (java.io.InputStream in = Files.newInputStream(path)) {
      // one exact allocation (readAllBytes of a stream would hold the chunks and the copy at once), and no
      // more than the size checked above even if the file grows meanwhile
      byte[] bytes = new byte[(int) size];
      int got = in.readNBytes(bytes, 0, bytes.length);
      if (got != bytes.length || in.read() != -1) {
        throw new ArtifactException(Reason.IO, path + " changed size while it was being read: read it again "
            + "once whatever writes it has finished");
      }
      return bytes;
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Heap this JVM can still allocate. Used memory includes garbage, so when it looks too small for
   * {@code need} one collection runs before the answer is final: a refusal must not depend on GC timing.
   */
  static long headroom(long need) {
    Runtime rt = Runtime.getRuntime();
    long room = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (need > room) {
      System.gc();
      room = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }
    return room;
  }

  /** Validates and parses container bytes; {@code where} names the source in messages. */
  public static Artifact decode(byte[] bytes, String where) {
    return decodeFile(bytes, where).artifact();
  }

  /** {@link #decodeFile(byte[], String, TrustPolicy)} without a trust policy. */
  public static ArtifactFile decodeFile(byte[] bytes, String where) {
    return decodeFile(bytes, where, TrustPolicy.NONE);
  }

  /**
   * Validates and parses container bytes, in order: magic, version, length fields, digest, signature
   * trailer, the trust policy's signer, per-field sizes and the heap the parse needs, payload, required
   * features, tensor sizes. An untrusted file is refused before its payload reaches the protobuf parser.
   * Byte fields (tensor data) of the result are views of {@code bytes}: the caller must not change it.
   */
  public static ArtifactFile decodeFile(byte[] bytes, String where, TrustPolicy trust) {
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
      throw new ArtifactException(Reason.UNSUPPORTED_VERSION, where + " has format version "
          + Integer.toUnsignedString(version) + "; this reader handles up to " + FORMAT_VERSION
          + ": upgrade lottalora to a release that reads version " + Integer.toUnsignedString(version));
    }
    long len = buf.getLong();
    if (len < 0 || len > MAX_PAYLOAD) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + ": payload length " + Long.toUnsignedString(len)
          + " is outside [0, " + MAX_PAYLOAD + "]");
    }
    int signedEnd = (int) (HEADER + len + DIGEST);
    if (bytes.length < signedEnd) {
      throw new ArtifactException(Reason.TRUNCATED, where + " is truncated: " + bytes.length
          + " bytes, its header says " + signedEnd);
    }
    byte[] digest = sha256(bytes, 0, (int) (HEADER + len));
    if (!Arrays.equals(digest, 0, DIGEST, bytes, (int) (HEADER + len), signedEnd)) {
      throw new ArtifactException(Reason.DIGEST_MISMATCH, where + " is damaged or was modified: its SHA-256 "
          + "does not match");
    }
    Signature sig = null;
    if (bytes.length > signedEnd) {
      sig = Signing.trailer(bytes, signedEnd, where);
    }
    trust.check(sig == null ? null : sig.getPublicKey().toByteArray(), where);
    long heap = PayloadLimits.check(bytes, HEADER, (int) len, Artifact.getDescriptor(), where);
    Runtime rt = Runtime.getRuntime();
    long room = rt.maxMemory() - bytes.length; // the buffer is already held; count only what parsing adds
    if (heap > room) {
      throw new ArtifactException(Reason.TOO_LARGE, where + ": parsing its payload needs about "
          + ((heap >> 20) + 1) + " MiB; this JVM may use " + (room >> 20) + " MiB more: raise -Xmx");
    }
    Artifact a;
    try {
      // aliasing: tensor bytes become views of the buffer instead of a second copy of the file
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes, HEADER, (int) len).newCodedInput();
      in.enableAliasing(true);
      in.setSizeLimit((int) len);
      in.setRecursionLimit(32);
      a = Artifact.parseFrom(in);
      in.checkLastTagWas(0);
    } catch (IOException e) { // InvalidProtocolBufferException and any other parse failure
      throw new ArtifactException(Reason.MALFORMED, where + ": malformed payload (" + e.getMessage() + ")", e);
    }
    for (String f : a.getRequiredFeaturesList()) {
      if (!KNOWN_FEATURES.contains(f)) {
        throw new ArtifactException(Reason.UNSUPPORTED_VERSION, where + " needs format feature '" + f + "', "
            + "which this reader (format version " + FORMAT_VERSION + ") does not have: upgrade lottalora");
      }
    }
    if (a.getTensorsCount() > MAX_TENSORS) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + " lists " + a.getTensorsCount() + " tensors, "
          + "over the limit of " + MAX_TENSORS);
    }
    if (a.getBackbone().getTensorsCount() > MAX_TENSORS) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + " lists " + a.getBackbone().getTensorsCount()
          + " backbone tensors, over the limit of " + MAX_TENSORS);
    }
    for (org.lottalora.format.proto.BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (t.getShapeCount() > TensorCodec.MAX_DIMS) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": backbone tensor '" + t.getName() + "' has "
            + t.getShapeCount() + " dimensions, over the limit of " + TensorCodec.MAX_DIMS);
      }
      TensorCodec.count(t.getShapeList().stream().mapToLong(Long::longValue).toArray(), t.getName(), where);
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Tensor t : a.getTensorsList()) {
      TensorCodec.check(t, where);
      if (!names.add(t.getName())) {
        throw new ArtifactException(Reason.MALFORMED, where + ": tensor '" + t.getName() + "' is stored twice");
      }
    }
    return new ArtifactFile(a, version, bytes.length, digest, sig);
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
