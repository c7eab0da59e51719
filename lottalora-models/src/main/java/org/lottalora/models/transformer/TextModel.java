package org.lottalora.models.transformer;

import org.lottalora.core.backbone.BackboneRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.TextConfig;
import org.lottalora.models.EngineArtifacts;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.engine.MatrixMode;

/**
 * A Transformer text classifier as an application uses it:
 *
 * <pre>{@code
 * TextModel m = TextModel.load(Path.of("reviews.lotta"));
 * Map<String, Float> p = m.classify("a gripping, beautifully shot film");
 * }</pre>
 *
 * Saves as "seed + adapters" (with the embeddings and head) and the label names.
 *
 * @param model the network with its trained values
 * @param classes label names, index order
 * @param data the CSV it was trained on
 * @param splitSeed seed of the split
 * @param truncate whether texts longer than the context were cut
 */
public record TextModel(TextClassifier model, List<String> classes, String data, long splitSeed,
    boolean truncate) {
  /** Family id in the artifact. */
  public static final String FAMILY = "text-encoder";

  /**
   * Probability of each label for one text.
   *
   * @throws IllegalArgumentException for an empty text, or a longer one than the context unless the model was
   *     trained with truncation (then its first bytes are used)
   */
  public Map<String, Float> classify(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int max = model.spec().maxLen();
    if (b.length > max && truncate) {
      b = java.util.Arrays.copyOf(b, max);
    }
    float[] p = model.probabilities(new int[][] {ByteCorpus.tokens(b, 0, b.length)})[0];
    Map<String, Float> m = new java.util.LinkedHashMap<>();
    for (int k = 0; k < p.length; k++) {
      m.put(classes.get(k), p[k]);
    }
    return m;
  }

  /**
   * Writes the model atomically (matrices as {@code dtype}; signed with {@code key} when not null) with its
   * training record ({@link TextTrainer#record}; null: saved untrained).
   */
  public void save(Path path, TrainingRecord record, DType dtype, PrivateKey key) {
    TextClassifier.Spec s = model.spec();
    TextConfig.Builder c = TextConfig.newBuilder().setMaxLen(s.maxLen()).setWidth(s.d()).setHeads(s.heads())
        .setLayers(s.layers()).setMlpHidden(s.hidden())
        .setAttentionMode(s.targets().attention().id())
        .setMlpMode(s.targets().mlp().id()).addAllClasses(classes)
        .setData(data).setSplitSeed(splitSeed).setTruncate(truncate);
    Map<String, float[]> values = model.trained();
    EngineArtifacts.write(path, s.seed(), s.init(), model.backbone(), org.lottalora.format.proto.ModelSpec
        .newBuilder().setFamily(FAMILY).setInputDim(ByteLm.VOCAB).setClasses(s.classes()).setFull(s.full())
        .setText(c), s.adapter(), values,
        name -> EngineArtifacts.shapeFromBackbone(model.backbone(), name, values.get(name).length),
        record == null ? TrainingRecord.untrained(data) : record, s.modelValues(), dtype, key);
  }

  /** Loads and verifies a text classifier. */
  public static TextModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static TextModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** The model an opened artifact describes. */
  public static TextModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    org.lottalora.format.proto.ModelSpec m = EngineArtifacts.require(a,
        org.lottalora.format.proto.ModelSpec.ConfigCase.TEXT, where, "Transformer text classifier");
    TextConfig c = m.getText();
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    TextClassifier.Spec spec;
    try {
      spec = new TextClassifier.Spec(c.getMaxLen(), c.getWidth(), c.getHeads(), c.getLayers(), c.getMlpHidden(),
          m.getClasses(), a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where),
          EngineArtifacts.adapter(pa), new Targets(MatrixMode.parse(c.getAttentionMode()),
              MatrixMode.parse(c.getMlpMode())));
      EngineArtifacts.checkFull(m.getFull(), spec.full());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid text classifier spec: " + e.getMessage());
    }
    if (c.getClassesCount() != spec.classes()) {
      throw new ArtifactException(Reason.MALFORMED, where + ": " + c.getClassesCount() + " label names for "
          + spec.classes() + " classes");
    }
    TextClassifier model = new TextClassifier(spec, EngineArtifacts.scaffold(a, spec.seed(),
        TextClassifier.tensors(spec), Runtime.getRuntime().availableProcessors(), where));
    model.restore(EngineArtifacts.trained(a, model.trained(), where, "this classifier"));
    return new TextModel(model, List.copyOf(c.getClassesList()), c.getData(), c.getSplitSeed(), c.getTruncate());
  }
}
