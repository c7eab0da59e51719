package org.lottalora.core.backbone;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.BackboneTensor;

/**
 * The artifact's record of a regenerated backbone (generator, seed, every tensor's spec and fingerprint) and every
 * check a loader runs on it, in one order: the generator ({@link #checkGenerator}), the records against the
 * tensors the model spec gives ({@link #checkBackboneRecords}), the fingerprints before regenerating
 * ({@link #precheckFingerprints}) and after ({@link #checkFingerprints}), then the trained tensors
 * ({@link #trainedTensors}). Every family's loader, the related-work models' included, goes through here: it
 * depends on the backbone stream and the format only.
 */
public final class BackboneRecord {
  private BackboneRecord() {}

  /** Values sampled per backbone tensor for its fingerprint. */
  public static final int FINGERPRINT_VALUES = 64;

  /** The artifact's form of an init spec. */
  public static org.lottalora.format.proto.InitSpec init(InitSpec s) {
    return org.lottalora.format.proto.InitSpec.newBuilder().setFamily(s.family().id())
        .putAllParams(s.params()).build();
  }

  public static InitSpec init(org.lottalora.format.proto.InitSpec p, String where) {
    try {
      return new InitSpec(InitFamily.byId(p.getFamily()), new TreeMap<>(p.getParamsMap()));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + e.getMessage());
    }
  }

  /**
   * SHA-256 of {@value #FINGERPRINT_VALUES} values at indices {@code floor(k * n / 64)}, k = 0..63 (all values
   * when n is at most 64), as fp32 little-endian: cheap, spread over the tensor, and any generator or spec
   * mismatch changes it.
   */
  public static byte[] fingerprint(float[] v) {
    long[] at = fingerprintIndices(v.length);
    float[] sampled = new float[at.length];
    for (int k = 0; k < at.length; k++) {
      sampled[k] = v[(int) at[k]];
    }
    return fingerprintOfSampled(sampled);
  }

  /** The indices of a tensor of {@code n} values that its fingerprint covers. */
  public static long[] fingerprintIndices(long n) {
    int m = (int) Math.min(FINGERPRINT_VALUES, n);
    long[] at = new long[m];
    for (int k = 0; k < m; k++) {
      at[k] = n <= FINGERPRINT_VALUES ? k : k * n / FINGERPRINT_VALUES;
    }
    return at;
  }

  private static byte[] fingerprintOfSampled(float[] sampled) {
    ByteBuffer b = ByteBuffer.allocate(4 * sampled.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : sampled) {
      b.putFloat(x);
    }
    return sha256().digest(b.array());
  }

  /**
   * Regenerates the backbone {@code a} records, checking fingerprints twice: before ({@link #precheckFingerprints})
   * and on the regenerated values ({@link #checkFingerprints}).
   *
   * @throws ArtifactException {@link Reason#FINGERPRINT_MISMATCH} naming the first tensor that disagrees
   */
  public static Backbone regenerateChecked(Artifact a, long seed, List<TensorSpec> specs, int threads,
      String where) {
    precheckFingerprints(a, seed, specs, where);
    Backbone bb = Backbone.regenerate(seed, specs, threads);
    checkFingerprints(a, bb, where);
    return bb;
  }

  /**
   * Checks each recorded tensor's fingerprint from its {@value #FINGERPRINT_VALUES} fingerprinted values computed
   * alone, before any tensor is regenerated (element-local families; global ones wait for {@link
   * #checkFingerprints}): a file whose fingerprints lie is refused in microseconds, not after regenerating a backbone
   * it may have made as large as the heap allows.
   *
   * @throws ArtifactException {@link Reason#FINGERPRINT_MISMATCH} naming the first tensor that disagrees
   */
  public static void precheckFingerprints(Artifact a, long seed, List<TensorSpec> specs, String where) {
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    specs.forEach(t -> byName.put(t.name(), t));
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      TensorSpec spec = byName.get(t.getName());
      if (spec == null || spec.init().family().isGlobal()) {
        continue; // a stranger is refused by the record checks; a global tensor is checked once regenerated
      }
      byte[] sampled = fingerprintOfSampled(
          org.lottalora.core.backbone.Initializer.valuesAt(seed, spec, fingerprintIndices(spec.size())));
      if (!Arrays.equals(t.getFingerprint().toByteArray(), sampled)) {
        throw mismatch(where, t.getName());
      }
    }
  }

  private static ArtifactException mismatch(String where, String tensor) {
    return new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": backbone tensor '" + tensor
        + "' does not regenerate to the values it was trained on (generator or init spec mismatch)");
  }

  /** SHA-256 of every backbone tensor's values, in declaration order, as fp32 little-endian. */
  public static byte[] fullHash(Backbone bb) {
    MessageDigest md = sha256();
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (String name : bb.specs().keySet()) {
      for (float x : bb.get(name)) {
        if (!chunk.hasRemaining()) {
          md.update(chunk.array(), 0, chunk.position());
          chunk.clear();
        }
        chunk.putFloat(x);
      }
    }
    md.update(chunk.array(), 0, chunk.position());
    return md.digest();
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The recorded backbone tensors must be exactly the model's, with the same shapes, init specs and fans (checked
   * before anything is regenerated).
   */
  public static void checkBackboneRecords(Artifact a, List<TensorSpec> tensors, String where) {
    Map<String, BackboneTensor> stored = new LinkedHashMap<>();
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (stored.put(t.getName(), t) != null) {
        throw new ArtifactException(Reason.MALFORMED, where + ": backbone tensor '" + t.getName()
            + "' is recorded twice");
      }
    }
    Set<String> expected = new HashSet<>();
    for (TensorSpec t : tensors) {
      expected.add(t.name());
      BackboneTensor s = stored.get(t.name());
      if (s == null) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": backbone tensor '" + t.name()
            + "' is not recorded");
      }
      long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
      if (!Arrays.equals(shape, s.getShapeList().stream().mapToLong(Long::longValue).toArray())) {
        throw new ArtifactException(Reason.SHAPE_MISMATCH, where + ": backbone tensor '" + t.name()
            + "' is recorded with shape " + s.getShapeList() + ", the model spec gives " + Arrays.toString(shape));
      }
      if (!init(s.getInit(), where).equals(t.init()) || s.getFanIn() != t.fanIn()
          || s.getFanOut() != t.fanOut()) {
        throw new ArtifactException(Reason.FINGERPRINT_MISMATCH, where + ": backbone tensor '" + t.name()
            + "' is recorded with init " + s.getInit().getFamily() + " fan-in " + s.getFanIn()
            + ", the model spec gives " + t.init().canonical() + " fan-in " + t.fanIn());
      }
    }
    for (String name : stored.keySet()) {
      if (!expected.contains(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": backbone tensor '" + name + "' is not "
            + "part of a " + a.getModel().getFamily() + " model of this spec");
      }
    }
  }

  /** Every regenerated backbone tensor must hash to the fingerprint recorded at save time. */
  public static void checkFingerprints(Artifact a, Backbone bb, String where) {
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (!Arrays.equals(t.getFingerprint().toByteArray(), fingerprint(bb.get(t.getName())))) {
        throw mismatch(where, t.getName());
      }
    }
  }

  /**
   * One regenerated tensor must hash to its recorded fingerprint: a loader that regenerates tensor by tensor checks
   * each as it is made.
   */
  public static void checkFingerprint(Artifact a, String name, float[] values, String where) {
    checkRecorded(a, name, fingerprint(values), where);
  }

  /**
   * {@link #checkFingerprint} from the values at {@link #fingerprintIndices} alone, for a loader that never holds the
   * tensor whole.
   */
  public static void checkSampledFingerprint(Artifact a, String name, float[] sampled, String where) {
    checkRecorded(a, name, fingerprintOfSampled(sampled), where);
  }

  private static void checkRecorded(Artifact a, String name, byte[] fingerprint, String where) {
    for (BackboneTensor t : a.getBackbone().getTensorsList()) {
      if (t.getName().equals(name)) {
        if (!Arrays.equals(t.getFingerprint().toByteArray(), fingerprint)) {
          throw mismatch(where, name);
        }
        return;
      }
    }
    throw new ArtifactException(Reason.MALFORMED, where + ": backbone tensor '" + name + "' has no record");
  }

  /** The artifact's record of a regenerated backbone: generator, seed, every tensor's spec and fingerprint. */
  public static org.lottalora.format.proto.Backbone.Builder backboneRecord(long seed, InitSpec init, Backbone backbone,
      boolean fullHash) {
    org.lottalora.format.proto.Backbone.Builder bb = org.lottalora.format.proto.Backbone.newBuilder()
        .setGenerator(Backbone.GENERATOR_ID).setSeed(seed).setInit(init(init));
    for (TensorSpec t : backbone.specs().values()) {
      org.lottalora.format.proto.BackboneTensor.Builder b = org.lottalora.format.proto.BackboneTensor.newBuilder()
          .setName(t.name()).setInit(init(t.init())).setFanIn(t.fanIn()).setFanOut(t.fanOut())
          .setFingerprint(ByteString.copyFrom(fingerprint(backbone.get(t.name()))));
      for (int d : t.shape()) {
        b.addShape(d);
      }
      bb.addTensors(b);
    }
    if (fullHash) {
      bb.setFullSha256(ByteString.copyFrom(fullHash(backbone)));
    }
    return bb;
  }

  /**
   * The artifact's trained tensors, decoded, checked against the arrays the model {@code expected} (same names,
   * same lengths, none missing).
   *
   * @param what the model, for the error ("this ViT")
   * @throws ArtifactException naming the first stranger, wrong length or missing tensor
   */
  public static Map<String, float[]> trainedTensors(Artifact a, Map<String, float[]> expected, String where,
      String what) {
    Map<String, float[]> stored = new java.util.HashMap<>();
    for (org.lottalora.format.proto.Tensor t : a.getTensorsList()) {
      float[] v = org.lottalora.format.TensorCodec.decode(t, where);
      float[] want = expected.get(t.getName());
      if (want == null || want.length != v.length) {
        throw new ArtifactException(want == null ? Reason.MISSING_TENSOR : Reason.SHAPE_MISMATCH, where
            + ": tensor '" + t.getName() + "' " + (want == null ? "is not part of " + what
            : "has " + v.length + " values, the model needs " + want.length));
      }
      stored.put(t.getName(), v);
    }
    for (String name : expected.keySet()) {
      if (!stored.containsKey(name)) {
        throw new ArtifactException(Reason.MISSING_TENSOR, where + ": no '" + name + "' tensor");
      }
    }
    return stored;
  }

  /** Refuses an artifact whose backbone needs a generator this build does not have. */
  public static void checkGenerator(Artifact a, String where) {
    if (!Backbone.GENERATOR_ID.equals(a.getBackbone().getGenerator())) {
      throw new ArtifactException(Reason.UNKNOWN_GENERATOR, where + " needs backbone generator '"
          + a.getBackbone().getGenerator() + "'; this build has only '" + Backbone.GENERATOR_ID + "'");
    }
  }
}
