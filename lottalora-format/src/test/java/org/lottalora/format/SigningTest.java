package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;

/** Ed25519 signatures: what is accepted, what is refused, and keys from OpenSSL. */
class SigningTest {
  @TempDir
  Path dir;

  static final KeyPair KEYS = Signing.generate();

  @Test
  void aSignedFileReadsBackWithItsSigner() {
    byte[] signed = ArtifactCodec.encode(ArtifactCodecTest.sample(), KEYS.getPrivate());
    ArtifactFile f = ArtifactCodec.decodeFile(signed, "f");
    assertTrue(f.signed());
    assertEquals(ArtifactCodecTest.sample(), f.artifact());
    Signing.requireSignedBy(f, KEYS.getPublic(), "f");
    assertEquals(Signing.keyId(KEYS.getPublic().getEncoded()), f.keyId());
    assertArrayEquals(ArtifactCodec.encode(ArtifactCodecTest.sample()), Signing.strip(signed));
  }

  @Test
  void unsignedAndWronglySignedFilesAreRefusedWhenASignerIsRequired() {
    ArtifactFile unsigned = ArtifactCodec.decodeFile(ArtifactCodec.encode(ArtifactCodecTest.sample()), "f");
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> Signing.requireSignedBy(unsigned, KEYS.getPublic(), "f"));
    assertEquals(Reason.UNSIGNED, e.reason());
    assertTrue(e.getMessage().contains("lottalora sign"), e.getMessage());
    KeyPair other = Signing.generate();
    ArtifactFile byOther = ArtifactCodec.decodeFile(ArtifactCodec.encode(ArtifactCodecTest.sample(),
        other.getPrivate()), "f");
    assertEquals(Reason.WRONG_KEY, assertThrows(ArtifactException.class,
        () -> Signing.requireSignedBy(byOther, KEYS.getPublic(), "f")).reason());
  }

  @Test
  void anyChangeToASignedFileIsCaught() throws Exception {
    byte[] signed = ArtifactCodec.encode(ArtifactCodecTest.sample(), KEYS.getPrivate());
    int signedEnd = ArtifactCodec.encode(ArtifactCodecTest.sample()).length;
    // tamper with the payload and repair the digest, as an attacker can: only the signature catches it
    byte[] forged = signed.clone();
    forged[ArtifactCodec.HEADER + 3] ^= 1;
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(forged, 0, signedEnd - 32);
    System.arraycopy(md.digest(), 0, forged, signedEnd - 32, 32);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCodec.decodeFile(forged, "f"));
    assertEquals(Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
    // every bit of the trailer matters too
    for (int i = signedEnd; i < signed.length; i++) {
      byte[] bad = signed.clone();
      bad[i] ^= 0x04;
      ArtifactException x = assertThrows(ArtifactException.class, () -> ArtifactCodec.decodeFile(bad, "f"),
          "flip at " + i);
      assertTrue(x.reason() == Reason.BAD_SIGNATURE || x.reason() == Reason.BAD_LENGTH, x.reason() + " at " + i);
    }
    // a trailer whose length field lies
    byte[] lying = signed.clone();
    ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(signedEnd, 1 << 30);
    assertEquals(Reason.BAD_LENGTH, assertThrows(ArtifactException.class,
        () -> ArtifactCodec.decodeFile(lying, "f")).reason());
  }

  @Test
  void keysRoundTripThroughPemFiles() throws Exception {
    Path priv = dir.resolve("k.pem");
    Path pub = dir.resolve("k.pub.pem");
    Signing.writePrivate(KEYS.getPrivate(), priv);
    Signing.writePublic(KEYS.getPublic(), pub);
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(priv));
    PrivateKey k = Signing.readPrivate(priv);
    PublicKey p = Signing.readPublic(pub);
    assertArrayEquals(KEYS.getPublic().getEncoded(), p.getEncoded());
    ArtifactFile f = ArtifactCodec.decodeFile(ArtifactCodec.encode(ArtifactCodecTest.sample(), k), "f");
    Signing.requireSignedBy(f, p, "f");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signing.readPublic(priv));
    assertTrue(e.getMessage().contains("it is a private key"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Signing.readPrivate(dir.resolve("missing.pem")));
    Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThrows(IllegalArgumentException.class, () -> Signing.readPrivate(dir.resolve("junk.pem")));
  }

  @Test
  void keysMadeByOpensslWork() throws Exception {
    Path priv = Path.of(getClass().getResource("openssl-test.pem").toURI());
    Path pub = Path.of(getClass().getResource("openssl-test.pub.pem").toURI());
    Artifact a = ArtifactCodecTest.sample();
    ArtifactFile f = ArtifactCodec.decodeFile(ArtifactCodec.encode(a, Signing.readPrivate(priv)), "f");
    // the public key we derive from OpenSSL's private key is the one OpenSSL derived
    Signing.requireSignedBy(f, Signing.readPublic(pub), "f");
    assertFalse(Signing.keyId(Signing.readPublic(pub).getEncoded()).isEmpty());
  }
}
