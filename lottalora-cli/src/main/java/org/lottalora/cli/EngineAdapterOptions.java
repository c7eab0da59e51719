package org.lottalora.cli;

import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import picocli.CommandLine.Option;

/**
 * The model options the hand-engine training commands (graph, sequence, vit, text, lm) share: the scaffold (seed,
 * init), the adapter (rank, alpha, beta, DoRA / residual / LayerNorm) or the fully trained baseline. The hand-written engines have no adapter
 * dropout, trained biases or rsLoRA, so those `train` options are not here.
 */
final class EngineAdapterOptions {
  @Option(names = "--rank", defaultValue = "8", description = "LoRA rank, capped per matrix at min(d_in, d_out) "
      + "(default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(names = "--alpha", defaultValue = "1", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--fixed-beta", description = "Keep beta at 1 instead of learning it.")
  boolean fixedBeta;

  @Option(names = "--dora", description = "DoRA on every adapted matrix (not with --full).")
  boolean dora;

  @Option(names = "--residual", description = "Add each block's input to its output where the widths agree (a "
      + "graph layer; a recurrent step: h' = h + step(x, h)); not for the Transformers, whose blocks have one.")
  boolean residual;

  @Option(names = "--layer-norm", description = "A trained LayerNorm on each block's output (after --residual); not "
      + "for the Transformers, whose blocks are normalised already.")
  boolean layerNorm;

  @Option(names = "--full", description = "Train every weight: the baseline.")
  boolean full;

  @Option(names = "--seed", defaultValue = "0", description = "Backbone seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--adapter-seed", defaultValue = "1", description = "Seed of the A init (default: ${DEFAULT-VALUE}).")
  long adapterSeed;

  @Option(names = "--init", defaultValue = "normal", description = "Scaffold init (default: ${DEFAULT-VALUE}).")
  String init;

  /** The adapter config these options give. */
  AdapterConfig adapter() {
    return new AdapterConfig(rank, alpha, false, !fixedBeta, 0, false, adapterSeed)
        .withVariants(dora, residual, layerNorm);
  }

  /** The scaffold init. */
  InitSpec initSpec() {
    return InitSpec.parse(init);
  }

  /** "full" or "rank r", for the report's first line. */
  String mode() {
    return full ? "full" : "rank " + rank;
  }
}
