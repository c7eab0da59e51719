package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.data.series.MackeyGlass;
import org.lottalora.core.data.series.TimeSeries;
import org.lottalora.core.train.Progress;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.proto.Artifact;
import org.lottalora.format.proto.DType;

/** Reservoir artifacts: save and reload give the same outputs; a different generator draw is refused. */
class ReservoirModelTest {
  @TempDir
  Path dir;

  @Test
  void forecasterRoundTripsBitForBit() {
    TimeSeries mg = MackeyGlass.generate(1500, 3);
    var t = ReservoirTrainer.forecast(mg, ReservoirTest.setup(80, 1e-6), Progress.silent());
    Path p = dir.resolve("mg.lotta");
    t.model().save(p, new ReservoirModel.Provenance("mg", null, 1500, 0, 0, 1, Map.of()), DType.FLOAT32, null);
    ReservoirModel back = ReservoirModel.load(p);
    double[][] hist = Arrays.copyOf(mg.values(), 700);
    // the readout is stored in fp32: compare the reloaded model against the saved one run through fp32 too
    double[][] a = back.predict(hist);
    double[][] b = ReservoirModel.load(p).predict(hist);
    for (int i = 0; i < a.length; i++) {
      assertArrayEquals(a[i], b[i]);
    }
    double[][] orig = t.model().predict(hist);
    for (int i = 0; i < a.length; i++) {
      assertEquals(orig[i][0], a[i][0], 1e-4, "fp32 readout vs double readout");
    }
    assertEquals(50, back.forecast(hist, 50).length);
    assertEquals(t.model().network().layers().get(0).rhoRaw(), back.network().layers().get(0).rhoRaw());
  }

  @Test
  void adapterModelRoundTrips() {
    TimeSeries mg = MackeyGlass.generate(1200, 3);
    ReservoirSetup s = ReservoirTest.setup(30, 1e-6);
    var t = ReservoirAdapterTrainer.train(mg, s, new ReservoirAdapterTrainer.AdapterSpec(2, 1, 10, 4, 3, 1e-3, 1e-4, 1,
        true, false), Progress.silent());
    var rep = t.report();
    assertEquals(3, rep.loss().length);
    assertEquals(2L * 2 * 30 + 1, rep.adapterParams());
    // training starts at the ridge model (B = 0): the first loss is that model's error on the windows
    assertTrue(rep.loss()[0] < 0.01, "first loss " + rep.loss()[0]);
    Path p = dir.resolve("ad.lotta");
    t.model().save(p, null, DType.FLOAT32, null);
    ReservoirModel back = ReservoirModel.load(p);
    assertNotNull(back.network().layers().get(0).adapter());
    double[][] hist = Arrays.copyOf(mg.values(), 400);
    double[][] a = back.predict(hist);
    double[][] b = t.model().predict(hist);
    for (int i = 0; i < a.length; i++) {
      assertEquals(b[i][0], a[i][0], 1e-4);
    }
  }

