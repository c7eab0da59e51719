package org.lottalora.models.transformer;

import org.lottalora.core.backbone.BackboneRecord;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Map;
import org.lottalora.core.data.Normalization;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactException.Reason;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.format.proto.VitConfig;
import org.lottalora.models.EngineArtifacts;
import org.lottalora.core.train.TrainingRecord;
import org.lottalora.core.engine.MatrixMode;

/**
 * A ViT classifier as an application uses it: load the artifact (scaffold regenerated from the seed, fingerprints
 * checked, trained arrays put back), then {@link #probabilities} of raw pixel rows. Saves as "seed + adapters"
 * (plus the embeddings and head, trained in full) with the pixel normalisation it was trained with.
 *
 * @param vit the network with its trained values
 * @param data the dataset it was trained on
 * @param splitSeed seed of the split
 * @param maxTrain training images used (0: all)
 * @param pixels the normalisation its inputs get
 */
public record VitModel(Vit vit, String data, long splitSeed, int maxTrain, Normalization pixels) {
  /** Family id in the artifact. */
  public static final String FAMILY = "vit";

  /** Class probabilities [n][classes] of raw pixel rows (side x side each). */
  public float[][] probabilities(float[][] raw) {
    float[][] x = new float[raw.length][];
    for (int i = 0; i < raw.length; i++) {
      x[i] = new float[raw[i].length];
      for (int j = 0; j < raw[i].length; j++) {
        x[i][j] = (raw[i][j] - pixels.mean()) / pixels.std();
      }
    }
    return vit.probabilities(x);
  }

  /**
   * Writes the model atomically (matrices as {@code dtype}; signed with {@code key} when not null) with its
   * training record ({@link VitTrainer#record}; null: saved untrained).
   */
  public void save(Path path, TrainingRecord record, DType dtype, PrivateKey key) {
    Vit.Spec s = vit.spec();
    VitConfig.Builder c = VitConfig.newBuilder().setSide(s.side()).setPatch(s.patch()).setWidth(s.d())
        .setHeads(s.heads()).setLayers(s.layers()).setMlpHidden(s.hidden())
        .setAttentionMode(s.targets().attention().id())
        .setMlpMode(s.targets().mlp().id()).setData(data)
        .setSplitSeed(splitSeed).setMaxTrain(maxTrain).setPixelMean(pixels.mean()).setPixelStd(pixels.std());
    Map<String, float[]> values = vit.trained();
    EngineArtifacts.write(path, s.seed(), s.init(), vit.backbone(), org.lottalora.format.proto.ModelSpec
        .newBuilder().setFamily(FAMILY).setInputDim(s.side() * s.side()).setClasses(s.classes()).setFull(s.full())
        .setVit(c), s.adapter(), values,
        name -> EngineArtifacts.shapeFromBackbone(vit.backbone(), name, values.get(name).length),
        record == null ? TrainingRecord.untrained(data) : record, s.modelValues(), dtype, key);
  }

  /** Loads and verifies a ViT. */
  public static VitModel load(Path path) {
    return load(ArtifactCodec.open(path), path.toString());
  }

  /**
   * Loads under a trust policy: the file is read once, its signer checked against {@code trust}, and only
   * then parsed (see {@link ArtifactCodec#open(Path, TrustPolicy)}).
   *
   * @throws org.lottalora.format.ArtifactException also {@code UNSIGNED} or {@code WRONG_KEY} when the policy
   *     trusts keys and the file is unsigned or signed by another key
   */
  public static VitModel load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** The model an opened artifact describes. */
  public static VitModel load(ArtifactFile file, String where) {
    Artifact a = file.artifact();
    org.lottalora.format.proto.ModelSpec m = EngineArtifacts.require(a,
        org.lottalora.format.proto.ModelSpec.ConfigCase.VIT, where, "ViT");
    VitConfig c = m.getVit();
    org.lottalora.format.proto.AdapterConfig pa = a.getAdapter();
    Vit.Spec spec;
    Normalization pixels;
    try {
      spec = new Vit.Spec(c.getSide(), c.getPatch(), c.getWidth(), c.getHeads(), c.getLayers(), c.getMlpHidden(),
          m.getClasses(), a.getBackbone().getSeed(), BackboneRecord.init(a.getBackbone().getInit(), where),
          EngineArtifacts.adapter(pa), new Targets(MatrixMode.parse(c.getAttentionMode()),
              MatrixMode.parse(c.getMlpMode())));
      EngineArtifacts.checkFull(m.getFull(), spec.full());
      pixels = new Normalization((float) c.getPixelMean(), (float) c.getPixelStd());
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(Reason.MALFORMED, where + ": invalid ViT spec: " + e.getMessage());
    }
    Vit vit = new Vit(spec, EngineArtifacts.scaffold(a, spec.seed(), Vit.tensors(spec),
        Runtime.getRuntime().availableProcessors(), where));
    vit.restore(EngineArtifacts.trained(a, vit.trained(), where, "this ViT"));
    return new VitModel(vit, c.getData(), c.getSplitSeed(), c.getMaxTrain(), pixels);
  }
}
