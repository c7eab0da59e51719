package org.lottalora.format;

import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.BackboneTensor;
import org.lottalora.format.proto.Tensor;

/**
 * Compares two artifacts from their files alone: do they stand on the same backbone (generator, seed, every
 * tensor's shape, init and fingerprint), how do their specs differ, and which trained tensors differ and by
 * how much (max absolute and relative L2 difference of the decoded fp32 values).
 *
 * @param sameBackbone true if both regenerate the same frozen tensors
 * @param backboneDifferences what differs in the backbone, one line each (empty when the same)
 * @param specDifferences differing model spec, adapter settings or normalization, one line each
 * @param tensors one entry per tensor name in either artifact, in order of first appearance
 */
public record ArtifactDiff(boolean sameBackbone, List<String> backboneDifferences, List<String> specDifferences,
    List<TensorDiff> tensors) {

  /** How one tensor compares. */
  public enum Status { EQUAL, DIFFERS, SHAPE_DIFFERS, ONLY_IN_A, ONLY_IN_B }

  /**
   * One tensor's comparison.
   *
   * @param name tensor name
   * @param status how it compares
   * @param maxAbs largest absolute difference of decoded values (NaN unless both have the same shape)
   * @param relL2 ||a - b|| / ||a|| (NaN unless both have the same shape; infinity when a is zero and b not)
   * @param dtypeA storage dtype in A ("" if absent)
   * @param dtypeB storage dtype in B ("" if absent)
   */
  public record TensorDiff(String name, Status status, double maxAbs, double relL2, String dtypeA, String dtypeB) {}

  /** True if everything compared is identical. */
  public boolean identical() {
    return sameBackbone && specDifferences.isEmpty()
        && tensors.stream().allMatch(t -> t.status() == Status.EQUAL);
  }

  /** Compares {@code a} with {@code b}. */
  public static ArtifactDiff of(Artifact a, Artifact b) {
    List<String> bb = new ArrayList<>();
    if (!a.getBackbone().getGenerator().equals(b.getBackbone().getGenerator())) {
      bb.add("generator " + a.getBackbone().getGenerator() + " vs " + b.getBackbone().getGenerator());
    }
    if (a.getBackbone().getSeed() != b.getBackbone().getSeed()) {
      bb.add("seed " + a.getBackbone().getSeed() + " vs " + b.getBackbone().getSeed());
    }
    Map<String, BackboneTensor> ta = new LinkedHashMap<>();
    a.getBackbone().getTensorsList().forEach(t -> ta.put(t.getName(), t));
    Map<String, BackboneTensor> tb = new LinkedHashMap<>();
    b.getBackbone().getTensorsList().forEach(t -> tb.put(t.getName(), t));
    Set<String> names = new LinkedHashSet<>(ta.keySet());
    names.addAll(tb.keySet());
    for (String n : names) {
      BackboneTensor x = ta.get(n);
      BackboneTensor y = tb.get(n);
      if (x == null || y == null) {
        bb.add("backbone tensor " + n + " only in " + (x == null ? "B" : "A"));
      } else if (!x.getShapeList().equals(y.getShapeList())) {
        bb.add("backbone tensor " + n + " shape " + x.getShapeList() + " vs " + y.getShapeList());
      } else if (!x.getInit().equals(y.getInit()) || !x.getFingerprint().equals(y.getFingerprint())) {
        bb.add("backbone tensor " + n + " values differ (init " + x.getInit().getFamily() + " vs "
            + y.getInit().getFamily() + ")");
      }
    }
    if (bb.isEmpty() && !a.getBackbone().getFullSha256().isEmpty() && !b.getBackbone().getFullSha256().isEmpty()
        && !a.getBackbone().getFullSha256().equals(b.getBackbone().getFullSha256())) {
      bb.add("full backbone hash differs");
    }
    List<String> spec = new ArrayList<>();
    compare(spec, "model", a.getModel(), b.getModel());
    compare(spec, "adapter", a.getAdapter(), b.getAdapter());
    compare(spec, "normalization", a.getNormalization(), b.getNormalization());
    Map<String, Tensor> xa = new LinkedHashMap<>();
    a.getTensorsList().forEach(t -> xa.put(t.getName(), t));
    Map<String, Tensor> xb = new LinkedHashMap<>();
    b.getTensorsList().forEach(t -> xb.put(t.getName(), t));
    Set<String> all = new LinkedHashSet<>(xa.keySet());
    all.addAll(xb.keySet());
    List<TensorDiff> out = new ArrayList<>();
    for (String n : all) {
      Tensor x = xa.get(n);
      Tensor y = xb.get(n);
      String da = x == null ? "" : TensorCodec.shortName(x.getDtype());
      String db = y == null ? "" : TensorCodec.shortName(y.getDtype());
      if (x == null || y == null) {
        out.add(new TensorDiff(n, x == null ? Status.ONLY_IN_B : Status.ONLY_IN_A, Double.NaN, Double.NaN, da, db));
        continue;
      }
      if (!x.getShapeList().equals(y.getShapeList())) {
        out.add(new TensorDiff(n, Status.SHAPE_DIFFERS, Double.NaN, Double.NaN, da, db));
        continue;
      }
      float[] u = TensorCodec.decode(x, "A");
      float[] v = TensorCodec.decode(y, "B");
      double max = 0;
      double num = 0;
      double den = 0;
      for (int i = 0; i < u.length; i++) {
        double d = (double) u[i] - v[i];
        max = Math.max(max, Math.abs(d));
        num += d * d;
        den += (double) u[i] * u[i];
      }
      double rel = num == 0 ? 0 : den == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(num / den);
      out.add(new TensorDiff(n, max == 0 ? Status.EQUAL : Status.DIFFERS, max, rel, da, db));
    }
    return new ArtifactDiff(bb.isEmpty(), bb, spec, out);
  }

  private static void compare(List<String> out, String what, com.google.protobuf.Message x,
      com.google.protobuf.Message y) {
    if (!Objects.equals(x, y)) {
      out.add(what + ": {" + TextFormat.shortDebugString(x) + "} vs {" + TextFormat.shortDebugString(y) + "}");
    }
  }
}
