package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora snn}: the spiking-network commands. */
@Command(name = "snn", mixinStandardHelpOptions = true,
    description = "Spiking networks (BindsNET-style): Diehl & Cook and lattice-map networks trained with STDP, and "
        + "a delay-learning network; shipped as seed + what they learned. `convert` turns a trained MLP or CNN into "
        + "a rate-coded spiking network.",
    subcommands = {SnnTrainCommand.class, SnnEvalCommand.class, SnnInspectCommand.class,
        SnnSimulateCommand.class, SnnConvertCommand.class})
final class SnnCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
