package org.lottalora.format;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Signature;

/**
 * Ed25519 signing of artifacts with the JDK's own provider, and the PEM key files it uses (PKCS#8 private
 * keys, X.509 public keys: the files {@code openssl genpkey -algorithm ed25519} writes). A signature covers
 * every byte of the container before it (header, payload, digest) and travels in a trailer after the digest:
 * its length as a u32 little-endian, then a {@link Signature} message that also carries the public key, so a
 * reader can always check that a signed file is intact; {@link #requireSignedBy} then checks who signed it.
 */
public final class Signing {
  /** The only algorithm this format signs with. */
  public static final String ALGORITHM = "Ed25519";

  private Signing() {}

  /** A fresh Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519 provider (Java 15 or later has one)", e);
    }
  }

  /** Signs container bytes: returns them with the signature trailer appended. */
  public static byte[] sign(byte[] container, PrivateKey key) {
    try {
      java.security.Signature s = java.security.Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(container);
      byte[] sig = s.sign();
      PublicKey pub = publicOf(key);
      byte[] msg = Signature.newBuilder().setAlgorithm(ALGORITHM)
          .setPublicKey(ByteString.copyFrom(pub.getEncoded())).setSignature(ByteString.copyFrom(sig)).build()
          .toByteArray();
      ByteBuffer out = ByteBuffer.allocate(container.length + 4 + msg.length).order(ByteOrder.LITTLE_ENDIAN);
      return out.put(container).putInt(msg.length).put(msg).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /** Removes a signature trailer, if any, from container bytes (the unsigned file). */
  public static byte[] strip(byte[] container) {
    ByteBuffer b = ByteBuffer.wrap(container).order(ByteOrder.LITTLE_ENDIAN);
    long len = b.getLong(ArtifactCodec.MAGIC.length + 4);
    return Arrays.copyOf(container, (int) (ArtifactCodec.HEADER + len + ArtifactCodec.DIGEST));
  }

  /** Parses and self-verifies the trailer that starts at {@code signedEnd}. */
  static Signature trailer(byte[] bytes, int signedEnd, String where) {
    int rest = bytes.length - signedEnd;
    if (rest < 4) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + " has " + rest + " stray bytes after the digest");
    }
    long len = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, signedEnd, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
    if (len == 0 || len > ArtifactCodec.MAX_SIGNATURE || len != rest - 4) {
      throw new ArtifactException(Reason.BAD_LENGTH, where + ": signature trailer length " + len + " does not "
          + "match the " + (rest - 4) + " bytes after it (limit " + ArtifactCodec.MAX_SIGNATURE + ")");
    }
    Signature sig;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, signedEnd + 4, (int) len);
      in.setRecursionLimit(4);
      sig = Signature.parseFrom(in);
    } catch (IOException e) {
      throw new ArtifactException(Reason.BAD_SIGNATURE, where + ": the signature trailer is malformed");
    }
    if (!ALGORITHM.equals(sig.getAlgorithm())) {
      throw new ArtifactException(Reason.BAD_SIGNATURE, where + " is signed with '" + sig.getAlgorithm()
          + "'; this reader verifies only " + ALGORITHM);
    }
    PublicKey pub;
    try {
      pub = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(sig.getPublicKey()
          .toByteArray()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new ArtifactException(Reason.BAD_SIGNATURE, where + ": the signature's public key is malformed");
    }
    boolean ok;
    try {
      java.security.Signature s = java.security.Signature.getInstance(ALGORITHM);
      s.initVerify(pub);
      s.update(bytes, 0, signedEnd);
      ok = s.verify(sig.getSignature().toByteArray());
    } catch (GeneralSecurityException | RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new ArtifactException(Reason.BAD_SIGNATURE, where + ": the signature does not verify: the file "
          + "or its signature was altered after signing");
    }
    return sig;
  }

  /**
   * Requires that a file is signed, and by {@code trusted}.
   *
   * @throws ArtifactException {@link Reason#UNSIGNED} or {@link Reason#WRONG_KEY}
   */
  public static void requireSignedBy(ArtifactFile f, PublicKey trusted, String where) {
    if (!f.signed()) {
      throw new ArtifactException(Reason.UNSIGNED, where + " is not signed; sign it with `lottalora sign "
          + "--key <private.pem> " + where + "`");
    }
    if (!Arrays.equals(f.signature().getPublicKey().toByteArray(), trusted.getEncoded())) {
      throw new ArtifactException(Reason.WRONG_KEY, where + " is signed by key " + f.keyId() + ", not by the "
          + "trusted key " + keyId(trusted.getEncoded()));
    }
  }

  /** A short id of a public key: the first 8 bytes of the SHA-256 of its X.509 encoding, in hex. */
  public static String keyId(byte[] x509) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(x509), 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a private key as PKCS#8 PEM, readable by its owner only, atomically. */
  public static void writePrivate(PrivateKey key, Path path) {
    writePem(path, "PRIVATE KEY", key.getEncoded(), AtomicFile.OWNER_ONLY);
  }

  /** Writes a public key as X.509 PEM. */
  public static void writePublic(PublicKey key, Path path) {
    writePem(path, "PUBLIC KEY", key.getEncoded(), AtomicFile.READABLE);
  }

  /**
   * Reads an Ed25519 private key from a PKCS#8 PEM file.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static PrivateKey readPrivate(Path path) {
    byte[] der = readPem(path, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(path + " is not an Ed25519 private key; make one with `lottalora "
          + "keygen` or `openssl genpkey -algorithm ed25519`");
    }
  }

  /**
   * Reads an Ed25519 public key from an X.509 PEM file.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static PublicKey readPublic(Path path) {
    byte[] der = readPem(path, "PUBLIC KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(path + " is not an Ed25519 public key; derive one with `openssl pkey "
          + "-in private.pem -pubout`");
    }
  }

  /** The public half of an Ed25519 private key (PKCS#8 v1 has no public key; derive it by signing nothing). */
  static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
    // The JDK exposes no derivation, but an Ed25519 public key is a function of the seed: rebuild the pair
    // through a generator seeded with the private key's 32-byte seed.
    byte[] der = key.getEncoded();
    byte[] seed = Arrays.copyOfRange(der, der.length - 32, der.length);
    KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
    g.initialize(new java.security.spec.NamedParameterSpec(ALGORITHM), new FixedRandom(seed));
    KeyPair kp = g.generateKeyPair();
    if (!Arrays.equals(kp.getPrivate().getEncoded(), der)) {
      throw new GeneralSecurityException("unexpected PKCS#8 layout of the private key");
    }
    return kp.getPublic();
  }

  private static void writePem(Path path, String type, byte[] der, String perms) {
    String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(der) + "\n-----END " + type + "-----\n";
    try {
      AtomicFile.write(path, perms, pem.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new ArtifactException(Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readPem(Path path, String type) {
    String text;
    try {
      if (Files.size(path) > 64 * 1024) {
        throw new IllegalArgumentException(path + " is too large to be a PEM key");
      }
      text = Files.readString(path, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such key file: " + path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key file " + path + ": " + e.getMessage());
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException(path + " has no '" + begin + "' block"
          + (type.equals("PUBLIC KEY") && text.contains("PRIVATE KEY") ? " (it is a private key: pass the "
              + "public one)" : type.equals("PRIVATE KEY") && text.contains("PUBLIC KEY")
                  ? " (it is a public key: signing needs the private one)" : ""));
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(path + " has a damaged PEM body: " + ex.getMessage());
    }
  }

  /** A SecureRandom that returns a fixed seed once: lets the JDK generator rebuild a known key pair. */
  private static final class FixedRandom extends java.security.SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }

}
