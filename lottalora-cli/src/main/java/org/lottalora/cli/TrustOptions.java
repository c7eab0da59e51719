package org.lottalora.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.format.TrustPolicy;
import picocli.CommandLine.Option;

/**
 * The trust options of every command that reads an artifact: {@code --public-key} (repeatable),
 * {@code --trusted-keys DIR} and {@code --require-signed}, joined with {@code $LOTTALORA_TRUSTED_KEYS} and
 * {@code $LOTTALORA_REQUIRE_SIGNED} into one {@link TrustPolicy}. Commands pass the policy to the loader, which
 * checks the signer on the same bytes it parses; with none of these set a load is exactly as before.
 */
final class TrustOptions {
  @Option(names = "--public-key", paramLabel = "PEM", description = "Trust artifacts signed by this Ed25519 public "
      + "key (repeatable); once any key is trusted, unsigned files and other keys' files are refused.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(names = "--trusted-keys", paramLabel = "DIR", description = "Trust every public key (*.pem, *.pub) in "
      + "this folder (default: $" + TrustPolicy.KEYS_ENV + ").")
  Path trustedKeys;

  @Option(names = "--require-signed", description = "Refuse unsigned artifacts and those not signed by a trusted "
      + "key; without a trusted key this is an error, not a pass (also $" + TrustPolicy.REQUIRE_ENV + "=1).")
  boolean requireSigned;

  /**
   * The policy these options and the environment ask for.
   *
   * @throws IllegalArgumentException (exit 2) naming an unreadable key, or a requirement without any key
   */
  TrustPolicy policy() {
    return TrustPolicy.from(publicKeys, trustedKeys, requireSigned, System.getenv());
  }
}
