package org.lottalora.cli;

import org.lottalora.core.engine.MatrixMode;
import org.lottalora.models.transformer.Targets;
import picocli.CommandLine.Option;

/**
 * The Transformer commands' choice of which matrices carry adapters, which are trained in full and which stay
 * frozen ({@code --attention}, {@code --mlp}); unset, each family keeps the paper's choice.
 */
final class TargetsOptions {
  @Option(names = "--attention", paramLabel = "MODE", description = "W_Q, W_K, W_V, W_O: adapter, full or frozen "
      + "(default: adapter).")
  String attention;

  @Option(names = "--mlp", paramLabel = "MODE", description = "The MLP matrices: adapter, full or frozen (default: "
      + "the paper's choice: frozen for lm and text, adapter for vit).")
  String mlp;

  /**
   * The targets these options give over the family's {@code defaults}; {@code --full} trains every matrix.
   *
   * @throws IllegalArgumentException on an unknown mode, or --full with a mode other than full
   */
  Targets resolve(Targets defaults, boolean full) {
    MatrixMode a = attention == null ? null : MatrixMode.parse(attention);
    MatrixMode m = mlp == null ? null : MatrixMode.parse(mlp);
    if (full) {
      if ((a != null && a != MatrixMode.FULL) || (m != null && m != MatrixMode.FULL)) {
        throw new IllegalArgumentException("--full trains every matrix; drop --attention / --mlp, or drop --full");
      }
      return Targets.FULL;
    }
    return new Targets(a == null ? defaults.attention() : a, m == null ? defaults.mlp() : m);
  }
}
