package org.lottalora.format;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.lottalora.format.ArtifactException.Reason;

/**
 * Which signers a reader trusts, applied by {@link ArtifactCodec#open(Path, TrustPolicy)} to the same bytes it
 * then parses. With no keys ({@link #NONE}) a load behaves as it always has: an unsigned file is accepted and a
 * signature, when present, must only be intact. With one or more keys every file must carry an intact signature
 * by one of them: an unsigned file is refused, because a stripped signature looks exactly like none, and so is a
 * file re-signed by any other key. {@code requireSigned} adds only one thing: a policy that asks for signatures
 * but ends up with no key (an empty or missing key folder) is an error instead of silently trusting everything,
 * so a misconfigured machine fails closed. Keys come from PEM files, a folder of them, or the environment:
 * {@value #KEYS_ENV} names a folder (or a single PEM file), {@value #REQUIRE_ENV}{@code =1} requires signatures.
 *
 * @param keys the trusted Ed25519 public keys (empty: no policy)
 * @param requireSigned refuse to run without a key rather than fall back to accepting unsigned files
 */
public record TrustPolicy(List<PublicKey> keys, boolean requireSigned) {
  /** The environment variable naming a folder of trusted public keys ({@code *.pem}, {@code *.pub}). */
  public static final String KEYS_ENV = "LOTTALORA_TRUSTED_KEYS";
  /** The environment variable that, set to 1 / true / yes, requires signed artifacts. */
  public static final String REQUIRE_ENV = "LOTTALORA_REQUIRE_SIGNED";
  /** No policy: exactly the behaviour of a load without one. */
  public static final TrustPolicy NONE = new TrustPolicy(List.of(), false);
  /** Most key files read from one folder: a folder of thousands is a mistake (a home folder, say). */
  static final int MAX_FOLDER_KEYS = 1024;

  /**
   * Validates the policy.
   *
   * @throws IllegalArgumentException when signatures are required but no key is trusted
   */
  public TrustPolicy {
    keys = List.copyOf(keys);
    if (requireSigned && keys.isEmpty()) {
      throw new IllegalArgumentException("signed artifacts are required but no key is trusted: pass --public-key "
          + "FILE, --trusted-keys DIR, or set " + KEYS_ENV + " to a folder of Ed25519 public keys (.pem)");
    }
  }

  /** Trusts exactly these keys (and therefore requires a signature by one of them). */
  public static TrustPolicy of(PublicKey... keys) {
    return new TrustPolicy(Arrays.asList(keys), keys.length > 0);
  }

  /** The policy the process environment asks for ({@value #KEYS_ENV}, {@value #REQUIRE_ENV}). */
  public static TrustPolicy fromEnvironment() {
    return from(List.of(), null, false, System.getenv());
  }

  /**
   * The policy of a command line: key files, a key folder, and the require flag, joined with what the
   * environment asks for. A folder given here replaces {@value #KEYS_ENV}; the key files add to it.
   *
   * @param keyFiles PEM public keys (the {@code --public-key} option, repeatable)
   * @param folder a folder of PEM public keys, or null for {@value #KEYS_ENV}
   * @param requireSigned the {@code --require-signed} flag (or'ed with {@value #REQUIRE_ENV})
   * @param env the environment to consult ({@code System.getenv()} outside tests)
   * @throws IllegalArgumentException naming an unreadable key file or folder, or a requirement without a key
   */
  public static TrustPolicy from(Collection<Path> keyFiles, Path folder, boolean requireSigned,
      Map<String, String> env) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path p : keyFiles) {
      keys.add(Signing.readPublic(p));
    }
    String envKeys = env.get(KEYS_ENV);
    Path dir = folder != null ? folder : envKeys == null || envKeys.isBlank() ? null : Path.of(envKeys.trim());
    if (dir != null) {
      keys.addAll(Files.isDirectory(dir) ? readFolder(dir, folder != null ? "--trusted-keys" : KEYS_ENV)
          : List.of(readKeyFile(dir, folder != null ? "--trusted-keys" : KEYS_ENV)));
    }
    String req = env.getOrDefault(REQUIRE_ENV, "").trim().toLowerCase(Locale.ROOT);
    boolean required = requireSigned || req.equals("1") || req.equals("true") || req.equals("yes");
    // trusting a key means requiring it: otherwise stripping the signature would walk past the check
    return new TrustPolicy(dedupe(keys), required || !keys.isEmpty());
  }

  /**
   * Every {@code *.pem} and {@code *.pub} file in a folder, each an Ed25519 public key.
   *
   * @throws IllegalArgumentException naming the folder or the first file that is not a public key
   */
  public static List<PublicKey> readFolder(Path dir, String source) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{pem,pub}")) {
      for (Path p : ds) {
        if (files.size() == MAX_FOLDER_KEYS) {
          throw new IllegalArgumentException(source + " folder " + dir + " holds more than " + MAX_FOLDER_KEYS
              + " key files: name a folder of trusted public keys only");
        }
        files.add(p);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the " + source + " folder " + dir + ": " + e.getMessage());
    }
    files.sort(null); // a stable order, so messages list the keys the same way every time
    List<PublicKey> keys = new ArrayList<>();
    for (Path p : files) {
      keys.add(readKeyFile(p, source));
    }
    return keys;
  }

  private static PublicKey readKeyFile(Path p, String source) {
    if (!Files.exists(p)) {
      throw new IllegalArgumentException(source + " names " + p + ", which does not exist: give a folder of "
          + "Ed25519 public keys (.pem) or one key file");
    }
    try {
      return Signing.readPublic(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }

  private static List<PublicKey> dedupe(List<PublicKey> keys) {
    List<PublicKey> out = new ArrayList<>();
    for (PublicKey k : keys) {
      if (out.stream().noneMatch(o -> Arrays.equals(o.getEncoded(), k.getEncoded()))) {
        out.add(k);
      }
    }
    return out;
  }

  /** True if this policy checks signers at all (some key is trusted). */
  public boolean active() {
    return !keys.isEmpty();
  }

  /** The trusted keys' ids ({@link Signing#keyId}), comma-separated. */
  public String keyIds() {
    return keys.stream().map(k -> Signing.keyId(k.getEncoded())).collect(Collectors.joining(", "));
  }

  /** True if {@code x509} (a signature's public key, DER) is one of the trusted keys. */
  public boolean trusts(byte[] x509) {
    return keys.stream().anyMatch(k -> Arrays.equals(k.getEncoded(), x509));
  }

  /**
   * Applies the policy to an opened file (whose signature, if any, has already been verified as intact).
   *
   * @throws ArtifactException {@link Reason#UNSIGNED} for an unsigned file, {@link Reason#WRONG_KEY} for a
   *     file signed by a key this policy does not trust; nothing when the policy has no key
   */
  public void check(ArtifactFile f, String where) {
    check(f.signature() == null ? null : f.signature().getPublicKey().toByteArray(), where);
  }

  /** {@link #check(ArtifactFile, String)} on the signer's key alone (null: unsigned). */
  void check(byte[] signerX509, String where) {
    if (!active()) {
      return;
    }
    if (signerX509 == null) {
      throw new ArtifactException(Reason.UNSIGNED, where + " is not signed, but only artifacts signed by a "
          + "trusted key (" + keyIds() + ") are accepted: sign it with `lottalora sign --key <private.pem>`, or "
          + "its signature was stripped");
    }
    if (!trusts(signerX509)) {
      throw new ArtifactException(Reason.WRONG_KEY, where + " is signed by key " + Signing.keyId(signerX509)
          + ", which is not trusted (trusted: " + keyIds() + ")");
    }
  }
}
