package org.lottalora.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.graph.LayerStep;
import org.lottalora.core.graph.TrainedTensor;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactInfo;
import org.lottalora.format.Safetensors;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/**
 * Writes a loaded model in formats other tools read. {@link #merged}: the full dense model (regenerated
 * backbone with adapters merged in fp32) as safetensors; {@link #base}: the regenerated backbone and heads
 * without adapters, the base model a PEFT adapter applies to; {@link #peft}: the adapters alone in PEFT's
 * layout (adapter_model.safetensors + adapter_config.json). Every file carries the seed, the generator id
 * and the source artifact's digest in its safetensors {@code __metadata__}.
 */
public final class Export {
  private Export() {}

  /** The full dense model with adapters merged, in {@code dtype} (fp32, fp16 or bf16). */
  public static void merged(LottaModel m, String sourceDigest, Path out, DType dtype) {
    Map<String, float[]> state = m.merged().state();
    write(m, state, sourceDigest, out, dtype, "merged");
  }

  /** The regenerated backbone and the fully trained tensors (heads), with no adapter applied. */
  public static void base(LottaModel m, String sourceDigest, Path out, DType dtype) {
    Map<String, float[]> values = m.graph().trainedValues();
    Map<String, float[]> state = new LinkedHashMap<>();
    for (String name : m.backbone().specs().keySet()) {
      state.put(name, m.backbone().get(name));
    }
    for (TrainedTensor t : m.graph().trained()) {
      if (t.kind() == TrainedTensor.Kind.WEIGHT || t.kind() == TrainedTensor.Kind.BIAS
          || t.kind() == TrainedTensor.Kind.STATISTIC) {
        state.put(t.name(), values.get(t.name()));
      }
    }
    write(m, state, sourceDigest, out, dtype, "base");
  }

  private static void write(LottaModel m, Map<String, float[]> state, String sourceDigest, Path out, DType dtype,
      String kind) {
    Artifact a = artifactOf(m);
    List<Safetensors.Entry> entries = new ArrayList<>();
    for (ArtifactInfo.DenseTensor t : ArtifactInfo.denseTensors(a)) {
      float[] v = state.get(t.name());
      if (v == null) {
        throw new IllegalStateException("dense tensor '" + t.name() + "' has no value: this is a bug");
      }
      entries.add(new Safetensors.Entry(t.name(), t.shape(), v));
    }
    Map<String, String> meta = ArtifactInfo.exportMetadata(a, sourceDigest, kind);
    Safetensors.write(out, entries, meta, dtype);
  }

