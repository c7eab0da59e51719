package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TensorCodec;
import org.lottalora.format.proto.DType;
import org.lottalora.models.Export;
import org.lottalora.models.LottaModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora export}: the dense model as safetensors, or the adapters in PEFT's layout. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Materialise a model for other tools. merged: the full dense model (backbone regenerated from "
        + "the seed, adapters merged in fp32) as one safetensors file; base: the regenerated backbone and heads "
        + "without adapters; peft: a folder with adapter_model.safetensors and adapter_config.json in PEFT's "
        + "layout. Seed and generator id go into __metadata__.")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--format", defaultValue = "merged", description = "merged, base or peft (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = {"-o", "--out"}, required = true, description = "File to write (merged, base) or folder (peft).")
  Path out;

  @Option(names = "--dtype", defaultValue = "fp32", description = "fp32, fp16 or bf16 for merged and base (default: ${DEFAULT-VALUE}).")
  String dtype;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Override
  public Integer call() {
    DType d = TensorCodec.parse(dtype);
    if (d == DType.INT8) {
      throw new IllegalArgumentException("safetensors export writes fp32, fp16 or bf16, not int8");
    }
    if (!format.equals("merged") && !format.equals("base") && !format.equals("peft")) {
      throw new IllegalArgumentException("--format must be merged, base or peft, got '" + format + "'");
    }
    if (!format.equals("peft")) {
      ArtifactCodec.checkWritable(out);
    }
    threads.apply();
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    LottaModel m = LottaModel.load(f, model.toString());
    PrintWriter o = spec.commandLine().getOut();
    switch (format) {
      case "merged" -> Export.merged(m, f.digestHex(), out, d);
      case "base" -> Export.base(m, f.digestHex(), out, d);
      default -> {
        Map<String, Float> betas = Export.peft(m, f.digestHex(), out);
        if (!betas.isEmpty()) {
          StringBuilder sb = new StringBuilder();
          betas.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s=%.4f", k, v)));
          spec.commandLine().getErr().println("lottalora export: note: PEFT has no per-layer beta; the learned "
              + "betas (" + sb.toString().trim() + ") are in __metadata__ as lottalora.beta.<layer>: scale each "
              + "base weight by its beta, or use --format merged");
        }
      }
    }
    o.printf(Locale.ROOT, "wrote %s (%s, %s)%n", out, format, format.equals("peft") ? "fp32"
        : TensorCodec.shortName(d));
    o.flush();
    return 0;
  }
}
