package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules docs/architecture.md states, checked on the sources: the related-work packages (spiking
 * networks, reservoirs) use none of the adapter families, only core and format (so they could leave this module
 * unchanged), and the dense-family contract does not import a family that implements it (no ModelFamily <->
 * MlpFamily cycle).
 */
class PackageDependenciesTest {
  private static final Path SRC = Path.of("src/main/java/org/lottalora/models");
  private static final Pattern REF = Pattern.compile("org\\.lottalora\\.models(\\.[a-z]+)?\\.[A-Z]");

  // every reference to a lottalora-models class outside the file's own package, as "file -> reference"
  private static List<String> foreignReferences(String pkg) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SRC.resolve(pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = REF.matcher(Files.readString(f));
        while (m.find()) {
          String sub = m.group(1) == null ? "" : m.group(1).substring(1);
          if (!sub.equals(pkg)) {
            out.add(f.getFileName() + " -> " + m.group());
          }
        }
      }
    }
    return out;
  }

  @Test
  void spikingAndReservoirPackagesDependOnCoreAndFormatOnly() throws IOException {
    assertEquals(List.of(), foreignReferences("snn"));
    assertEquals(List.of(), foreignReferences("reservoir"));
  }

  @Test
  void theDenseFamilyContractDoesNotImportItsImplementations() throws IOException {
    String contract = Files.readString(SRC.resolve("ModelFamily.java"));
    assertTrue(!contract.contains("org.lottalora.models.mlp") && !contract.contains("org.lottalora.models.cnn"),
        "ModelFamily must not depend on a family that implements it");
  }

  @Test
  void theRuleSeesAForeignReference() throws IOException {
    // the check itself: the conversion package bridges the adapter families and the simulator, so it has some
    assertTrue(foreignReferences("conversion").stream().anyMatch(r -> r.contains("org.lottalora.models.snn.")
        || r.contains("org.lottalora.models.L") || r.contains("org.lottalora.models.M")),
        foreignReferences("conversion").toString());
  }
}
