package org.lottalora.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The family-specific settings a grid command takes for every family ({@code sweep --family lm --preset tiny
 * --steps 200}): declared here once, as text, so that {@code --help} lists them; which of them a family takes, and
 * their defaults, is the family's own {@link Family#options()}, and {@link #given} hands only those the user gave
 * to {@link Family#resolve}, which refuses the others naming the family.
 */
final class FamilySettings {
  @Option(names = "--preset", description = "lm: model shape (tiny, small, 3m, ...; default tiny).")
  String preset;

  @Option(names = "--steps", description = "lm: optimizer steps per run (default 200).")
  String steps;

  @Option(names = "--seq-len", description = "lm: bytes per window (default 64).")
  String seqLen;

  @Option(names = "--val-fraction", description = "lm: held-out tail of the text; gcn, gin: share that picks the "
      + "epoch.")
  String valFraction;

  @Option(names = "--eval-bytes", description = "lm: held-out bytes scored (default 65536; 0: all).")
  String evalBytes;

  @Option(names = "--train-fraction", description = "gcn, gin: share of nodes or graphs that trains.")
  String trainFraction;

  @Option(names = "--hidden", description = "gcn, gin: hidden widths (default 64,64); cfc, lstm: state size "
      + "(default 32).")
  String hidden;

  @Option(names = "--units", description = "cfc: backbone width (default 32).")
  String units;

  @Option(names = "--patch", description = "vit: patch side (default 0: a quarter of the image side).")
  String patch;

  @Option(names = "--width", description = "vit, text: model width (default 64).")
  String width;

  @Option(names = "--heads", description = "vit, text: attention heads (default 4).")
  String heads;

  @Option(names = "--layers", description = "vit, text: blocks (default 4 for vit, 2 for text).")
  String layers;

  @Option(names = "--mlp-hidden", description = "vit, text: MLP width (default 128).")
  String mlpHidden;

  @Option(names = "--max-len", description = "text: context in bytes (default 128).")
  String maxLen;

  @Option(names = "--attention", description = "vit, text, lm: W_Q, W_K, W_V, W_O as adapter (default), full or "
      + "frozen.")
  String attention;

  @Option(names = "--mlp", description = "vit, text, lm: the MLP matrices as adapter, full or frozen (default: "
      + "adapter for vit, frozen for text and lm, the paper's choice).")
  String mlp;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A family setting that has no option here (a "
      + "family added outside this build), e.g. --set temperature=2; repeatable.")
  Map<String, String> set;

  /**
   * The settings among {@code names} (family-specific ones and the shared {@link FamilyOption#SHARED}) that were
   * given on this command line, by name without dashes, as their text.
   */
  static Map<String, String> given(CommandLine.ParseResult pr, List<String> names) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String n : names) {
      if (!n.equals("set") && pr.hasMatchedOption("--" + n)) {
        m.put(n, String.join(",", pr.matchedOption("--" + n).stringValues()));
      }
    }
    if (pr.hasMatchedOption("--set")) {
      Map<String, String> set = pr.matchedOptionValue("--set", Map.of());
      for (Map.Entry<String, String> e : set.entrySet()) {
        if (m.containsKey(e.getKey())) {
          throw new IllegalArgumentException("--" + e.getKey() + " is given twice (once as --set " + e.getKey()
              + "=...): give it once");
        }
        m.put(e.getKey(), e.getValue());
      }
    }
    return m;
  }

  /** Every setting name this mixin and the shared options declare. */
  static List<String> names(CommandLine.Model.CommandSpec spec) {
    List<String> out = new java.util.ArrayList<>(FamilyOption.SHARED);
    out.addAll(own(spec));
    return out;
  }

  /** The setting names this mixin declares (the family-specific ones, and "set"). */
  static List<String> own(CommandLine.Model.CommandSpec spec) {
    List<String> out = new java.util.ArrayList<>();
    for (CommandLine.Model.OptionSpec o : spec.options()) {
      String n = o.longestName().substring(2);
      if (o.userObject() instanceof java.lang.reflect.Field f && f.getDeclaringClass() == FamilySettings.class) {
        out.add(n);
      }
    }
    return out;
  }
}
