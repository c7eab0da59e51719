package org.lottalora.models.conversion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.models.LottaModel;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.models.recurrent.RecurrentNetwork;

/**
 * ANN-to-SNN conversion of a small LottaLoRA MLP trained on digits: the folded ReLU network classifies as the model
 * does, the spiking twin approaches the ANN's accuracy as simulation time grows, reset by subtraction does at least
 * as well as reset to zero at short times, the normalisation puts the chosen percentile at 1, Poisson runs are
 * reproducible on any thread count, and what cannot be converted is refused in one line.
 */
class AnnToSnnTest {
  static DataSplits digits;
  static LottaModel mlp;
  static double annAccuracy;

  @BeforeAll
  static void train() {
    digits = Datasets.load("digits", Datasets.Options.defaults());
    mlp = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {64, 32}, 0.0, 5, InitSpec.DEFAULT,
        new AdapterConfig(4, 1.0, false, true, 0.0, false, 2), false));
    mlp.train(digits, new TrainConfig(12, 64, 1e-2, 1e-2, 1, true, 0, 4), Progress.silent());
    annAccuracy = mlp.accuracy(digits.test());
  }

  @Test
  void foldedReluNetworkClassifiesAsTheModel() {
    ReluNetwork ann = AnnToSnn.reluNetwork(mlp);
    assertArrayEquals(mlp.classify(digits.test()), ann.classify(digits.test()));
    assertTrue(annAccuracy > 0.9, "the MLP learned digits: " + annAccuracy);
  }

  @Test
  void spikingAccuracyApproachesTheAnnsAsTimeGrows() {
    SpikingNetwork snn = AnnToSnn.convert(mlp, digits.train(), ConversionConfig.defaults());
    SimulationResult r = snn.simulate(digits.test(), new int[] {500, 5, 50, 100}, 2);
    assertArrayEquals(new int[] {5, 50, 100, 500}, r.steps());
    assertTrue(r.accuracyAt(500) >= annAccuracy - 0.02, "at 500 steps within 2 points of the ANN's "
        + annAccuracy + ": " + r.accuracyAt(500));
    assertTrue(r.accuracyAt(500) > r.accuracyAt(5), "more time, more accuracy: " + java.util.Arrays.toString(
        r.accuracy()));
    for (double s : r.spikesPerNeuronStep()) {
      assertTrue(s > 0 && s < 1, "a rate per neuron and step: " + s);
    }
  }

  @Test
  void resetBySubtractionDoesAtLeastAsWellAsResetToZeroAtShortTimes() {
    int[] steps = {10, 20, 30, 50};
    SimulationResult sub = AnnToSnn.convert(mlp, digits.train(), ConversionConfig.defaults())
        .simulate(digits.test(), steps, 2);
    SimulationResult zero = AnnToSnn.convert(mlp, digits.train(), ConversionConfig.defaults().withReset(Reset.ZERO))
        .simulate(digits.test(), steps, 2);
    double s = 0;
    double z = 0;
    for (int i = 0; i < steps.length; i++) {
      s += sub.accuracy()[i];
      z += zero.accuracy()[i];
    }
    assertTrue(s >= z, "mean accuracy over 10-50 steps: subtract " + s / steps.length + ", zero " + z / steps.length);
  }

  @Test
  void normalisationPutsThePercentileAtOne() {
    Dataset cal = digits.train().head(500);
    ReluNetwork ann = AnnToSnn.reluNetwork(mlp);
    for (double p : new double[] {99.9, 100}) {
      WeightNormalization.Normalised n = WeightNormalization.normalise(ann, cal.features(), cal.rows(), p);
      float[] scaled = cal.features().clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] = (float) (scaled[i] / n.inputScale());
      }
      List<float[]> acts = n.network().activations(scaled, cal.rows());
      for (int l = 0; l < acts.size(); l++) {
        assertEquals(1.0, WeightNormalization.positivePercentile(acts.get(l), p), 1e-4, "layer " + l + " at p=" + p);
      }
      // the normalised network is the same function up to a positive factor on the logits
      Dataset t = digits.test();
      float[] x = t.features().clone();
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (x[i] / n.inputScale());
      }
      Dataset scaledTest = new Dataset("scaled", x, t.rows(), t.cols(), t.labels(), t.classes());
      assertArrayEquals(ann.classify(t), n.network().classify(scaledTest));
    }
  }

  @Test
  void withTheMaxRuleTheLargestCalibratedActivationFiresAtRateOne() {
    // one hidden neuron y = relu(x0 - x1), one output neuron z = y: the calibration maximum of y is 3 (row 2)
    ReluNetwork net = new ReluNetwork(List.of(DenseLayer.of("h", 2, 1, new float[] {1, -1}, new float[] {0}),
        DenseLayer.of("out", 1, 1, new float[] {1}, new float[] {0})));
    float[] cal = {1, 0, 2, 1, 3, 0, 0.5f, 0.5f};
    WeightNormalization.Normalised n = WeightNormalization.normalise(net, cal, 4, 100);
    assertEquals(3.0, n.inputScale(), 0);
    assertEquals(3.0, n.lambdas()[0], 1e-6);
    SpikingNetwork snn = new SpikingNetwork(n.network(), n.inputScale(), Reset.SUBTRACT, InputCoding.CURRENT, 0);
    Dataset top = new Dataset("top", new float[] {3, 0}, 1, 2, new int[] {0}, 1);
    SimulationResult r = snn.simulate(top, new int[] {100}, 1);
    assertEquals(1.0, r.layerRates()[0], 0, "the max activation maps to one spike per step");
    Dataset half = new Dataset("half", new float[] {1.5f, 0}, 1, 2, new int[] {0}, 1);
    assertEquals(0.5, snn.simulate(half, new int[] {100}, 1).layerRates()[0], 0.01, "half the max, half the rate");
  }

  @Test
  void poissonInputIsReproducibleOnAnyThreadCountAndConverges() {
    SpikingNetwork snn = AnnToSnn.convert(mlp, digits.train(),
        ConversionConfig.defaults().withCoding(InputCoding.POISSON));
    Dataset test = digits.test().head(200);
    SimulationResult one = snn.simulate(test, new int[] {50, 300}, 1);
    SimulationResult two = snn.simulate(test, new int[] {50, 300}, 2);
    assertArrayEquals(one.predictions()[1], two.predictions()[1]);
    assertArrayEquals(one.spikesPerNeuronStep(), two.spikesPerNeuronStep());
    double ann = mlp.accuracy(test);
    assertTrue(one.accuracyAt(300) >= ann - 0.05, "Poisson input at 300 steps: " + one.accuracyAt(300) + " vs " + ann);
    SimulationResult other = new SpikingNetwork(snn.network(), snn.inputScale(), Reset.SUBTRACT, InputCoding.POISSON,
        1).simulate(test, new int[] {50}, 2);
    assertFalse(java.util.Arrays.equals(one.predictions()[0], other.predictions()[0])
        && one.spikesPerNeuronStep()[0] == other.spikesPerNeuronStep()[0], "another seed, other draws");
  }

  @Test
  void occlusionZeroesTheCentralQuarter() {
    Dataset test = digits.test().head(3);
    Dataset o = new Occlusion(0.25).apply(test);
    int zeroed = 0;
    for (int r = 0; r < 3; r++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean inside = y >= 2 && y < 6 && x >= 2 && x < 6;
          float v = o.features()[r * 64 + y * 8 + x];
          if (inside) {
            assertEquals(0f, v);
            zeroed++;
          } else {
            assertEquals(test.features()[r * 64 + y * 8 + x], v);
          }
        }
      }
    }
    assertEquals(3 * 16, zeroed);
    assertThrows(IllegalArgumentException.class, () -> new Occlusion(1.0));
  }

  @TempDir
  java.nio.file.Path dir;

  @Test
  void badInputsAreRefusedInOneLine() {
    IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
        () -> AnnToSnn.convert(mlp, digits.train(), ConversionConfig.defaults()).simulate(digits.test(),
            new int[] {0}, 1));
    assertTrue(steps.getMessage().contains("at least 1 step"), steps.getMessage());
    Dataset narrow = new Dataset("narrow", new float[6], 2, 3, new int[] {0, 1}, 2);
    IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
        () -> AnnToSnn.convert(mlp, narrow, ConversionConfig.defaults()));
    assertTrue(width.getMessage().contains("takes 64 features but dataset 'narrow' has 3"), width.getMessage());
    LottaModel ln = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {16}, 0.0, 5, InitSpec.DEFAULT,
        new AdapterConfig(2, 1.0, false, true, 0.0, false, 2).withVariants(false, false, true), false));
    IllegalArgumentException norm = assertThrows(IllegalArgumentException.class, () -> AnnToSnn.reluNetwork(ln));
    assertTrue(norm.getMessage().contains("LayerNorm on block 'layers.0'"), norm.getMessage());
    // a CfC is a recurrent-engine artifact now (train --family cfc): refused by family before it is loaded
    java.nio.file.Path cfc = dir.resolve("cfc.lotta");
    new RecurrentModel(new RecurrentNetwork(new RecurrentNetwork.Spec("cfc", 8, 8, 8, 10, 5, InitSpec.DEFAULT,
        new AdapterConfig(2, 1.0, false, true, 0.0, false, 2), false), java.util.Map.of()), "digits", 0, 0, false, 8,
        new float[0], new float[0]).save(cfc, null, null);
    IllegalArgumentException rec = assertThrows(IllegalArgumentException.class, () -> AnnToSnn.load(cfc));
    assertTrue(rec.getMessage().contains("'cfc' model cannot be converted"), rec.getMessage());
    for (IllegalArgumentException e : new IllegalArgumentException[] {steps, norm, rec}) {
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
