package org.lottalora.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.models.transformer.LmPreset;
import org.lottalora.models.transformer.Targets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lottalora lm presets}: the named model shapes and their sizes. */
@Command(name = "presets", mixinStandardHelpOptions = true, description = "List the LM presets: shape and values.")
final class LmPresetsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      List<Object> all = new ArrayList<>();
      for (LmPreset p : LmPreset.all()) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", p.name());
        j.put("layers", p.layers());
        j.put("width", p.width());
        j.put("heads", p.heads());
        j.put("mlp_hidden", p.hidden());
        j.put("context", p.context());
        j.put("values", p.spec(0, InitSpec.DEFAULT, AdapterConfig.defaults(1), Targets.LM).modelValues());
        all.add(j);
      }
      o.println(Json.write(all));
    } else {
      for (LmPreset p : LmPreset.all()) {
        o.println(p.describe());
      }
    }
    o.flush();
    return 0;
  }
}
