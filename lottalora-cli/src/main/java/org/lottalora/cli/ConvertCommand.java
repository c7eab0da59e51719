package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.LottaException;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.ArtifactInfo;
import org.lottalora.format.Signing;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.AnyModel;
import org.lottalora.models.LottaModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora convert}: store an artifact's trained matrices as fp32, fp16, bf16 or int8. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Re-store an artifact's trained matrices as fp32, fp16, bf16 or int8 (per-row scales); vectors "
        + "and betas stay fp32. The new file is loaded back before the command succeeds; --eval also reports "
        + "the accuracy change on the test split of the dataset the model was trained on.")
final class ConvertCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact to convert.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--dtype", required = true, description = "fp32, fp16, bf16 or int8.")
  String dtype;

  @Option(names = {"-o", "--out"}, required = true, description = "Artifact to write (may be MODEL itself).")
  Path out;

  @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign the new file with this Ed25519 private key.")
  Path signKey;

  @Option(names = "--eval", description = "Report test accuracy before and after, and how many predictions change.")
  boolean eval;

  @Option(names = "--data-dir", description = "Folder to look for the dataset in first (with --eval).")
  Path dataDir;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    DType d = TensorCodec.parse(dtype);
    PrivateKey key = signKey == null ? null : Signing.readPrivate(signKey);
    ArtifactCodec.checkWritable(out);
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    Artifact converted = ArtifactInfo.converted(f.artifact(), d, LottaModel.PRODUCER, model.toString());
    threads.apply();
    boolean dense = AnyModel.isLottaModel(f);
    if (eval && !dense) {
      throw new IllegalArgumentException("--eval scores the dense families; evaluate a "
          + f.artifact().getModel().getFamily() + " model with its own eval command after converting");
    }
    LottaModel before = eval ? LottaModel.load(f, model.toString()) : null;
    // written beside the target and loaded back (every family's checks) before it takes the target's name
    Path abs = out.toAbsolutePath();
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".converting");
    ArtifactCodec.write(converted, tmp, key);
    try {
      AnyModel.load(ArtifactCodec.open(tmp), out.toString());
      java.nio.file.Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new LottaException("cannot move the converted file into " + out + ": " + e.getMessage());
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(tmp);
      } catch (java.io.IOException ignored) {
        // the move succeeded or the load failed; a leftover temporary file is harmless
      }
    }
    LottaModel after = dense ? LottaModel.load(out) : null;
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("from", model.toString());
    j.put("to", out.toString());
    j.put("dtype", TensorCodec.shortName(d));
    j.put("bytes_before", f.size());
    j.put("bytes_after", sizeOf(out));
    j.put("signed", key != null);
    if (before != null) {
      String ds = f.artifact().getTraining().getDataset();
      DataSplits data = Datasets.load(ds, new Datasets.Options(dataDir, false,
          f.artifact().getTraining().getConfig().getSplitSeed()));
      int[] p0 = before.classify(data.test());
      int[] p1 = after.classify(data.test());
      int changed = 0;
      for (int i = 0; i < p0.length; i++) {
        changed += p0[i] != p1[i] ? 1 : 0;
      }
      j.put("dataset", ds);
      j.put("test_accuracy_before", before.accuracy(data.test()));
      j.put("test_accuracy_after", after.accuracy(data.test()));
      j.put("predictions_changed", changed);
      j.put("test_samples", p0.length);
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "wrote %s: matrices as %s, %s (was %s)%s%n", out, TensorCodec.shortName(d),
          Human.bytes((Long) j.get("bytes_after")), Human.bytes(f.size()), key != null ? ", signed"
              : f.signed() ? "; unsigned: the old signature does not cover the new bytes (pass --sign-key)" : "");
      if (before != null) {
        o.printf(Locale.ROOT, "%s test accuracy %.4f -> %.4f (%+.4f); %d of %d predictions changed%n", j.get("dataset"),
            (Double) j.get("test_accuracy_before"), (Double) j.get("test_accuracy_after"),
            (Double) j.get("test_accuracy_after") - (Double) j.get("test_accuracy_before"), j.get("predictions_changed"),
            j.get("test_samples"));
      }
    }
    o.flush();
    return 0;
  }

  static long sizeOf(Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
