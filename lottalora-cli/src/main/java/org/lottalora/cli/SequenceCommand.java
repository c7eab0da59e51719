package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora sequence}: recurrent classifiers (CfC, LSTM) on the hand-written engine. */
@Command(name = "sequence", mixinStandardHelpOptions = true,
    description = "Recurrent classifiers over frozen random scaffolds: CfC (time gaps as input) and LSTM, adapters on "
        + "every gate matrix, head trained; image rows as steps, or labelled time series from CSV, irregular ones "
        + "included; AUROC and class weighting for binary tasks.",
    subcommands = {SequenceTrainCommand.class, SequenceEvalCommand.class, SequencePredictCommand.class})
final class SequenceCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
