package org.lottalora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lottalora lm}: byte-level LLaMA-style language models over frozen random scaffolds. */
@Command(name = "lm", mixinStandardHelpOptions = true,
    description = "Byte-level LLaMA-style language models over frozen random scaffolds (RMSNorm, RoPE, SwiGLU): "
        + "adapters on W_Q, W_K, W_V, W_O, the SwiGLU frozen random, the tied byte embedding trained. Train on any "
        + "UTF-8 text; generate with `lottalora generate`.",
    subcommands = {LmTrainCommand.class, LmEvalCommand.class, LmPresetsCommand.class})
final class LmCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
