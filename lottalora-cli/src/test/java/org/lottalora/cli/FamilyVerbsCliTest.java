package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.models.Lotta;
import org.lottalora.models.graph.GraphModel;

/**
 * The verbs over every family: sweep and train take any registered id, route or refuse in one line naming the
 * family; an LM sweep is scored by held-out loss; plain eval reads a graph artifact's family.
 */
class FamilyVerbsCliTest {
  @TempDir
  Path dir;

  @Test
  void unknownFamiliesAndForeignOptionsAreRefusedNamingTheFamily() {
    CliTest.Run unknown = CliTest.run("sweep", "--family", "transformer", "--out", dir.resolve("a").toString());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown model family 'transformer'; valid: ")
        && unknown.err().contains("gcn") && unknown.err().contains("lm"), unknown.err());
    CliTest.Run related = CliTest.run("sweep", "--family", "esn", "--out", dir.resolve("b").toString());
    assertEquals(2, related.code());
    assertTrue(related.err().contains("lottalora reservoir train"), related.err());
    CliTest.Run widths = CliTest.run("sweep", "--family", "lm", "--dataset", "x.txt", "--widths", "64", "--out",
        dir.resolve("c").toString());
    assertEquals(2, widths.code());
    assertTrue(widths.err().contains("family lm does not take --widths; it takes --dataset"), widths.err());
    CliTest.Run epochs = CliTest.run("sweep", "--family", "lm", "--epochs", "3", "--out", dir.resolve("d").toString());
    assertEquals(2, epochs.code());
    assertTrue(epochs.err().contains("family lm does not take --epochs"), epochs.err());
    CliTest.Run data = CliTest.run("sweep", "--family", "lm", "--out", dir.resolve("e").toString());
    assertEquals(2, data.code());
    assertTrue(data.err().contains("family lm needs --dataset"), data.err());
    CliTest.Run train = CliTest.run("train", "--family", "vit", "--widths", "3", "-o", dir.resolve("v.lotta")
        .toString());
    assertEquals(2, train.code());
    assertTrue(train.err().contains("family vit does not take --widths 3; it takes"), train.err());
    CliTest.Run hidden = CliTest.run("train", "--family", "mlp", "--hidden", "3");
    assertEquals(2, hidden.code());
    assertTrue(hidden.err().contains("family mlp does not take --hidden"), hidden.err());
    for (String f : new String[] {"a", "b", "c", "d", "e"}) {
      assertFalse(Files.exists(dir.resolve(f)), "a refused grid leaves no folder");
    }
  }

  @Test
  void anLmSweepIsScoredByHeldOutLossAndAGraphFamilyTrainsThroughTheVerb() throws Exception {
    Path text = dir.resolve("small.txt");
    Files.writeString(text, "In the beginning God created the heaven and the earth. And the earth was without form."
        .repeat(60));
    Path sweep = dir.resolve("lm");
    CliTest.Run s = CliTest.run("sweep", "--family", "lm", "--dataset", text.toString(), "--preset", "tiny",
        "--steps", "3", "--seq-len", "32", "--eval-bytes", "2000", "--ranks", "1,2", "--seeds", "0", "--out",
        sweep.toString(), "--quiet");
    assertEquals(0, s.code(), s.err());
    String report = Files.readString(sweep.resolve("report.md"));
    assertTrue(report.contains("scored by held-out loss") && report.contains("| loss | 0.050 nats |"), report);
    assertTrue(report.contains("Family settings: attention adapter, eval-bytes 2000, mlp frozen, preset tiny, "
        + "seq-len 32, steps 3"), report);
    assertTrue(s.out().contains("r*(0.050 nats)"), s.out());
    String json = Files.readString(sweep.resolve("sweep.json"));
    assertTrue(json.contains("\"preset\" : \"tiny\""), json);
    Path grid = dir.resolve("grid.json");
    Files.writeString(grid, json.replace("\"preset\" : \"tiny\"", "\"preset\" : \"tiny\", \"depth\" : \"3\""));
    CliTest.Run foreign = CliTest.run("sweep", "--config", grid.toString(), "--out", dir.resolve("g2").toString());
    assertEquals(2, foreign.code());
    assertTrue(foreign.err().contains("family lm does not take --depth"), foreign.err());
    assertFalse(Files.exists(dir.resolve("g2")));

    Path g = dir.resolve("g.lotta");
    CliTest.Run t = CliTest.run("train", "--family", "gcn", "--dataset", "sbm:nodes=200,blocks=2,dims=8",
        "--epochs", "5", "--rank", "2", "-o", g.toString(), "--quiet");
    assertEquals(0, t.code(), t.err());
    assertTrue(Lotta.load(g) instanceof GraphModel);
    CliTest.Run e = CliTest.run("eval", g.toString());
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("(gcn)"), e.out());
  }
}
