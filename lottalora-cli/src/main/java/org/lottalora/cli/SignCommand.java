package org.lottalora.cli;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.Signing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora sign}: add (or replace) an artifact's Ed25519 signature. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = "Sign an artifact with an Ed25519 private key (PEM). The file is validated first; an existing "
        + "signature is replaced. Writes atomically, in place unless --out is given.")
final class SignCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @Option(names = "--key", required = true, paramLabel = "PEM", description = "Ed25519 private key.")
  Path key;

  @Option(names = {"-o", "--out"}, description = "Write the signed file here instead of in place.")
  Path out;

  @Override
  public Integer call() {
    PrivateKey k = Signing.readPrivate(key);
    Path target = out != null ? out : model;
    ArtifactCodec.checkWritable(target);
    byte[] bytes = ArtifactCodec.readBytes(model); // size-checked: a huge file is refused, not an OOM
    ArtifactFile f = ArtifactCodec.decodeFile(bytes, model.toString());
    byte[] signed = Signing.sign(Signing.strip(bytes), k);
    ArtifactCodec.writeBytes(signed, target);
    ArtifactFile check = ArtifactCodec.open(target);
    spec.commandLine().getOut().println("signed " + target + " with key " + check.keyId()
        + (f.signed() ? " (replaced the signature of key " + f.keyId() + ")" : ""));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
