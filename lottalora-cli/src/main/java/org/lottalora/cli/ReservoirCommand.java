package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora reservoir}: the reservoir-computing commands. */
@Command(name = "reservoir", mixinStandardHelpOptions = true,
    description = "Reservoir computing: echo state networks and ring-oscillator reservoirs, shipped as seed + "
        + "readout (+ adapter).",
    subcommands = {ReservoirTrainCommand.class, ReservoirEvalCommand.class, ReservoirForecastCommand.class,
        ReservoirSearchCommand.class})
final class ReservoirCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
