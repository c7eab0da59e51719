package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora graph}: the graph-network commands (GCN node classification, GIN graph classification). */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = "Graph networks over frozen random scaffolds: GCN for node classification and GIN for graph "
        + "classification, adapters on every message-passing linear, heads trained; shipped as seed + adapters.",
    subcommands = {GraphTrainCommand.class, GraphEvalCommand.class, GraphPredictCommand.class})
final class GraphCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
