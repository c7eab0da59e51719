package org.lottalora.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spec document's worked example (lottalora-format/docs/fixtures) stays true: the checked-in file loads
 * to the probabilities the document lists, and today's code writes exactly the checked-in bytes.
 */
class FixtureTest {
  static final Path DIR = Path.of("../lottalora-format/docs/fixtures");

  @Test
  void theCheckedInFileIsWhatThisBuildWrites() throws Exception {
    assertArrayEquals(Files.readAllBytes(DIR.resolve("tiny.lotta")), FixtureTool.bytes(),
        "the format or the generator changed: if on purpose, rerun FixtureTool and update the spec document");
  }

  @Test
  void theWorkedExamplePredictsWhatTheDocumentSays() throws Exception {
    LottaModel m = LottaModel.load(DIR.resolve("tiny.lotta"));
    float[] p = m.predict(FixtureTool.INPUT);
    List<String> expected = Files.readAllLines(DIR.resolve("tiny.expected.txt"));
    assertEquals(expected.size(), p.length);
    for (int i = 0; i < p.length; i++) {
      assertEquals(Float.parseFloat(expected.get(i)), p[i], 1e-6f, "class " + i);
    }
    float[] merged = m.merged().predict(FixtureTool.INPUT);
    assertArrayEquals(p, merged, 1e-6f);
  }
}
