package org.lottalora.format;

import java.util.HexFormat;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.Signature;

/**
 * A validated artifact together with what its container says about it: the format version, the file size,
 * the payload digest and, when the file is signed, its (already self-consistent) signature.
 *
 * @param artifact the payload
 * @param version the container's format version
 * @param size bytes in the file
 * @param digest SHA-256 of header and payload
 * @param signature the signature trailer, or null for an unsigned file
 */
public record ArtifactFile(Artifact artifact, int version, long size, byte[] digest, Signature signature) {

  /** True if the file carries a signature. */
  public boolean signed() {
    return signature != null;
  }

  /** The digest as lower-case hex. */
  public String digestHex() {
    return HexFormat.of().formatHex(digest);
  }

  /** The signing key's id (see {@link Signing#keyId}), or null when unsigned. */
  public String keyId() {
    return signature == null ? null : Signing.keyId(signature.getPublicKey().toByteArray());
  }
}