  @Test
  void ringClassifierLearnsDigitsAndRoundTrips() {
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults());
    RingSpec ring = new RingSpec(40, 3, 7, 0.1, 0.1, 4, 4, 0.3, 8, 4, 0.5, 0.3, 2, 10);
    ReservoirSetup s = new ReservoirSetup("ring", 2, List.of(), ring, 0, new double[] {1}, 1, false, "ridge", 2, 0.5,
        0, 2);
    var t = ReservoirTrainer.classify(d, s, Progress.silent());
    assertTrue(t.report().testAccuracy() > 0.85, "ring reservoir on digits: " + t.report().testAccuracy());
    Path p = dir.resolve("ring.lotta");
    t.model().save(p, null, DType.FLOAT32, null);
    ReservoirModel back = ReservoirModel.load(p);
    assertEquals(t.report().testAccuracy(), back.accuracy(d.test(), 1), 0.005);
    float[] img = Arrays.copyOf(d.test().features(), 64);
    assertEquals(t.model().classify(img), back.classify(img));
    ReservoirSetup oneThread = new ReservoirSetup("ring", 2, List.of(), ring, 0, new double[] {1}, 1, false, "ridge",
        2, 0.5, 0, 1);
    var t1 = ReservoirTrainer.classify(d, oneThread, Progress.silent());
    assertTrue(Arrays.deepEquals(t.model().readout(), t1.model().readout()), "same readout on 1 and 2 threads");
  }

  @Test
  void esnClassifierReadsRowsAndRoundTrips() {
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults());
    ReservoirSpec spec = new ReservoirSpec(100, 0.9, 0.1, 0.5, 0.3, 1, 0, "tanh", 0);
    ReservoirSetup s = new ReservoirSetup("esn", 5, List.of(spec), null, 0, new double[] {1e-2, 1}, 1, false,
        "ridge", 4, 0.5, 0, 1);
    var t = ReservoirTrainer.classify(d, s, Progress.silent());
    assertEquals(100 * 4 + 1, t.report().features());
    assertTrue(t.report().testAccuracy() > 0.85, "esn on digits: " + t.report().testAccuracy());
    Path p = dir.resolve("esn-digits.lotta");
    t.model().save(p, null, DType.FLOAT32, null);
    ReservoirModel back = ReservoirModel.load(p);
    assertEquals(4, back.settings().samples());
    for (int i = 0; i < 20; i++) {
      float[] img = Arrays.copyOfRange(d.test().features(), i * 64, (i + 1) * 64);
      assertEquals(t.model().classify(img), back.classify(img));
    }
  }

  @Test
  void aForeignDrawIsRefused() throws Exception {
    TimeSeries mg = MackeyGlass.generate(800, 3);
    var t = ReservoirTrainer.forecast(mg, ReservoirTest.setup(20, 1e-6), Progress.silent());
    Artifact a = t.model().toProto(null, DType.FLOAT32);
    Path p = dir.resolve("bad.lotta");
    ArtifactCodec.write(a.toBuilder().setBackbone(a.getBackbone().toBuilder().setSeed(4)).build(), p);
    ArtifactException e = assertThrows(ArtifactException.class, () -> ReservoirModel.load(p));
    assertEquals(ArtifactException.Reason.FINGERPRINT_MISMATCH, e.reason());
    Path extra = dir.resolve("extra.lotta");
    ArtifactCodec.write(a.toBuilder().addTensors(a.getTensors(0).toBuilder().setName("stray")).build(), extra);
    e = assertThrows(ArtifactException.class, () -> ReservoirModel.load(extra));
    assertEquals(ArtifactException.Reason.MISSING_TENSOR, e.reason());
    Path badScale = dir.resolve("scale.lotta");
    var rc = a.getModel().getReservoir().toBuilder().setInputScale(0, 0.0);
    ArtifactCodec.write(a.toBuilder().setModel(a.getModel().toBuilder().setReservoir(rc)).build(), badScale);
    e = assertThrows(ArtifactException.class, () -> ReservoirModel.load(badScale));
    assertEquals(ArtifactException.Reason.MALFORMED, e.reason());
    assertTrue(e.getMessage().contains("input scales"), e.getMessage());
  }

  @Test
  void searchResumesAndRefusesOtherSettings() {
    TimeSeries mg = MackeyGlass.generate(1200, 3);
    ReservoirSetup base = ReservoirTest.setup(30, 1e-6);
    HyperSearch.Config c = new HyperSearch.Config("random", 3, 2, 1, new HyperSearch.Range(0.5, 1.5, false),
        new HyperSearch.Range(0.1, 1, false), new HyperSearch.Range(0.1, 2, true),
        new HyperSearch.Range(1e-8, 1e-2, true), base, "mg");
    Path d = dir.resolve("search");
    HyperSearch.Result r1 = HyperSearch.run(c, mg, d, Progress.silent());
    assertEquals(3, r1.trials().size());
    assertEquals(0, r1.resumed());
    assertNotNull(r1.best());
    HyperSearch.Result r2 = HyperSearch.run(c, mg, d, Progress.silent());
    assertEquals(3, r2.resumed());
    assertEquals(r1.best(), r2.best());
    HyperSearch.Config other = new HyperSearch.Config("random", 3, 2, 2, c.spectralRadius(), c.leakRate(),
        c.inputScaling(), c.ridge(), base, "mg");
    assertThrows(IllegalArgumentException.class, () -> HyperSearch.run(other, mg, d, Progress.silent()));
    assertEquals(16, HyperSearch.points(new HyperSearch.Config("grid", 1, 2, 0, c.spectralRadius(), c.leakRate(),
        c.inputScaling(), c.ridge(), base, "mg")).size());
  }
}
