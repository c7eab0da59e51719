package org.lottalora.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.format.Signing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora keygen}: an Ed25519 key pair in PEM files for signing artifacts. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = "Make an Ed25519 key pair: NAME.pem (PKCS#8 private key, owner-only) and NAME.pub.pem (X.509 "
        + "public key), the same files openssl genpkey -algorithm ed25519 makes. Never overwrites.")
final class KeygenCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "NAME", description = "Path prefix of the two files.")
  String out;

  @Override
  public Integer call() {
    Path priv = Path.of(out + ".pem");
    Path pub = Path.of(out + ".pub.pem");
    for (Path p : new Path[] {priv, pub}) {
      if (Files.exists(p)) {
        throw new LottaException(p + " exists; keygen never overwrites a key: choose another --out");
      }
      Path dir = p.toAbsolutePath().getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        throw new LottaException("cannot write " + p + ": folder " + dir + " does not exist");
      }
    }
    KeyPair kp = Signing.generate();
    Signing.writePrivate(kp.getPrivate(), priv);
    Signing.writePublic(kp.getPublic(), pub);
    spec.commandLine().getOut().println("wrote " + priv + " (private, keep it secret) and " + pub + " (public), key "
        + Signing.keyId(kp.getPublic().getEncoded()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
