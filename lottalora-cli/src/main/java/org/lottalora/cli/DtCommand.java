package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lottalora dt}: the Decision Transformer family's own verbs. Training, evaluation, prediction and sweeps go
 * through the verbs every family shares ({@code train --family dt}, {@code eval}, {@code predict},
 * {@code sweep --family dt}); here are what only this family has: generating offline datasets and rolling a
 * model out at several target returns.
 */
@Command(name = "dt", mixinStandardHelpOptions = true,
    description = "Decision Transformer (offline RL) over a frozen random scaffold: generate offline datasets of "
        + "the built-in tasks (cartpole, pendulum) and roll models out at target returns. Train with `lottalora "
        + "train --family dt`, score with `lottalora eval`, act with `lottalora predict`, sweep ranks with "
        + "`lottalora sweep --family dt`.",
    subcommands = {DtDatasetCommand.class, DtRolloutCommand.class})
final class DtCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
