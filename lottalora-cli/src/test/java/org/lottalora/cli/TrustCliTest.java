package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lottalora.cli.ArtifactCliTest.oneLineFailure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.cli.CliTest.Run;
import org.lottalora.format.Signing;

/** The trust options on every command that reads an artifact: signed, stripped, re-signed and unsigned files. */
class TrustCliTest {
  @TempDir
  static Path dir;
  static Path signed;
  static Path stripped;
  static Path foreign;
  static Path ours;
  static Path keys;

  @BeforeAll
  static void signedStrippedAndForeignFiles() throws Exception {
    assertEquals(0, CliTest.run("keygen", "--out", dir.resolve("ours").toString()).code());
    assertEquals(0, CliTest.run("keygen", "--out", dir.resolve("theirs").toString()).code());
    ours = dir.resolve("ours.pub.pem");
    keys = Files.createDirectory(dir.resolve("trusted"));
    Files.copy(ours, keys.resolve("ours.pem"));
    signed = dir.resolve("signed.lotta");
    Run r = CliTest.run("train", "--widths", "32", "--rank", "2", "--epochs", "1", "--out", signed.toString(),
        "--sign-key", dir.resolve("ours.pem").toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    stripped = Files.write(dir.resolve("stripped.lotta"), Signing.strip(Files.readAllBytes(signed)));
    foreign = dir.resolve("foreign.lotta");
    assertEquals(0, CliTest.run("sign", signed.toString(), "--key", dir.resolve("theirs.pem").toString(), "-o",
        foreign.toString()).code());
  }

  /** Every command that reads an artifact, with MODEL where the file goes and the other arguments it needs. */
  static List<String[]> commands(Path model) {
    String m = model.toString();
    String out = dir.resolve("out-" + model.getFileName()).toString();
    List<String[]> c = new ArrayList<>();
    c.add(new String[] {"inspect", m});
    c.add(new String[] {"verify", m});
    c.add(new String[] {"predict", m, "-"});
    c.add(new String[] {"eval", m});
    c.add(new String[] {"convert", m, "--dtype", "fp16", "-o", out});
    c.add(new String[] {"export", m, "-o", out + ".safetensors"});
    c.add(new String[] {"diff", signed.toString(), m});
    for (String fam : new String[] {"lm eval", "vit eval", "text eval", "graph eval", "graph predict",
        "sequence eval", "sequence predict", "reservoir eval", "reservoir forecast", "snn eval", "snn inspect",
        "snn convert"}) {
      String[] w = fam.split(" ");
      c.add(new String[] {w[0], w[1], m});
    }
    c.add(new String[] {"vit", "predict", m, dir.resolve("none.csv").toString()});
    c.add(new String[] {"text", "predict", m, "hello"});
    c.add(new String[] {"generate", m, "--prompt", "a"});
    return c;
  }

  static String[] with(String[] cmd, String... more) {
    String[] all = java.util.Arrays.copyOf(cmd, cmd.length + more.length);
    System.arraycopy(more, 0, all, cmd.length, more.length);
    return all;
  }

  @Test
  void everyCommandRefusesAStrippedOrForeignSignatureOnceAKeyIsTrusted() {
    for (String[] cmd : commands(stripped)) {
      oneLineFailure(CliTest.run(with(cmd, "--public-key", ours.toString())), 1, "is not signed",
          "signature was stripped");
    }
    for (String[] cmd : commands(foreign)) {
      oneLineFailure(CliTest.run(with(cmd, "--trusted-keys", keys.toString())), 1, "is signed by key",
          "which is not trusted");
    }
  }

  @Test
  void aSignedFileIsAcceptedWithItsKeyAndUnsignedOnesOnlyWithoutAPolicy() {
    Run v = CliTest.run("verify", signed.toString(), "--public-key", ours.toString(), "--public-key",
        dir.resolve("theirs.pub.pem").toString());
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().contains("ok    signer") && v.out().contains("2 trusted keys"), v.out());
    assertEquals(0, CliTest.run("inspect", signed.toString(), "--trusted-keys", keys.toString()).code());
    Run e = CliTest.run("eval", signed.toString(), "--require-signed", "--public-key", ours.toString());
    assertEquals(0, e.code(), e.err());
    assertEquals(0, CliTest.run("inspect", stripped.toString()).code(), "no policy: unsigned files read as before");
    oneLineFailure(CliTest.run("inspect", stripped.toString(), "--require-signed", "--trusted-keys",
        keys.toString()), 1, "is not signed");
  }

  @Test
  void requiringSignaturesWithoutAnyKeyIsAUsageError() throws Exception {
    oneLineFailure(CliTest.run("inspect", signed.toString(), "--require-signed"), 2, "no key is trusted");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    oneLineFailure(CliTest.run("predict", signed.toString(), "-", "--require-signed", "--trusted-keys",
        empty.toString()), 2, "no key is trusted");
    oneLineFailure(CliTest.run("inspect", signed.toString(), "--public-key", dir.resolve("ours.pem").toString()),
        2, "private key");
  }
}
