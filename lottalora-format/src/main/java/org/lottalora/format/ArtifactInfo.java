package org.lottalora.format;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.BackboneTensor;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.Tensor;
import org.lottalora.format.proto.TensorRole;

/**
 * What an artifact holds and what it would weigh in other forms, computed from the file alone (no ND4J, no
 * regeneration): the dense model it stands for (its tensor names and shapes), that model's size as fp32 and
 * fp16 safetensors, and the artifact's own size at each storage dtype. {@code lottalora inspect} prints it;
 * a Java app that only reads metadata can use it with lottalora-format alone on its class path.
 */
public final class ArtifactInfo {
  private ArtifactInfo() {}

  /**
   * A tensor of the dense model an artifact stands for.
   *
   * @param name tensor name (a backbone tensor, or a fully trained one)
   * @param shape canonical shape
   */
  public record DenseTensor(String name, long[] shape) {
    /** Number of values. */
    public long count() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  /**
   * The tensors of the dense model: every backbone tensor (merged with its adapter, or replaced by its trained
   * value in full mode) then every fully trained weight or bias that is not a backbone tensor (heads), in
   * artifact order. Adapter parts and betas are folded into the weights and do not appear.
   */
  public static List<DenseTensor> denseTensors(Artifact a) {
    Map<String, DenseTensor> out = new LinkedHashMap<>();
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      out.put(t.getName(), new DenseTensor(t.getName(), t.getShapeList().stream().mapToLong(Long::longValue)
          .toArray()));
    }
    for (Tensor t : a.getTensorsList()) {
      if ((t.getRole() == TensorRole.WEIGHT || t.getRole() == TensorRole.BIAS) && !out.containsKey(t.getName())) {
        out.put(t.getName(), new DenseTensor(t.getName(), TensorCodec.shapeOf(t)));
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Parameters of the dense model. */
  public static long denseParams(Artifact a) {
    long n = 0;
    for (DenseTensor t : denseTensors(a)) {
      n = Math.addExact(n, t.count());
    }
    return n;
  }

  /** Values stored in the artifact's tensors (trained parameters). */
  public static long storedParams(Artifact a) {
    long n = 0;
    for (Tensor t : a.getTensorsList()) {
      n += TensorCodec.count(TensorCodec.shapeOf(t), t.getName(), "artifact");
    }
    return n;
  }

  /**
   * The {@code __metadata__} an export of this artifact carries: seed, generator, producer, family, the input
   * normalization, source digest and the kind of export (merged, base, peft).
   */
  public static Map<String, String> exportMetadata(Artifact a, String sourceDigestHex, String kind) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", "pt");
    m.put("lottalora.producer", a.getProducer());
    m.put("lottalora.generator", a.getBackbone().getGenerator());
    m.put("lottalora.seed", Long.toString(a.getBackbone().getSeed()));
    m.put("lottalora.family", a.getModel().getFamily());
    // the model sees (x - mean) / std: a reader of the dense weights needs it to reproduce predictions
    m.put("lottalora.input_mean", Float.toString(a.hasNormalization() ? a.getNormalization().getMean() : 0f));
    m.put("lottalora.input_std", Float.toString(a.hasNormalization() ? a.getNormalization().getStd() : 1f));
    m.put("lottalora.source_sha256", sourceDigestHex);
    m.put("lottalora.export", kind);
    return m;
  }

  /**
   * Bytes of the dense model as safetensors in {@code dtype} (fp32, fp16 or bf16), header included: exactly
   * what {@code lottalora export --format merged} writes.
   */
  public static long denseSafetensorsBytes(Artifact a, DType dtype) {
    List<Safetensors.Entry> entries = new ArrayList<>();
    for (DenseTensor t : denseTensors(a)) {
      entries.add(new Safetensors.Entry(t.name(), t.shape(), null));
    }
    return Safetensors.size(entries, exportMetadata(a, "0".repeat(64), "merged"), dtype);
  }

  /** The artifact re-encoded with every tensor stored under {@code dtype} (the {@code convert} operation). */
  public static Artifact withDtype(Artifact a, DType dtype, String where) {
    Artifact.Builder b = a.toBuilder().clearTensors();
    for (Tensor t : a.getTensorsList()) {
      if (TensorCodec.storedAs(dtype, TensorCodec.shapeOf(t)) == t.getDtype()) {
        b.addTensors(t);
      } else {
        b.addTensors(TensorCodec.encode(t.getName(), TensorCodec.shapeOf(t), t.getRole(),
            TensorCodec.decode(t, where), dtype));
      }
    }
    return b.build();
  }

  /**
   * The {@code convert} operation: the artifact with its matrices stored as {@code dtype} and a history line
   * saying so (from which dtypes, by whom, when). Converting to a wider dtype does not restore precision.
   */
  public static Artifact converted(Artifact a, DType dtype, String producer, String where) {
    Set<DType> from = dtypes(a);
    List<String> names = new ArrayList<>();
    from.forEach(d -> names.add(TensorCodec.shortName(d)));
    return withDtype(a, dtype, where).toBuilder().addHistory("converted to " + TensorCodec.shortName(dtype)
        + " (from " + String.join("+", names) + ") by " + producer + " at " + java.time.Instant.now()).build();
  }

  /** The size in bytes of the (unsigned) artifact at each storage dtype. */
  public static Map<DType, Long> sizesByDtype(Artifact a, String where) {
    Map<DType, Long> out = new EnumMap<>(DType.class);
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT8)) {
      try {
        out.put(d, (long) ArtifactCodec.encode(withDtype(a, d, where)).length);
      } catch (IllegalArgumentException e) {
        out.put(d, -1L); // not representable (fp16 range)
      }
    }
    return out;
  }

  /** The storage dtypes the artifact's tensors use. */
  public static Set<DType> dtypes(Artifact a) {
    Set<DType> s = new LinkedHashSet<>();
    a.getTensorsList().forEach(t -> s.add(t.getDtype()));
    return s;
  }
}
