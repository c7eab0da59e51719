package org.lottalora.models;

import java.nio.file.Path;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.ModelSpec.ConfigCase;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.graph.GraphModel;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.reservoir.ReservoirModel;
import org.lottalora.models.snn.SnnArtifact;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.TextModel;
import org.lottalora.models.transformer.VitModel;

/**
 * Loads an artifact of any family this build makes with the loader its family needs ({@link LottaModel} for the
 * SameDiff families, {@link LmModel}, {@link VitModel}, {@link TextModel}, {@link GraphModel},
 * {@link RecurrentModel} (also for a CfC written by the former SameDiff family {@code cfc}), {@link ReservoirModel},
 * {@link SnnArtifact}, {@link GraphArtifacts} for adapted SameDiff graphs), so tools that only check or re-store an artifact (verify, convert) need not know them all.
 * Every loader regenerates the scaffold and checks its fingerprints and the trained tensors (a pretrained-base
 * graph is refused here, naming the base model it needs, since these tools take no base).
 */
public final class AnyModel {
  private AnyModel() {
  }

  /** Reads a file under a trust policy and loads it with its family's loader ({@link #load(ArtifactFile, String)}). */
  public static Object load(Path path, TrustPolicy trust) {
    return load(ArtifactCodec.open(path, trust), path.toString());
  }

  /** The loaded model (its class depends on the family). */
  public static Object load(ArtifactFile f, String where) {
    ConfigCase c = f.artifact().hasModel() ? f.artifact().getModel().getConfigCase() : ConfigCase.CONFIG_NOT_SET;
    return switch (c) {
      case LM -> LmModel.load(f, where);
      case VIT -> VitModel.load(f, where);
      case TEXT -> TextModel.load(f, where);
      case GRAPH -> GraphModel.load(f, where);
      case SEQUENCE -> RecurrentModel.load(f, where);
      case RESERVOIR -> ReservoirModel.load(f, where);
      case SNN -> SnnArtifact.load(f, where);
      // a pretrained-base graph needs its base model: the loader refuses it in one line naming --base
      case SAMEDIFF -> GraphArtifacts.load(f, where, null);
      // a family that writes its settings (FamilyArtifact): its registered loader, or a one-line refusal when it is
      // not on this class path
      case SETTINGS -> org.lottalora.core.family.FamilyRegistry.of(f).map(fam -> fam.load(f, where)).orElseThrow(
          () -> new org.lottalora.format.ArtifactException(
          org.lottalora.format.ArtifactException.Reason.UNKNOWN_FAMILY, where + " is a model of family '"
          + f.artifact().getModel().getFamily() + "', which is not registered in this build: put its package on the "
          + "class path (with its line in META-INF/services/org.lottalora.core.family.Family)"));
      // a CfC of the former SameDiff family (an mlp config): its tensors map onto the recurrent engine
      default -> RecurrentModel.isRecurrent(f.artifact()) ? RecurrentModel.load(f, where)
          : LottaModel.load(f, where);
    };
  }

  /** Whether the artifact is one of {@link LottaModel}'s families (dense / SameDiff). */
  public static boolean isLottaModel(ArtifactFile f) {
    return isLottaModel(f.artifact());
  }

  /** Whether the artifact is one of {@link LottaModel}'s families (dense / SameDiff). */
  public static boolean isLottaModel(org.lottalora.format.proto.Artifact a) {
    if (RecurrentModel.isRecurrent(a)) {
      return false;
    }
    return !a.hasModel() || switch (a.getModel().getConfigCase()) {
      case LM, VIT, TEXT, GRAPH, SEQUENCE, RESERVOIR, SNN, SAMEDIFF, SETTINGS -> false;
      default -> true;
    };
  }
}
