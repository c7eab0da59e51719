package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.cli.CliTest.Run;

/**
 * Bad data and command-line inputs from issue 18, end to end: each refused with one line, the right exit code
 * and no artifact, and the corrected command then accepted.
 */
class BadDataCliTest {
  @TempDir
  Path dir;

  /** 300 rows of 4 features, labels i % 3, in CSV; line {@code badLine} replaced by {@code bad} if > 0. */
  static String csv(int badLine, String bad) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      sb.append(i == badLine ? bad : (i % 5) + "," + (i % 7) * 0.5 + "," + (i % 3) + ",1," + (i % 3)).append('\n');
    }
    return sb.toString();
  }

  private Run train(Path data, Path out) {
    return CliTest.run("train", "--family", "linear", "--widths", "8", "--rank", "2", "--epochs", "1", "--dataset",
        data.toString(), "--out", out.toString(), "--quiet");
  }

  @Test
  void csvTrainingDataIsCheckedBeforeAnySplit() throws IOException {
    Path data = dir.resolve("d.csv");
    Path out = dir.resolve("m.lotta");
    for (int line : new int[] {1, 150, 300}) { // wherever the split would put the row
      Files.writeString(data, csv(line, "1,NaN,0,1,2"));
      ArtifactCliTest.oneLineFailure(train(data, out), 1, data + " line " + line + ", column 2", "'NaN'",
          "not a finite number");
    }
    Files.writeString(data, csv(7, "1,2,3,4,1000000"));
    ArtifactCliTest.oneLineFailure(train(data, out), 1, "line 7: label 1000000 would make 1000001 classes",
        "relabel");
    Files.writeString(data, csv(7, "1,2,3,4,2147483647"));
    Run r = train(data, out);
    ArtifactCliTest.oneLineFailure(r, 1, "2147483648 classes");
    assertFalse(r.err().contains("-2147483648"), r.err());
    Files.writeString(data, csv(7, "1,2,3,4,5"));
    ArtifactCliTest.oneLineFailure(train(data, out), 1, "labels run to 5 (line 7) but 2 labels never occur (3, 4)");
    assertFalse(Files.exists(out), "no artifact from refused data");
    Files.writeString(data, csv(0, null));
    assertEquals(0, train(data, out).code());
    Run same = CliTest.run("eval", out.toString(), "--dataset", data.toString());
    assertEquals(0, same.code(), same.err());
    assertFalse(same.err().contains("warning"), same.err());
    Run other = CliTest.run("eval", out.toString(), "--dataset", data.toString(), "--split-seed", "1");
    assertEquals(0, other.code(), other.err());
    assertTrue(other.err().contains("warning: the training rows of " + data + " under split seed 1 are not the ones"),
        other.err());
  }

  @Test
  void truncatedGzipIsNamedForTrainAndPredict() throws IOException {
    Path model = dir.resolve("m.lotta");
    Path data = dir.resolve("d.csv");
    Files.writeString(data, csv(0, null));
    assertEquals(0, train(data, model).code());
    Path gz = dir.resolve("rows.csv.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(csv(0, null).getBytes(StandardCharsets.UTF_8));
    }
    byte[] all = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(all, all.length - 20));
    ArtifactCliTest.oneLineFailure(CliTest.run("predict", model.toString(), gz.toString()), 1,
        gz + ": truncated or corrupt gzip");
    ArtifactCliTest.oneLineFailure(train(gz, dir.resolve("m2.lotta")), 1, gz + ": truncated or corrupt gzip");
    ArtifactCliTest.oneLineFailure(CliTest.run("eval", model.toString(), "--dataset", gz.toString()), 1,
        "truncated or corrupt gzip");
  }

  @Test
  void aRefusedSweepGridLeavesNothingBehind() {
    Path out = dir.resolve("s");
    // a rank above the widths is capped now, so the grid is refused for a network the 8x8 digits cannot feed
    String[] bad = SweepCliTest.grid(out, "--no-full", "--family", "cnn");
    bad[Arrays.asList(bad).indexOf("--widths") + 1] = "4,8,16,32,64";
    ArtifactCliTest.oneLineFailure(CliTest.run(bad), 2, "a 8x8 image is too small");
    assertFalse(Files.exists(out.resolve("sweep.json")), "no sweep.json from a refused grid");
    String[] fixedArgs = SweepCliTest.grid(out, "--no-full");
    fixedArgs[Arrays.asList(fixedArgs).indexOf("--ranks") + 1] = "1";
    Run fixed = CliTest.run(fixedArgs);
    assertEquals(0, fixed.code(), fixed.err());
  }

  @Test
  void aKilledWritersTemporaryFileIsRemovedByTheNextSave() throws IOException {
    Path out = dir.resolve("m.lotta");
    Path stale = Files.writeString(dir.resolve(".m.lotta.pid2147483646.42.tmp"), "half an artifact");
    Path data = dir.resolve("d.csv");
    Files.writeString(data, csv(0, null));
    assertEquals(0, train(data, out).code());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(out));
  }
}
