package org.lottalora.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.lottalora.core.LottaException;
import org.lottalora.format.ArtifactException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lottalora} command: lists the subcommands and maps failures to exit codes. Exit 0: success;
 * 2: bad usage (an unknown option, a value out of range, an unknown dataset or init family); 1: a failure
 * (a missing or malformed file, a diverged run, an unwritable path). Errors print one line, no stack trace
 * ({@code LOTTALORA_DEBUG=1} adds it).
 */
@Command(name = "lottalora", mixinStandardHelpOptions = true, version = "lottalora 0.1.0",
    description = "Train and ship low-rank adapters over frozen, seed-regenerated random backbones.",
    subcommands = {TrainCommand.class, FamiliesCommand.class, EvalCommand.class, PredictCommand.class,
        InspectCommand.class,
        VerifyCommand.class, ConvertCommand.class, ExportCommand.class, DiffCommand.class, SignCommand.class,
        KeygenCommand.class, SweepCommand.class, ReportCommand.class, GatingCommand.class, BackboneCommand.class,
        ReservoirCommand.class, SnnCommand.class, GraphCommand.class, SequenceCommand.class, LmCommand.class,
        GenerateCommand.class, VitCommand.class, TextCommand.class, DtCommand.class, AdaptCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (missing or malformed file, diverged run, unwritable path)",
        "2:bad usage (unknown option, value out of range, unknown dataset or init family)"})
public final class LottaLoraCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with the project's exit-code mapping. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LottaLoraCli());
    // every registered family's own settings become options of the verbs that take every family
    FamilySettings.declare(cl.getSubcommands().get("sweep").getCommandSpec());
    FamilySettings.declare(cl.getSubcommands().get("train").getCommandSpec());
    // a usage mistake gets one line naming it, not the whole help text
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      String routed = ex instanceof CommandLine.UnmatchedArgumentException u ? VerbRouter.unknownOption(u) : null;
      if (routed != null) {
        err.println("lottalora " + ex.getCommandLine().getCommandName() + ": " + routed);
        err.flush();
        return 2;
      }
      err.println("lottalora " + ex.getCommandLine().getCommandName() + ": " + ex.getMessage() + " (see "
          + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      err.flush();
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, line, parse) -> {
      PrintWriter err = line.getErr();
      int code;
      if (ex instanceof IllegalArgumentException) {
        code = 2;
      } else if (ex instanceof LottaException || ex instanceof ArtifactException) {
        code = 1;
      } else {
        code = 1;
        err.println("lottalora: internal error: " + ex);
      }
      if (code != 1 || ex instanceof LottaException || ex instanceof ArtifactException) {
        err.println(line.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
      }
      if (System.getenv("LOTTALORA_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    });
    return cl;
  }

  /** Entry point. */
  public static void main(String[] args) {
    CommandLine cl = commandLine();
    // UTF-8 whatever the locale: under a C locale Java's default writer turns every non-ASCII character (a
    // generated "café", a path) into '?' without a word
    cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    int code;
    try {
      code = cl.execute(VerbRouter.route(args));
    } catch (OutOfMemoryError e) {
      // the readers refuse what they can size beforehand; this is the backstop for what they cannot
      System.err.println("lottalora: out of memory (-Xmx is " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB): run java with a larger -Xmx, or give a smaller input");
      code = 1;
    }
    System.exit(code);
  }
}
