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
import org.lottalora.format.proto.ModelSpec;
import org.lottalora.models.Export;
import org.lottalora.models.LottaModel;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.adapt.SourceGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora export}: the dense model as safetensors, the adapters in PEFT's layout, or, for an adapted
 * SameDiff graph ({@code lottalora adapt}), the merged graph as a plain SameDiff file.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Materialise a model for other tools. merged: the full dense model (backbone regenerated from "
        + "the seed, adapters merged in fp32) as one safetensors file; base: the regenerated backbone and heads "
        + "without adapters; peft: a folder with adapter_model.safetensors and adapter_config.json in PEFT's "
        + "layout. Seed and generator id go into __metadata__. samediff (for `lottalora adapt` artifacts): the "
        + "user's graph with every adapter merged into its weight, as a SameDiff file (SameDiff.load(file, false) "
        + "reads it); a pretrained-base artifact needs --base, the model it was trained on.")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--format", defaultValue = "merged", description = "merged, base, peft or samediff (default: "
      + "${DEFAULT-VALUE}, or samediff for an adapted SameDiff graph).")
  String format;

  @Option(names = {"-o", "--out"}, required = true, description = "File to write (merged, base) or folder (peft).")
  Path out;

  @Option(names = "--base", paramLabel = "MODEL", description = "samediff: the base model (.onnx or SameDiff "
      + "file) a pretrained-base artifact was trained on.")
  Path base;

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
    if (!format.equals("merged") && !format.equals("base") && !format.equals("peft") && !format.equals("samediff")) {
      throw new IllegalArgumentException("--format must be merged, base, peft or samediff, got '" + format + "'");
    }
    if (!format.equals("peft")) {
      ArtifactCodec.checkWritable(out);
    }
    threads.apply();
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    boolean graph = f.artifact().getModel().getConfigCase() == ModelSpec.ConfigCase.SAMEDIFF;
    if (graph && !spec.commandLine().getParseResult().hasMatchedOption("--format")) {
      format = "samediff"; // the only export an adapted SameDiff graph has, so the default means it
    }
    if (graph || format.equals("samediff")) {
      return exportGraph(f, graph);
    }
    if (base != null) {
      throw new IllegalArgumentException("--base goes with --format samediff (an adapted SameDiff graph); "
          + model + " regenerates its base from the seed");
    }
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

  /** An adapted SameDiff graph: only the merged SameDiff file makes sense (its weights are the user's graph's). */
  private int exportGraph(ArtifactFile f, boolean graph) {
    if (!graph) {
      throw new IllegalArgumentException("--format samediff exports graphs adapted with `lottalora adapt`; " + model
          + " is a '" + f.artifact().getModel().getFamily() + "' model: use merged, base or peft");
    }
    if (!format.equals("samediff")) {
      throw new IllegalArgumentException(model + " is an adapted SameDiff graph: export it with --format samediff "
          + "(the merged graph as a SameDiff file), not " + format);
    }
    if (!dtype.equals("fp32")) {
      throw new IllegalArgumentException("--format samediff keeps the graph's own data types; drop --dtype " + dtype);
    }
    SameDiff b = base == null ? null : SourceGraph.load(base).graph();
    AdaptedGraph g = GraphArtifacts.load(f, model.toString(), b);
    g.exportMerged(out);
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "wrote %s (samediff, merged: %d adapter%s folded into the weights of %s)%n", out,
        g.spec().targets().size(), g.spec().targets().size() == 1 ? "" : "s", g.spec().source());
    o.flush();
    return 0;
  }
}
