package org.lottalora.bench;

import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.graph.Graph;
import org.lottalora.core.data.graph.StochasticBlockModel;
import org.lottalora.core.train.Progress;
import org.lottalora.models.graph.GcnNetwork;
import org.lottalora.models.graph.GcnTrainer;

/**
 * Issue 5 groundwork figure: the hand-written GCN on a seeded stochastic block model (3,000 nodes, 8 blocks, p_in
 * 0.02, p_out 0.002, 32 noisy feature dims, noise 3), hidden 64-64, 200 full-batch Adam epochs, 10% of nodes train,
 * 10% pick the epoch, the rest test; full training (rank 0) and ranks 1-32, seeds 1-3. Prints JSON lines.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.GcnRankSweep}
 */
public final class GcnRankSweep {
  private GcnRankSweep() {
  }

  public static void main(String[] a) {
    Graph g = StochasticBlockModel.generate(new StochasticBlockModel.Params(3000, 8, 0.02, 0.002, 32, 3.0), 11);
    GcnTrainer.Config c = new GcnTrainer.Config(200, 0.01, 5e-4, 0.1, 0.1, 1);
    for (int r : new int[] {0, 1, 2, 4, 8, 16, 32}) {
      for (long seed : new long[] {1, 2, 3}) {
        GcnNetwork net = new GcnNetwork(new GcnNetwork.Spec(32, new int[] {64, 64}, 8, seed,
            InitSpec.parse("normal"), AdapterConfig.defaults(Math.max(1, r)), r == 0), g);
        GcnTrainer.Report rep = GcnTrainer.train(net, g, c, Progress.silent());
        System.out.printf("{\"rank\":%d,\"seed\":%d,\"test\":%.4f,\"val\":%.4f,\"epoch\":%d,"
            + "\"fraction\":%.4f,\"betas\":%s,\"seconds\":%.2f}%n", r, seed, rep.testAccuracy(),
            rep.bestValAccuracy(), rep.bestEpoch(), rep.trainableFraction(), java.util.Arrays.toString(rep.betas()),
            rep.seconds());
      }
    }
  }
}
