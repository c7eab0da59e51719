package org.lottalora.models.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.backbone.InitSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The example shape read from a graph's input, probabilities for raw rows, and reading model files. */
class GraphEvalTest {
  @TempDir
  Path dir;

  /** A linear classifier over images: input [batch, 1, 8, 8] (or {@code dims} as given), flattened, x W. */
  static SameDiff images(long... dims) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, dims);
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 64, 10).subi(0.5));
    x.reshape(-1, 64).mmul(w).rename("logits");
    return sd;
  }

  static AdaptedGraph wrap(SameDiff sd) {
    return GraphAdapter.of(sd).seeded(1, InitSpec.DEFAULT).adapter(AdapterConfig.defaults(2))
        .classifier("logits", 10).apply();
  }

  @Test
  void exampleShapeDropsTheBatchAndFillsOneUnknownSize() {
    Dataset d = digits();
    assertArrayEquals(new long[] {1, 8, 8}, GraphEval.exampleShape(wrap(images(-1, 1, 8, 8)), d));
    assertArrayEquals(new long[] {1, 8, 8}, GraphEval.exampleShape(wrap(images(-1, 1, -1, 8)), d));
    AdaptedGraph g = wrap(images(-1, 1, 8, 8));
    double acc = GraphEval.accuracy(g, d, GraphEval.exampleShape(g, d));
    assertTrue(acc >= 0 && acc <= 1);
    Dataset narrow = new Dataset("narrow", new float[20], 2, 10, new int[2], 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GraphEval.exampleShape(wrap(images(-1, 1, 8, 8)), narrow));
    assertTrue(e.getMessage().contains("shape [1, 8, 8] (64 values) but narrow has rows of shape [10]"),
        e.getMessage());
  }

  @Test
  void probabilitiesOfRawRowsSumToOne() {
    AdaptedGraph g = wrap(images(-1, 1, 8, 8));
    assertEquals(64, GraphEval.exampleValues(g));
    float[][] p = GraphEval.probabilities(g, new float[][] {new float[64], digits().head(1).features()},
        new Normalization(2f, 3f));
    assertEquals(2, p.length);
    for (float[] row : p) {
      double s = 0;
      for (float v : row) {
        s += v;
      }
      assertEquals(1.0, s, 1e-5);
    }
  }

  @Test
  void sourceGraphNamesTheFileAndListsCandidates() throws Exception {
    Path f = dir.resolve("img.sdz");
    images(-1, 1, 8, 8).save(f.toFile(), false);
    SourceGraph s = SourceGraph.load(f);
    assertEquals("samediff:img.sdz", s.source());
    assertEquals(32, s.sha256().length);
    assertEquals(1, s.candidates().size());
    assertEquals("w", s.candidates().get(0).name());
    assertTrue(s.candidates().get(0).feedsMatmul());
    LottaException missing = assertThrows(LottaException.class, () -> SourceGraph.load(dir.resolve("no.sdz")));
    assertTrue(missing.getMessage().contains("no such model file"), missing.getMessage());
    Path junk = Files.writeString(dir.resolve("junk.sdz"), "not a graph");
    LottaException bad = assertThrows(LottaException.class, () -> SourceGraph.load(junk));
    assertTrue(bad.getMessage().contains("is not a SameDiff graph file"), bad.getMessage());
  }

  @Test
  void everyCheckpointRecordsHowTheDataWasPrepared() {
    AdaptedGraph g = wrap(images(-1, 1, 8, 8));
    Normalization n = new Normalization(7.5f, 4.25f);
    g.dataRecord(new AdaptedGraph.DataRecord("digits", n, 16, 1e-2, 3, 0));
    Path file = dir.resolve("ckpt.lotta");
    Dataset d = digits().normalized(n);
    g.fit(new DatasetIterator(d, 16, 3, 1, 8, 8), 1, AdaptedGraph.FitOptions.defaults().withCheckpoint(file));
    var a = org.lottalora.format.ArtifactCodec.open(file).artifact();
    assertEquals(n, GraphArtifacts.normalization(a, "ckpt"), "written by the per-epoch checkpoint itself");
    assertEquals("digits", a.getTraining().getDataset());
    assertEquals(16, a.getTraining().getConfig().getBatchSize());
    assertEquals(n, GraphArtifacts.load(file, org.lottalora.format.TrustPolicy.NONE).dataRecord().normalization());
  }

  private static Dataset digits() {
    return org.lottalora.core.data.Datasets.digits().head(50);
  }
}
