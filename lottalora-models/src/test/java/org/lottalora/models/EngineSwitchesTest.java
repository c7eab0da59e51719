package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GraphModel;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.Targets;

/**
 * A hand-engine artifact whose adapter record or full flag claims what the family does not implement would
 * load as another model than it says: each such file is refused by name, never loaded silently.
 */
class EngineSwitchesTest {
  @TempDir
  Path dir;

  private Path lm() {
    ByteLm.Spec s = new ByteLm.Spec(8, 2, 1, 12, 16, 11, InitSpec.DEFAULT, new AdapterConfig(2, 2.0, false, true, 0,
        false, 3), Targets.LM);
    Path file = dir.resolve("lm.lotta");
    new LmModel(new ByteLm(s), "", "none", 0.1, 16, Double.NaN).save(file, null, DType.FLOAT32, null);
    return file;
  }

  private static Path altered(Path file, java.util.function.UnaryOperator<Artifact.Builder> change) {
    Artifact.Builder b = ArtifactCodec.read(file).toBuilder();
    Path out = file.resolveSibling("altered-" + file.getFileName());
    ArtifactCodec.write(change.apply(b).build(), out);
    return out;
  }

  @Test
  void transformerRecordsWithSwitchesItDoesNotImplementAreRefused() {
    Path file = lm();
    LmModel.load(file); // the untouched file loads
    // DoRA the Transformers implement (and save): a plain file flagged dora lacks the magnitudes it then needs
    Path flagged = altered(file, b -> b.setAdapter(b.getAdapter().toBuilder().setDora(true)));
    ArtifactException missing = assertThrows(ArtifactException.class, () -> LmModel.load(flagged));
    assertTrue(missing.getMessage().contains("dora_m"), missing.getMessage());
    for (String sw : new String[] {"residual", "layer_norm", "train_bias"}) {
      Path bad = altered(file, b -> {
        var a = b.getAdapter().toBuilder();
        switch (sw) {
          case "residual" -> a.setResidual(true);
          case "layer_norm" -> a.setLayerNorm(true);
          default -> a.setTrainBias(true);
        }
        return b.setAdapter(a);
      });
      ArtifactException e = assertThrows(ArtifactException.class, () -> LmModel.load(bad));
      assertTrue(e.getMessage().contains("sets " + sw) && e.getMessage().contains("does not implement"),
          e.getMessage());
    }
    Path full = altered(file, b -> b.setModel(b.getModel().toBuilder().setFull(true)));
    ArtifactException e = assertThrows(ArtifactException.class, () -> LmModel.load(full));
    assertTrue(e.getMessage().contains("ModelSpec.full is true"), e.getMessage());
  }

  @Test
  void graphRecordsThatTrainBiasesAreRefused() {
    GcnNetwork.Spec s = new GcnNetwork.Spec(3, new int[] {4}, 2, 13, InitSpec.DEFAULT,
        new AdapterConfig(2, 2.0, false, true, 0, false, 3), false);
    Path file = dir.resolve("g.lotta");
    GraphModel.create(new GraphModel.Setup("gcn", s, "none", 1, 0.6, 0.2)).save(file, null, null);
    GraphModel.load(file);
    Path bad = altered(file, b -> b.setAdapter(b.getAdapter().toBuilder().setTrainBias(true)));
    ArtifactException e = assertThrows(ArtifactException.class, () -> GraphModel.load(bad));
    assertTrue(e.getMessage().contains("sets train_bias"), e.getMessage());
  }
}
