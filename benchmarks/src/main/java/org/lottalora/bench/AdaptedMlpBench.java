package org.lottalora.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.train.Progress;
import org.lottalora.core.util.NdArrays;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.DatasetIterator;
import org.lottalora.models.adapt.GraphAdapter;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.adapt.TargetRule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 21's accuracy check: the medium MLP (784-512-256-128-64-10) written as a user would write it in
 * SameDiff ({@code x.mmul(W).add(b)}, ReLU), wrapped by {@link GraphAdapter} in LottaLoRA mode (the four hidden
 * weights regenerated from the seed with the fan-in normal init and adapted at rank r, the biases frozen random
 * from the same generator as the built-in family draws them, the head trained in full), trained by SameDiff's
 * own fit with the built-in family's recipe (20 epochs, batch 128, AdamW lr 1e-3 wd 1e-2, cosine) on the same
 * Fashion-MNIST split. Prints one JSON line per seed: test accuracy after the last epoch, trainable params,
 * samples/s, artifact bytes, and the largest difference between the merged export's and the adapted graph's
 * logits on the test set.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.AdaptedMlpBench RANK EPOCHS SEED...}
 */
public final class AdaptedMlpBench {
  private static final int[] WIDTHS = {784, 512, 256, 128, 64, 10};

  private AdaptedMlpBench() {
  }

  /** The medium MLP in SameDiff, weights and biases from the toolkit's generator (seed {@code seed}). */
  static SameDiff mlp(long seed) {
    List<TensorSpec> specs = new ArrayList<>();
    InitSpec init = InitSpec.parse("normal");
    for (int l = 0; l + 1 < WIDTHS.length; l++) {
      specs.add(TensorSpec.of("layer" + l + ".weight", new int[] {WIDTHS[l + 1], WIDTHS[l]}, init));
      specs.add(TensorSpec.bias("layer" + l + ".bias", WIDTHS[l + 1], WIDTHS[l], init));
    }
    Backbone bb = Backbone.regenerate(seed, specs);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, WIDTHS[0]);
    for (int l = 0; l + 1 < WIDTHS.length; l++) {
      SDVariable w = sd.var("layer" + l + ".weight", NdArrays.ofTransposed(bb.get("layer" + l + ".weight"),
          WIDTHS[l + 1], WIDTHS[l]));
      SDVariable b = sd.var("layer" + l + ".bias", NdArrays.of(bb.get("layer" + l + ".bias"), WIDTHS[l + 1]));
      x = x.mmul(w).add(b);
      x = l + 2 < WIDTHS.length ? sd.nn.relu(x, 0) : x.rename("logits");
    }
    return sd;
  }

  static double accuracy(AdaptedGraph g, Dataset d) {
    int ok = 0;
    for (int start = 0; start < d.rows(); start += 1000) {
      int n = Math.min(1000, d.rows() - start);
      float[] rows = java.util.Arrays.copyOfRange(d.features(), start * d.cols(), (start + n) * d.cols());
      int[] c = g.classify(Nd4j.create(rows, new long[] {n, d.cols()}, 'c'));
      for (int i = 0; i < n; i++) {
        ok += c[i] == d.labels()[start + i] ? 1 : 0;
      }
    }
    return ok / (double) d.rows();
  }

  public static void main(String[] a) throws Exception {
    int rank = Integer.parseInt(a[0]);
    int epochs = Integer.parseInt(a[1]);
    org.lottalora.core.util.Threads.apply(org.lottalora.core.util.Threads.defaultCount());
    DataSplits data = Datasets.load("fashion-mnist", new Datasets.Options(null, false, 0L)).normalized();
    int max = Integer.getInteger("max", 0);
    if (max > 0) {
      data = new DataSplits(data.train().head(max), data.validation(), data.test(), data.normalization());
    }
    Path dir = Files.createTempDirectory("adapted-mlp");
    for (int i = 2; i < a.length; i++) {
      long seed = Long.parseLong(a[i]);
      AdaptedGraph g = GraphAdapter.of(mlp(seed)).targets(TargetRule.regex("layer[0-3]\\.weight"))
          .trainable("layer4.weight", "layer4.bias").seeded(seed, InitSpec.parse("normal"))
          .adapter(AdapterConfig.defaults(rank)).classifier("logits", 10).apply();
      long t0 = System.nanoTime();
      g.fit(new DatasetIterator(data.train(), 128, seed), epochs,
          AdaptedGraph.FitOptions.recipe().withProgress(Progress.stderr()));
      double sec = (System.nanoTime() - t0) / 1e9;
      double test = accuracy(g, data.test());
      double val = accuracy(g, data.validation());
      Path file = dir.resolve("m" + seed + ".lotta");
      g.save(file);
      AdaptedGraph back = GraphArtifacts.load(file, org.lottalora.format.TrustPolicy.NONE);
      INDArray x = Nd4j.create(java.util.Arrays.copyOf(data.test().features(), 1000 * 784), new long[] {1000, 784},
          'c');
      boolean same = g.output(x).equals(back.output(x));
      SameDiff merged = back.merged();
      double diff = merged.output(Map.of("input", x), "logits").get("logits").sub(g.output(x)).amaxNumber()
          .doubleValue();
      AdaptedGraph.ParameterCounts pc = g.parameterCounts();
      System.out.printf(Locale.ROOT, "{\"rank\":%d,\"seed\":%d,\"epochs\":%d,\"test\":%.4f,\"val\":%.4f,"
          + "\"trainable\":%d,\"fraction\":%.4f,\"seconds\":%.1f,\"samples_per_s\":%.0f,\"artifact_bytes\":%d,"
          + "\"reload_identical\":%b,\"merged_max_abs_diff\":%.2e}%n", rank, seed, epochs, test, val, pc.trained(),
          pc.fraction(), sec, (double) data.train().rows() * epochs / sec, Files.size(file), same, diff);
      Files.delete(file);
    }
  }
}
