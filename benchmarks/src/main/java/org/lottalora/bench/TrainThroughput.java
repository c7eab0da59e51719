package org.lottalora.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.core.train.TrainReport;
import org.lottalora.core.util.Threads;
import org.lottalora.models.LottaModel;
import org.lottalora.models.mlp.MlpFamily;

/**
 * End-to-end training throughput of the medium MLP (784-512-256-128-64-10) on Fashion-MNIST, batch 128:
 * samples/s of the training pass (validation excluded), median over repeats, for adapters at rank 8 and
 * for full training.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.TrainThroughput
 * [threads] [rows] [repeats]}
 */
public final class TrainThroughput {
  private TrainThroughput() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 12800;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Threads.apply(threads);
    DataSplits d = Datasets.load("fashion-mnist", new Datasets.Options(null, false, 0)).limit(rows);
    // the JIT compiles the engine's loops over the first few hundred steps, longer on a busy 2-core machine: rank 8
    // ran first and its first measured epochs came out at a third of the later ones, so one epoch of each mode
    // runs before anything is measured (PyTorch's runner likewise leaves out its warm-up)
    for (boolean full : new boolean[] {false, true}) {
      LottaModel.create(new ModelSpec("mlp", 784, 10, MlpFamily.MEDIUM, 0, 0, InitSpec.DEFAULT,
          AdapterConfig.defaults(8), full)).train(d, new TrainConfig(1, 128, 1e-3, 1e-2, 0, true, 0, 0),
          Progress.silent());
    }
    for (String mode : new String[] {"rank8", "full"}) {
      boolean full = mode.equals("full");
      ModelSpec spec = new ModelSpec("mlp", 784, 10, MlpFamily.MEDIUM, 0, 0, InitSpec.DEFAULT,
          AdapterConfig.defaults(8), full);
      LottaModel m = LottaModel.create(spec);
      List<Double> rates = new ArrayList<>();
      // epoch 1 warms up this model's own state; the rest are measured
      TrainReport r = m.train(d, new TrainConfig(repeats + 1, 128, 1e-3, 1e-2, 0, true, 0, 0), Progress.silent());
      for (int i = 1; i < r.epochs().size(); i++) {
        rates.add(r.epochs().get(i).samplesPerSecond());
      }
      List<Double> sorted = new ArrayList<>(rates);
      sorted.sort(Double::compare);
      System.out.printf(Locale.ROOT, "lottalora %s threads=%d rows=%d median %.0f samples/s (runs in order %s)%n",
          mode, threads, d.train().rows(), sorted.get(sorted.size() / 2), rates);
    }
  }
}
