package org.lottalora.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.family.FamilyRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The family-specific settings of the commands that take every family ({@code sweep --family lm --preset tiny
 * --steps 200}, {@code train --family F}): {@link #declare} adds one option per setting any registered family
 * declares in {@link Family#options()} (so a family added outside this build gets its own options too, and
 * {@code --help} lists them with the families that take them); which a family takes, and their defaults, stay the
 * family's, and {@link #given} hands only those the user gave to {@link Family#resolve}, which refuses the others
 * naming the family. {@code --set NAME=VALUE} is the same for any setting.
 */
final class FamilySettings {
  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A family setting by name, e.g. --set "
      + "temperature=2 (the same as --temperature 2); repeatable.")
  Map<String, String> set;

  /** Every family setting that is not a shared one, with the families that take it and their defaults. */
  static Map<String, List<String>> registered() {
    Map<String, List<String>> byName = new TreeMap<>();
    for (Family f : FamilyRegistry.all().values()) {
      for (FamilyOption o : f.options()) {
        if (!FamilyOption.SHARED.contains(o.name())) {
          byName.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(f.id() + ": " + o.help()
              + (o.defaultText() == null ? "" : ", default " + o.defaultText()));
        }
      }
    }
    return byName;
  }

  /** Adds an option for every registered family setting that {@code command} does not declare itself. */
  static void declare(CommandLine.Model.CommandSpec command) {
    registered().forEach((name, uses) -> {
      if (command.findOption("--" + name) == null) {
        command.addOption(CommandLine.Model.OptionSpec.builder("--" + name).type(String.class).paramLabel("VALUE")
            .description(String.join("; ", uses) + ".").build());
      }
    });
  }

  /**
   * The settings among {@code names} (family-specific ones and the shared {@link FamilyOption#SHARED}) that were
   * given on this command line, by name without dashes, as their text; {@code --set} entries included.
   *
   * @throws IllegalArgumentException when a setting is given both as an option and with --set
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

  /** Every setting name the command takes for a family: the shared ones and the registered family settings. */
  static List<String> names(CommandLine.Model.CommandSpec spec) {
    List<String> out = new ArrayList<>(FamilyOption.SHARED);
    out.addAll(own(spec));
    return out;
  }

  /** The registered family settings (not the shared ones) this command declares, and "set". */
  static List<String> own(CommandLine.Model.CommandSpec spec) {
    List<String> out = new ArrayList<>();
    for (String n : registered().keySet()) {
      if (spec.findOption("--" + n) != null) {
        out.add(n);
      }
    }
    out.add("set");
    return out;
  }
}
