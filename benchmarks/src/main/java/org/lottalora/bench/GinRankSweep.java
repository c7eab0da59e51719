package org.lottalora.bench;

import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.graph.GraphSet;
import org.lottalora.core.train.Progress;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GcnTrainer;
import org.lottalora.models.graph.GinNetwork;
import org.lottalora.models.graph.GinTrainer;

/**
 * Issue 5 figure: the hand-written GIN on the seeded synthetic graph-classification set ({@link GraphSet#synthetic}:
 * two-community graphs against Erdos-Renyi graphs with the same expected edges, 12-40 nodes, structural node features),
 * {@code count} graphs (default 1,000), hidden 64-64, batches of 32, Adam lr 0.01, 70% train, 15% pick the epoch,
 * 15% test; full training (rank 0) and ranks 1-32, seeds 1-3. Prints JSON lines.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.GinRankSweep [count] [epochs]}
 */
public final class GinRankSweep {
  private GinRankSweep() {
  }

  public static void main(String[] a) {
    int count = a.length > 0 ? Integer.parseInt(a[0]) : 1000;
    int epochs = a.length > 1 ? Integer.parseInt(a[1]) : 40;
    GraphSet set = GraphSet.synthetic(count, 12, 40, 5);
    GinTrainer.Config c = new GinTrainer.Config(epochs, 32, 0.01, 5e-4, 0.7, 0.15, 1);
    int[] ranks = a.length > 2 ? java.util.Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {0, 1, 2, 4, 8, 16, 32};
    for (int r : ranks) {
      for (long seed : new long[] {1, 2, 3}) {
        GinNetwork net = new GinNetwork(new GcnNetwork.Spec(GraphSet.FEATURES, new int[] {64, 64}, 2, seed,
            InitSpec.parse("normal"), AdapterConfig.defaults(Math.max(1, r)), r == 0), java.util.Map.of());
        GcnTrainer.Report rep = GinTrainer.train(net, set, c, Progress.silent());
        System.out.printf("{\"rank\":%d,\"seed\":%d,\"test\":%.4f,\"val\":%.4f,\"epoch\":%d,"
            + "\"fraction\":%.4f,\"betas\":%s,\"seconds\":%.2f}%n", r, seed, rep.testAccuracy(),
            rep.bestValAccuracy(), rep.bestEpoch(), rep.trainableFraction(), java.util.Arrays.toString(rep.betas()),
            rep.seconds());
      }
    }
  }
}
