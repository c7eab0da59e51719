package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.recurrent.RecurrentNetwork;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.Targets;
import org.lottalora.models.transformer.TextClassifier;
import org.lottalora.models.transformer.Vit;

/**
 * Shapes that cannot be built fail when the model is built, before any data is read or any step is taken, with one
 * line that names what is wrong (the width and heads, the patch and image, the convolution, the rank) and the fix.
 */
class BuildTimeChecksTest {
  private static final AdapterConfig R2 = AdapterConfig.defaults(2);

  private static void refused(Executable build, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void widthNotDivisibleByHeads() {
    refused(() -> new Vit.Spec(8, 4, 10, 4, 1, 8, 3, 0, InitSpec.DEFAULT, R2, Targets.VIT),
        "width 10 is not divisible by 4 heads", "use a width");
    refused(() -> new TextClassifier.Spec(10, 10, 4, 1, 8, 3, 0, InitSpec.DEFAULT, R2, Targets.TEXT),
        "width 10 is not divisible by 4 heads", "use a width");
    refused(() -> new ByteLm.Spec(10, 4, 1, 8, 16, 0, InitSpec.DEFAULT, R2, false),
        "width 10 is not divisible by 4 heads");
    refused(() -> new ByteLm.Spec(6, 2, 1, 8, 16, 0, InitSpec.DEFAULT, R2, false), "head width 6/2 must be even");
  }

  @Test
  void aPatchOrKernelThatDoesNotFitTheImage() {
    refused(() -> new Vit.Spec(4, 5, 8, 2, 1, 8, 3, 0, InitSpec.DEFAULT, R2, Targets.VIT),
        "patch side 5 does not divide the 4x4 image", "use a divisor of 4");
    // a 2x2 image cannot take three halvings of the CNN's feature map
    refused(() -> LottaModel.create(new ModelSpec("cnn", 4, 2, new int[] {4, 8, 16, 32}, 0, 1, InitSpec.DEFAULT, R2,
        false)), "a 2x2 image is too small", "convolution", "use fewer width changes or larger images");
  }

  @Test
  void rankZero() {
    refused(() -> AdapterConfig.defaults(0), "rank must be at least 1, got 0", "--rank 1 or more");
  }

  @Test
  void emptyLayers() {
    refused(() -> new GcnNetwork.Spec(4, new int[] {0}, 2, 0, InitSpec.DEFAULT, R2, false),
        "hidden widths must be >= 1");
    refused(() -> new RecurrentNetwork.Spec("cfc", 3, 0, 4, 2, 0, InitSpec.DEFAULT, R2, false),
        "hidden and units >= 1");
    refused(() -> new RecurrentNetwork.Spec("gru", 3, 4, 4, 2, 0, InitSpec.DEFAULT, R2, false),
        "unknown cell 'gru'; use cfc or lstm");
  }
}