  /**
   * The adapters in PEFT's layout in folder {@code dir}: {@code base_model.model.<layer>.lora_A.weight}
   * [r, d_in] and {@code .lora_B.weight} [d_out, r], fully trained heads and biases under their own names
   * (PEFT's modules_to_save), and the learned betas in {@code __metadata__} as {@code lottalora.beta.<layer>}:
   * PEFT has no per-layer scale of the base weight, so a PEFT user must multiply each base weight by its
   * beta (the merged export has it folded in).
   *
   * @return the betas that differ from 1 (a caller should tell the user)
   */
  public static Map<String, Float> peft(LottaModel m, String sourceDigest, Path dir) {
    if (m.spec().full()) {
      throw new IllegalArgumentException("a fully trained model has no adapters; export it with --format merged");
    }
    if (m.graph().densePlan() == null) {
      throw new IllegalArgumentException("a '" + m.spec().family() + "' model has no PEFT form (PEFT's LoRA layout "
          + "covers linear layers); export --format base");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ArtifactException(ArtifactException.Reason.IO, "cannot create folder " + dir + ": " + e.getMessage());
    }
    Map<String, float[]> values = m.graph().trainedValues();
    List<Safetensors.Entry> entries = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    List<String> saved = new ArrayList<>();
    Map<String, Float> betas = new LinkedHashMap<>();
    List<String> rankPattern = new ArrayList<>();
    List<String> alphaPattern = new ArrayList<>();
    Artifact a = artifactOf(m);
    Map<String, String> meta = ArtifactInfo.exportMetadata(a, sourceDigest, "peft");
    for (LayerStep s : m.graph().densePlan()) {
      if (!(s instanceof LayerStep.Affine aff)) {
        continue;
      }
      String layer = aff.weight().substring(0, aff.weight().length() - ".weight".length());
      if (aff.loraA() != null) {
        targets.add(layer);
        int r = values.get(aff.loraA()).length / aff.dIn();
        if (r != m.spec().adapter().rank()) { // a capped layer (AdapterConfig.effectiveRank): PEFT's per-layer form
          rankPattern.add(String.format(Locale.ROOT, "\"%s\": %d", layer, r));
          alphaPattern.add(String.format(Locale.ROOT, "\"%s\": %s", layer, num(m.spec().adapter().recordedAlpha(r))));
        }
        entries.add(new Safetensors.Entry("base_model.model." + layer + ".lora_A.weight",
            new long[] {r, aff.dIn()}, values.get(aff.loraA())));
        entries.add(new Safetensors.Entry("base_model.model." + layer + ".lora_B.weight",
            new long[] {aff.dOut(), r}, values.get(aff.loraB())));
        float beta = aff.beta() == null ? 1f : values.get(aff.beta())[0];
        meta.put("lottalora.beta." + layer, Float.toString(beta));
        if (beta != 1f) {
          betas.put(layer, beta);
        }
        if (aff.biasTrained()) {
          entries.add(new Safetensors.Entry("base_model.model." + aff.bias(), new long[] {aff.dOut()},
              values.get(aff.bias())));
        }
      } else if (aff.weightTrained()) {
        saved.add(layer);
        entries.add(new Safetensors.Entry("base_model.model." + aff.weight(), new long[] {aff.dOut(), aff.dIn()},
            values.get(aff.weight())));
        entries.add(new Safetensors.Entry("base_model.model." + aff.bias(), new long[] {aff.dOut()},
            values.get(aff.bias())));
      }
    }
    Safetensors.write(dir.resolve("adapter_model.safetensors"), entries, meta, DType.FLOAT32);
    var ac = m.spec().adapter();
    String config = String.format(Locale.ROOT, "{%n"
        + "  \"peft_type\": \"LORA\",%n"
        + "  \"task_type\": null,%n"
        + "  \"base_model_name_or_path\": null,%n"
        + "  \"r\": %d,%n"
        + "  \"lora_alpha\": %s,%n"
        + "  \"rank_pattern\": {%s},%n"
        + "  \"alpha_pattern\": {%s},%n"
        + "  \"use_rslora\": %s,%n"
        + "  \"lora_dropout\": %s,%n"
        + "  \"bias\": \"%s\",%n"
        + "  \"target_modules\": [%s],%n"
        + "  \"modules_to_save\": [%s],%n"
        + "  \"fan_in_fan_out\": false,%n"
        + "  \"inference_mode\": true,%n"
        + "  \"init_lora_weights\": true%n"
        + "}%n", ac.rank(), num(ac.alpha()), String.join(", ", rankPattern),
        String.join(", ", alphaPattern), ac.rsLora(), num(ac.dropout()), ac.trainBias() ? "lora_only" : "none",
        quoteAll(targets), quoteAll(saved));
    try {
      org.lottalora.format.AtomicFile.writeString(dir.resolve("adapter_config.json"), config);
    } catch (IOException e) {
      throw new ArtifactException(ArtifactException.Reason.IO, "cannot write " + dir.resolve("adapter_config.json")
          + ": " + e.getMessage());
    }
    return betas;
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static String quoteAll(List<String> names) {
    List<String> q = new ArrayList<>();
    names.forEach(n -> q.add("\"" + n + "\""));
    return String.join(", ", q);
  }

  private static Artifact artifactOf(LottaModel m) {
    return m.artifact() != null ? m.artifact()
        : m.toArtifact(null, new LottaModel.SaveOptions(DType.FLOAT32, null, false));
  }
}
