package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora text}: Transformer text classifiers over frozen random scaffolds. */
@Command(name = "text", mixinStandardHelpOptions = true,
    description = "Transformer text classifiers over frozen random scaffolds (the paper's IMDB setting): texts as "
        + "UTF-8 bytes, adapters on W_Q, W_K, W_V, W_O, the MLP frozen random, embeddings and head trained; data "
        + "from CSV (text,label).",
    subcommands = {TextTrainCommand.class, TextEvalCommand.class, TextPredictCommand.class})
final class TextCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
