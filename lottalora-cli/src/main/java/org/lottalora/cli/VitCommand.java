package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora vit}: Vision Transformers over frozen random scaffolds. */
@Command(name = "vit", mixinStandardHelpOptions = true,
    description = "Vision Transformers over frozen random scaffolds: patch embedding, class token, positions, "
        + "LayerNorms and head trained in full; adapters on W_Q, W_K, W_V, W_O and both MLP matrices of every block.",
    subcommands = {VitTrainCommand.class, VitEvalCommand.class, VitPredictCommand.class})
final class VitCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
