package org.lottalora.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/**
 * Builds the worked-example artifact of lottalora-format/docs/artifact-format.md: a 4-3-3 MLP at rank 1
 * with fixed, human-readable trained values and no time stamp, so the same code always writes the same bytes
 * (FixtureTest checks that the checked-in file still equals them). Run {@code main} with the docs/fixtures
 * folder to refresh the file and its expected outputs after a deliberate format change.
 */
final class FixtureTool {
  static final float[] INPUT = {1f, 2f, 3f, 4f};

  private FixtureTool() {}

  static ModelSpec spec() {
    return new ModelSpec("mlp", 4, 3, new int[] {3}, 0.0, 7, InitSpec.DEFAULT,
        new AdapterConfig(1, 1.0, false, true, 0.0, false, 11), false);
  }

  static LottaModel model() {
    LottaModel m = LottaModel.create(spec());
    Map<String, float[]> v = new LinkedHashMap<>(m.graph().trainedValues());
    v.put("layers.0.beta", new float[] {1.5f});
    v.put("layers.0.lora_B", new float[] {0.5f, -0.25f, 0.125f});
    v.put("head.bias", new float[] {0.1f, 0f, -0.1f});
    m.graph().setTrainedValues(v);
    return m;
  }

  static byte[] bytes() {
    Artifact a = model().toArtifact(null, new LottaModel.SaveOptions(DType.FLOAT32, null, true));
    a = a.toBuilder().setCreatedUnixMs(0).clearTraining().build();
    return ArtifactCodec.encode(a);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "lottalora-format/docs/fixtures");
    Files.write(dir.resolve("tiny.lotta"), bytes());
    LottaModel m = model();
    float[] p = m.predict(INPUT);
    StringBuilder sb = new StringBuilder();
    for (float x : p) {
      sb.append(String.format(Locale.ROOT, "%.9g%n", x));
    }
    Files.writeString(dir.resolve("tiny.expected.txt"), sb.toString());
    System.out.println("wrote " + dir.resolve("tiny.lotta") + " (" + bytes().length + " bytes), probabilities "
        + java.util.Arrays.toString(p));
  }
}
