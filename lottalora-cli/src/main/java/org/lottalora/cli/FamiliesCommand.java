package org.lottalora.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.family.Family;
import org.lottalora.core.family.FamilyOption;
import org.lottalora.core.family.FamilyRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora families}: the registered model families, their metric and the settings each takes. */
@Command(name = "families", mixinStandardHelpOptions = true,
    description = "List the registered model families (every id that train, sweep, eval and predict take), each "
        + "with its metric and its settings with their defaults.")
final class FamiliesCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      List<Object> all = new ArrayList<>();
      for (Family f : FamilyRegistry.all().values()) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", f.id());
        j.put("description", f.description());
        j.put("metric", f.metric().name().toLowerCase(Locale.ROOT));
        Map<String, Object> opts = new LinkedHashMap<>();
        for (FamilyOption x : f.options()) {
          opts.put(x.name(), x.defaultText());
        }
        j.put("settings", opts);
        all.add(j);
      }
      o.println(Json.write(Map.of("families", all)));
    } else {
      for (Family f : FamilyRegistry.all().values()) {
        o.printf(Locale.ROOT, "%-7s %s (metric: %s)%n", f.id(), f.description(),
            f.metric().name().toLowerCase(Locale.ROOT));
        StringBuilder b = new StringBuilder();
        for (FamilyOption x : f.options()) {
          b.append(b.length() == 0 ? "" : "  ").append("--").append(x.name())
              .append(x.defaultText() == null ? " (required)" : " " + x.defaultText());
        }
        o.println("        " + b);
      }
      o.println("related work, on their own commands: reservoir (esn, ring), snn (diehl-cook, lm-snn, lc-snn, delay)");
    }
    o.flush();
    return 0;
  }
}
