package org.lottalora.cli;

import java.nio.file.Path;
import org.lottalora.core.train.Progress;
import org.lottalora.format.Signing;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import picocli.CommandLine.Option;

/**
 * What the Transformer train commands share about their output: the storage dtype of the trained matrices, an
 * optional signing key, progress or not, and a human or JSON report.
 */
final class SaveOptions {
  @Option(names = "--dtype", defaultValue = "fp32", description = "Storage of the trained matrices: fp32, fp16, "
      + "bf16, int8 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign with this Ed25519 private key.")
  Path signKey;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  /** The storage dtype (checked). */
  DType storage() {
    return TensorCodec.parse(dtype);
  }

  /** The signing key, or null. */
  java.security.PrivateKey key() {
    return signKey == null ? null : Signing.readPrivate(signKey);
  }

  /** Progress on stderr, or none with --quiet or --json. */
  Progress progress() {
    return quiet || json ? Progress.silent() : Progress.stderr();
  }
}
