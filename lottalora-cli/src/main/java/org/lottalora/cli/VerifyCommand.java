package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TrustPolicy;
import org.lottalora.models.AnyModel;
import org.lottalora.models.LottaModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora verify}: every check a load makes, plus the signer and the full backbone hash on request. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check an artifact: container structure and SHA-256 digest, signature (intact, and made by "
        + "a trusted key when --public-key, --trusted-keys or $LOTTALORA_TRUSTED_KEYS names one), model spec, "
        + "every backbone tensor's fingerprint after regenerating it from the seed, every trained tensor's shape "
        + "and values, and with --full the SHA-256 of every regenerated backbone value. Exit 0 only if every "
        + "check passes.")
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--full", description = "Also hash every regenerated backbone value and compare with the hash "
      + "stored at save time.")
  boolean full;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    TrustPolicy policy = trust.policy();
    threads.apply();
    String where = model.toString();
    Map<String, Object> checks = new LinkedHashMap<>();
    PrintWriter o = spec.commandLine().getOut();
    // one read: the signer is checked on the bytes that are then parsed and regenerated from
    ArtifactFile f = ArtifactCodec.open(model, policy);
    pass(o, checks, "structure", "format v" + f.version() + ", " + f.size() + " bytes, sha256 " + f.digestHex());
    if (f.signed()) {
      pass(o, checks, "signature", "Ed25519 by key " + f.keyId() + ", intact");
    } else {
      checks.put("signature", "none");
      if (!json) {
        o.println("--    signature  none (unsigned file)");
      }
    }
    if (policy.active()) { // open() has refused any other signer
      pass(o, checks, "signer", "key " + f.keyId() + " is trusted (" + policy.keys().size() + " trusted key"
          + (policy.keys().size() == 1 ? "" : "s") + ")");
    }
    long t0 = System.nanoTime();
    if (!AnyModel.isLottaModel(f)) { // families with their own loaders: the same checks, reported from the records
      AnyModel.load(f, where);
      long values = 0;
      for (org.lottalora.format.proto.BackboneTensor t : f.artifact().getBackbone().getTensorsList()) {
        long n = 1;
        for (long dim : t.getShapeList()) {
          n *= dim;
        }
        values += n;
      }
      pass(o, checks, "backbone", String.format(Locale.ROOT, "%s model: %d tensors, %,d parameters regenerated "
          + "from seed %d in %.2f s; every fingerprint matches", f.artifact().getModel().getFamily(),
          f.artifact().getBackbone().getTensorsCount(), values, f.artifact().getBackbone().getSeed(),
          (System.nanoTime() - t0) / 1e9));
      pass(o, checks, "tensors", f.artifact().getTensorsCount() + " trained tensors: names and sizes match the "
          + "model, values finite");
      if (full) {
        throw new IllegalArgumentException("--full checks the dense families' recorded hash; a "
            + f.artifact().getModel().getFamily() + " model records fingerprints only (checked above)");
      }
      if (json) {
        checks.put("ok", true);
        o.println(Json.write(checks));
      } else {
        o.println("verified " + where);
      }
      o.flush();
      return 0;
    }
    LottaModel m = LottaModel.load(f, where);
    pass(o, checks, "backbone", String.format(Locale.ROOT, "%d tensors, %,d parameters regenerated from seed %d "
        + "in %.2f s; every fingerprint matches", m.backbone().specs().size(), m.backbone().parameterCount(),
        m.spec().seed(), (System.nanoTime() - t0) / 1e9));
    pass(o, checks, "tensors", f.artifact().getTensorsCount() + " trained tensors: shapes match the model, values "
        + "finite, adapter records consistent");
    if (full) {
      if (!m.verifyFullHash()) {
        throw new LottaException(where + " records no full backbone hash (saved without it); the fingerprints "
            + "were checked");
      }
      pass(o, checks, "full hash", "SHA-256 of all " + m.backbone().parameterCount() + " backbone values matches");
    }
    if (json) {
      checks.put("ok", true);
      o.println(Json.write(checks));
    } else {
      o.println("verified " + where);
    }
    o.flush();
    return 0;
  }

  private void pass(PrintWriter o, Map<String, Object> checks, String what, String detail) {
    checks.put(what, detail);
    if (!json) {
      o.printf(Locale.ROOT, "ok    %-10s %s%n", what, detail);
      o.flush();
    }
  }
}
