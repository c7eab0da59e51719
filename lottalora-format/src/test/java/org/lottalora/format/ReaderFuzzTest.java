package org.lottalora.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.lottalora.format.proto.Tensor;

/**
 * Fuzzes the reader with jqwik (fixed seed, bounded tries, so CI runs the same cases in a few seconds): bit
 * flips, truncations, insertions, overwritten runs, fields declaring huge lengths and random files, half of
 * them with the digest repaired so that the mutation reaches the protobuf parser and the tensor checks behind
 * it. The only acceptable
 * failure is {@link ArtifactException}; anything else (an index error, an out-of-memory, a parser exception
 * leaking out) fails the property, and jqwik shrinks it to a minimal file.
 */
class ReaderFuzzTest {
  static final byte[] UNSIGNED = read();
  static final byte[] SIGNED = Signing.sign(UNSIGNED, Signing.generate().getPrivate());

  static byte[] read() {
    try {
      return Files.readAllBytes(Path.of("docs/fixtures/tiny.lotta"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 3000, seed = "20261128")
  void mutatedFilesFailOnlyWithTheTypedException(@ForAll("files") byte[] file) {
    try {
      ArtifactFile f = ArtifactCodec.decodeFile(file, "fuzz");
      // a file that passes must also survive everything inspect and diff do with it
      for (Tensor t : f.artifact().getTensorsList()) {
        TensorCodec.decode(t, "fuzz");
      }
      ArtifactInfo.denseParams(f.artifact());
      ArtifactInfo.sizesByDtype(f.artifact(), "fuzz");
      ArtifactDiff.of(f.artifact(), ArtifactCodec.decode(UNSIGNED, "fixture"));
      Statistics.collect("accepted");
    } catch (ArtifactException expected) {
      Statistics.collect(expected.reason().name()); // the report shows which checks the mutations reach
      // the typed failure, with its one-line message
      if (expected.getMessage() == null || expected.getMessage().contains("\n")) {
        throw new AssertionError("message must be one line: " + expected.getMessage());
      }
    }
  }

  @Provide
  Arbitrary<byte[]> files() {
    Arbitrary<byte[]> base = Arbitraries.of(UNSIGNED, SIGNED);
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 6);
    Arbitrary<Long> seed = Arbitraries.longs();
    Arbitrary<Boolean> repair = Arbitraries.of(true, false);
    return Combinators.combine(base, kind, seed, repair).as(ReaderFuzzTest::mutate);
  }

  /** Lengths at the per-field limits, where an off-by-one would show. */
  static final long[] NEAR_LIMITS = {PayloadLimits.MAX_STRING, PayloadLimits.MAX_STRING + 1L,
      PayloadLimits.MAX_PACKED + 1L};

  static byte[] mutate(byte[] base, int kind, long seed, boolean repair) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] b = base.clone();
    int payloadEnd = UNSIGNED.length - 32;
    switch (kind) {
      case 0 -> { // flip 1..8 bits, in the payload when the digest is to be repaired
        int flips = 1 + r.nextInt(8);
        for (int i = 0; i < flips; i++) {
          int pos = repair ? ArtifactCodec.HEADER + r.nextInt(payloadEnd - ArtifactCodec.HEADER) : r.nextInt(b.length);
          b[pos] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncate
      case 2 -> { // insert random bytes into the payload, keeping the length field honest
        int at = ArtifactCodec.HEADER + r.nextInt(payloadEnd - ArtifactCodec.HEADER);
        byte[] ins = new byte[1 + r.nextInt(16)];
        r.nextBytes(ins);
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(12, payloadEnd - ArtifactCodec.HEADER + ins.length);
        b = out;
      }
      case 3 -> { // overwrite a run with random bytes
        int at = r.nextInt(b.length);
        int len = Math.min(b.length - at, 1 + r.nextInt(24));
        byte[] run = new byte[len];
        r.nextBytes(run);
        System.arraycopy(run, 0, b, at, len);
      }
      case 4 -> { // overwrite one of the length-like fields with an extreme value
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long[] extremes = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, (1L << 32) - 1};
        if (r.nextBoolean()) {
          bb.putLong(12, extremes[r.nextInt(extremes.length)]);
        } else {
          bb.putInt(8, (int) extremes[r.nextInt(extremes.length)]);
        }
        repair = false;
      }
      case 5 -> { // insert a length-delimited field declaring up to 2 GiB, as a hostile writer would
        int at = ArtifactCodec.HEADER + r.nextInt(payloadEnd - ArtifactCodec.HEADER);
        int field = 1 + r.nextInt(1000);
        long len = r.nextBoolean() ? r.nextLong(1L << 31) : NEAR_LIMITS[r.nextInt(3)];
        java.io.ByteArrayOutputStream ins = new java.io.ByteArrayOutputStream();
        for (long v : new long[] {(long) field << 3 | 2, len}) {
          while (v >= 0x80) {
            ins.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
          }
          ins.write((int) v);
        }
        byte[] in = ins.toByteArray();
        byte[] out = new byte[b.length + in.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(in, 0, out, at, in.length);
        System.arraycopy(b, at, out, at + in.length, b.length - at);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(12, payloadEnd - ArtifactCodec.HEADER + in.length);
        b = out;
      }
      default -> { // a random file, sometimes behind a valid magic
        b = new byte[r.nextInt(2048)];
        r.nextBytes(b);
        if (r.nextBoolean() && b.length >= 20) {
          System.arraycopy(UNSIGNED, 0, b, 0, 20);
        }
      }
    }
    return repair ? repairDigest(b) : b;
  }

  /** Recomputes the digest where the header's length fits, as an attacker (or a buggy writer) would. */
  static byte[] repairDigest(byte[] b) {
    if (b.length < ArtifactCodec.HEADER + 32) {
      return b;
    }
    long len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(12);
    if (len < 0 || ArtifactCodec.HEADER + len + 32 > b.length) {
      return b;
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(b, 0, (int) (ArtifactCodec.HEADER + len));
      System.arraycopy(md.digest(), 0, b, (int) (ArtifactCodec.HEADER + len), 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return b;
  }
}
