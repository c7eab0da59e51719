package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactException.Reason;

/** The trust policy on load: who may have signed a file, from options and from the environment. */
class TrustPolicyTest {
  @TempDir
  Path dir;

  static final KeyPair OURS = Signing.generate();
  static final KeyPair THEIRS = Signing.generate();
  static final byte[] UNSIGNED = ArtifactCodec.encode(ArtifactCodecTest.sample());
  static final byte[] SIGNED = Signing.sign(UNSIGNED, OURS.getPrivate());

  @Test
  void aFileSignedByATrustedKeyIsAccepted() {
    ArtifactFile f = ArtifactCodec.decodeFile(SIGNED, "f", TrustPolicy.of(THEIRS.getPublic(), OURS.getPublic()));
    assertEquals(ArtifactCodecTest.sample(), f.artifact());
    assertEquals(Signing.keyId(OURS.getPublic().getEncoded()), f.keyId());
  }

  @Test
  void aStrippedSignatureIsRefusedOnceAKeyIsTrusted() {
    byte[] stripped = Signing.strip(SIGNED);
    assertEquals(ArtifactCodecTest.sample(), ArtifactCodec.decode(stripped, "f"), "no policy: read as before");
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(stripped, "f", TrustPolicy.of(OURS.getPublic())));
    assertEquals(Reason.UNSIGNED, e.reason());
    assertTrue(e.getMessage().contains(Signing.keyId(OURS.getPublic().getEncoded())), e.getMessage());
  }

  @Test
  void aSignatureReplacedByAnotherKeysIsRefused() {
    byte[] resigned = Signing.sign(Signing.strip(SIGNED), THEIRS.getPrivate());
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(resigned, "f", TrustPolicy.of(OURS.getPublic())));
    assertEquals(Reason.WRONG_KEY, e.reason());
    assertTrue(e.getMessage().contains(Signing.keyId(THEIRS.getPublic().getEncoded())), e.getMessage());
  }

  @Test
  void anUntrustedPayloadNeverReachesTheParser() throws Exception {
    // a container whose payload is garbage but whose digest and signature are intact
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    ByteBuffer b = ByteBuffer.allocate(ArtifactCodec.HEADER + garbage.length + ArtifactCodec.DIGEST)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(ArtifactCodec.MAGIC).putInt(ArtifactCodec.FORMAT_VERSION).putLong(garbage.length).put(garbage);
    b.put(ArtifactCodec.sha256(b.array(), 0, ArtifactCodec.HEADER + garbage.length));
    byte[] signed = Signing.sign(b.array(), THEIRS.getPrivate());
    assertEquals(Reason.MALFORMED, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(signed, "f")).reason());
    assertEquals(Reason.WRONG_KEY, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(signed, "f", TrustPolicy.of(OURS.getPublic()))).reason());
  }

  @Test
  void requireSignedRefusesUnsignedFilesAndNoPolicyAcceptsThem() throws Exception {
    Path pem = dir.resolve("ours.pem");
    Signing.writePublic(OURS.getPublic(), pem);
    TrustPolicy required = TrustPolicy.from(List.of(pem), null, true, Map.of());
    assertTrue(required.requireSigned());
    assertEquals(Reason.UNSIGNED, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(UNSIGNED, "f", required)).reason());
    ArtifactCodec.decodeFile(SIGNED, "f", required);
    TrustPolicy none = TrustPolicy.from(List.of(), null, false, Map.of());
    assertFalse(none.active());
    assertEquals(ArtifactCodecTest.sample(), ArtifactCodec.decodeFile(UNSIGNED, "f", none).artifact());
  }

  @Test
  void requiringSignaturesWithoutAKeyFailsClosed() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrustPolicy.from(List.of(), null, false, Map.of(TrustPolicy.KEYS_ENV, empty.toString(),
            TrustPolicy.REQUIRE_ENV, "1")));
    assertTrue(e.getMessage().contains("no key is trusted"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrustPolicy.from(List.of(), null, true, Map.of()));
  }

  @Test
  void theEnvironmentFolderTrustsEveryKeyInIt() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("trusted"));
    Signing.writePublic(OURS.getPublic(), keys.resolve("ours.pem"));
    Files.writeString(keys.resolve("README.txt"), "not a key, and not read");
    TrustPolicy p = TrustPolicy.from(List.of(), null, false, Map.of(TrustPolicy.KEYS_ENV, keys.toString()));
    assertEquals(1, p.keys().size());
    ArtifactCodec.decodeFile(SIGNED, "f", p);
    assertEquals(Reason.WRONG_KEY, assertThrows(ArtifactException.class, () -> ArtifactCodec.decodeFile(
        Signing.sign(UNSIGNED, THEIRS.getPrivate()), "f", p)).reason());
    // a file over the artifact: the same policy through open(Path, ...)
    Path file = dir.resolve("m.lotta");
    ArtifactCodec.writeBytes(UNSIGNED, file);
    assertEquals(Reason.UNSIGNED, assertThrows(ArtifactException.class, () -> ArtifactCodec.open(file, p)).reason());
    // an option's folder replaces the environment's
    Path other = Files.createDirectory(dir.resolve("other"));
    Signing.writePublic(THEIRS.getPublic(), other.resolve("theirs.pub"));
    TrustPolicy q = TrustPolicy.from(List.of(), other, false, Map.of(TrustPolicy.KEYS_ENV, keys.toString()));
    assertEquals(Reason.WRONG_KEY, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(SIGNED, "f", q)).reason());
  }

  @Test
  void aBadKeyFolderIsNamed() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("bad"));
    Files.writeString(keys.resolve("x.pem"), "hello");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrustPolicy.from(List.of(), null, false, Map.of(TrustPolicy.KEYS_ENV, keys.toString())));
    assertTrue(e.getMessage().startsWith(TrustPolicy.KEYS_ENV) && e.getMessage().contains("x.pem"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> TrustPolicy.from(List.of(), dir.resolve("nope"), false, Map.of()));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
  }
}
