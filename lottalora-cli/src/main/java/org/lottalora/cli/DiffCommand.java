package org.lottalora.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactDiff;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lottalora diff}: same backbone? which tensors differ, by how much? */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Compare two artifacts: whether they stand on the same backbone (generator, seed, tensor "
        + "shapes, init specs, fingerprints), how their specs differ, and per trained tensor whether it differs "
        + "and by how much (max |a-b| and relative L2 of the decoded values). Exit 0 either way.")
final class DiffCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "A", description = "First artifact.")
  Path a;

  @Parameters(index = "1", paramLabel = "B", description = "Second artifact.")
  Path b;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    org.lottalora.format.TrustPolicy policy = trust.policy();
    ArtifactDiff d = ArtifactDiff.of(ArtifactCodec.read(a, policy), ArtifactCodec.read(b, policy));
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("identical", d.identical());
      j.put("same_backbone", d.sameBackbone());
      j.put("backbone_differences", d.backboneDifferences());
      j.put("spec_differences", d.specDifferences());
      List<Object> ts = new ArrayList<>();
      for (ArtifactDiff.TensorDiff t : d.tensors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("status", t.status().name());
        m.put("max_abs", Double.isNaN(t.maxAbs()) ? null : t.maxAbs());
        m.put("rel_l2", Double.isNaN(t.relL2()) || Double.isInfinite(t.relL2()) ? null : t.relL2());
        m.put("dtype_a", t.dtypeA());
        m.put("dtype_b", t.dtypeB());
        ts.add(m);
      }
      j.put("tensors", ts);
      o.println(Json.write(j));
      o.flush();
      return 0;
    }
    o.println("backbone  " + (d.sameBackbone() ? "same (generator, seed, shapes, inits, fingerprints)"
        : "DIFFERENT: " + String.join("; ", d.backboneDifferences())));
    o.println("spec      " + (d.specDifferences().isEmpty() ? "same" : String.join("\n          ", d.specDifferences())));
    o.printf(Locale.ROOT, "%-24s %-13s %12s %12s  %s%n", "tensor", "status", "max |a-b|", "rel L2", "dtypes");
    for (ArtifactDiff.TensorDiff t : d.tensors()) {
      o.printf(Locale.ROOT, "%-24s %-13s %12s %12s  %s%n", t.name(), t.status().name().toLowerCase(Locale.ROOT),
          Double.isNaN(t.maxAbs()) ? "-" : String.format(Locale.ROOT, "%.3g", t.maxAbs()),
          Double.isNaN(t.relL2()) ? "-" : String.format(Locale.ROOT, "%.3g", t.relL2()),
          t.dtypeA() + (t.dtypeA().equals(t.dtypeB()) ? "" : " vs " + t.dtypeB()));
    }
    o.println(d.identical() ? "identical" : "different");
    o.flush();
    return 0;
  }
}
