package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.cli.CliTest.Run;

/** inspect, verify, predict, convert, export, diff, sign and keygen end to end, good input and bad. */
class ArtifactCliTest {
  @TempDir
  static Path dir;
  static Path model;
  static Path key;
  static Path pub;

  @BeforeAll
  static void trainASignedModel() {
    Run k = CliTest.run("keygen", "--out", dir.resolve("k").toString());
    assertEquals(0, k.code(), k.err());
    key = dir.resolve("k.pem");
    pub = dir.resolve("k.pub.pem");
    model = dir.resolve("m.lotta");
    Run r = CliTest.run("train", "--widths", "64,32", "--rank", "4", "--epochs", "3", "--lr", "1e-2", "--out",
        model.toString(), "--sign-key", key.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
  }

  static void oneLineFailure(Run r, int code, String... mentions) {
    assertEquals(code, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    for (String m : mentions) {
      assertTrue(r.err().contains(m), "'" + m + "' in " + r.err());
    }
  }

  @Test
  void inspectShowsEverythingForPeopleAndScripts() {
    Run r = CliTest.run("inspect", model.toString());
    assertEquals(0, r.code(), r.err());
    for (String s : new String[] {"philox4x64-10/v1", "seed 0", "rank 4", "Ed25519, key", "layers.0.lora_A",
        "dense model, fp32 safetensors", "matrices as int8", "<- this file", "digits"}) {
      assertTrue(r.out().contains(s), "'" + s + "' in\n" + r.out());
    }
    Run j = CliTest.run("inspect", model.toString(), "--json");
    assertEquals(0, j.code(), j.err());
    String json = j.out().strip();
    assertTrue(json.startsWith("{") && !json.contains("\n"), json);
    for (String s : new String[] {"\"signed\":true", "\"generator\":\"philox4x64-10/v1\"", "\"artifact_bytes_by_dtype\":",
        "\"dense_fp16_safetensors_bytes\":", "\"role\":\"LORA_B\"", "\"dataset_sha256\":\""}) {
      assertTrue(json.contains(s), s + " in " + json);
    }
  }

  @Test
  void verifyChecksEverythingAndNamesWhatFails() throws Exception {
    Run ok = CliTest.run("verify", model.toString(), "--public-key", pub.toString(), "--full");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("ok    signer") && ok.out().contains("ok    full hash"), ok.out());
    Run other = CliTest.run("keygen", "--out", dir.resolve("other").toString());
    assertEquals(0, other.code());
    oneLineFailure(CliTest.run("verify", model.toString(), "--public-key", dir.resolve("other.pub.pem").toString()),
        1, "signed by key", "which is not trusted");
    byte[] b = Files.readAllBytes(model);
    b[b.length / 2] ^= 0x08;
    Path bad = dir.resolve("tampered.lotta");
    Files.write(bad, b);
    oneLineFailure(CliTest.run("verify", bad.toString()), 1, "damaged or was modified");
    oneLineFailure(CliTest.run("inspect", bad.toString()), 1, "damaged or was modified");
    oneLineFailure(CliTest.run("predict", bad.toString(), "-"), 1, "damaged or was modified");
    oneLineFailure(CliTest.run("verify", dir.resolve("nothing.lotta").toString()), 1, "no such artifact");
    Files.writeString(dir.resolve("text.lotta"), "hello");
    oneLineFailure(CliTest.run("verify", dir.resolve("text.lotta").toString()), 1, "not a .lotta artifact");
    Path unsigned = dir.resolve("unsigned.lotta");
    assertEquals(0, CliTest.run("convert", model.toString(), "--dtype", "fp32", "-o", unsigned.toString()).code());
    oneLineFailure(CliTest.run("verify", unsigned.toString(), "--public-key", pub.toString()), 1, "is not signed");
    Run s = CliTest.run("sign", unsigned.toString(), "--key", key.toString());
    assertEquals(0, s.code(), s.err());
    assertEquals(0, CliTest.run("verify", unsigned.toString(), "--public-key", pub.toString()).code());
    oneLineFailure(CliTest.run("sign", unsigned.toString(), "--key", pub.toString()), 2, "public key");
  }

  @Test
  void predictReadsCsvFilesStdinAndIdx() throws Exception {
    StringBuilder csv = new StringBuilder();
    try (InputStream in = new java.util.zip.GZIPInputStream(getClass().getResourceAsStream(
        "/org/lottalora/core/data/digits.csv.gz"))) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < 20; i++) {
        csv.append(lines[i]).append('\n');
      }
    }
    Path f = dir.resolve("in.csv");
    Files.writeString(f, csv);
    Run r = CliTest.run("predict", model.toString(), f.toString(), "-k", "2");
    assertEquals(0, r.code(), r.err());
    assertEquals(21, r.out().strip().lines().count(), r.out());
    assertTrue(r.out().contains("accuracy "), r.out());
    Run merged = CliTest.run("predict", model.toString(), f.toString(), "--merged", "--json");
    assertEquals(0, merged.code(), merged.err());
    assertTrue(merged.out().lines().allMatch(l -> l.startsWith("{")), merged.out());
    InputStream old = System.in;
    try {
      String noLabels = csv.toString().lines().map(l -> l.substring(0, l.lastIndexOf(','))).reduce("",
          (a, b) -> a + b + "\n");
      System.setIn(new ByteArrayInputStream(noLabels.getBytes(StandardCharsets.UTF_8)));
      Run s = CliTest.run("predict", model.toString());
      assertEquals(0, s.code(), s.err());
      assertEquals(20, s.out().strip().lines().count());
      assertFalse(s.out().contains("accuracy"));
      System.setIn(new ByteArrayInputStream("1,2,3\n".getBytes(StandardCharsets.UTF_8)));
      oneLineFailure(CliTest.run("predict", model.toString()), 1, "line 1: 3 values", "64 features");
    } finally {
      System.setIn(old);
    }
    // an IDX file of 8x8 images: the digits rows as bytes
    Path idx = dir.resolve("images-idx3-ubyte");
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(idx))) {
      o.writeInt(0x00000803);
      o.writeInt(3);
      o.writeInt(8);
      o.writeInt(8);
      for (int i = 0; i < 3 * 64; i++) {
        o.writeByte(i % 17);
      }
    }
    Run x = CliTest.run("predict", model.toString(), idx.toString(), "-k", "1");
    assertEquals(0, x.code(), x.err());
    assertEquals(3, x.out().strip().lines().count(), x.out());
    oneLineFailure(CliTest.run("predict", model.toString(), f.toString(), "-k", "0"), 2, "--top-k");
  }

  @Test
  void convertExportAndDiff() throws Exception {
    Path q = dir.resolve("q.lotta");
    Run c = CliTest.run("convert", model.toString(), "--dtype", "int8", "-o", q.toString(), "--eval");
    assertEquals(0, c.code(), c.err());
    assertTrue(c.out().contains("matrices as int8") && c.out().contains("predictions changed"), c.out());
    assertTrue(c.out().contains("unsigned"), "says the old signature is gone: " + c.out());
    assertTrue(Files.size(q) < Files.size(model) * 0.5);
    Run d = CliTest.run("diff", model.toString(), q.toString(), "--json");
    assertEquals(0, d.code(), d.err());
    assertTrue(d.out().contains("\"same_backbone\":true") && d.out().contains("\"status\":\"DIFFERS\""), d.out());
    oneLineFailure(CliTest.run("convert", model.toString(), "--dtype", "fp8", "-o", q.toString()), 2, "fp8");
    Path st = dir.resolve("m.safetensors");
    Run e = CliTest.run("export", model.toString(), "-o", st.toString(), "--dtype", "fp16");
    assertEquals(0, e.code(), e.err());
    assertTrue(Files.size(st) > Files.size(model));
    Run p = CliTest.run("export", model.toString(), "--format", "peft", "-o", dir.resolve("peft").toString());
    assertEquals(0, p.code(), p.err());
    assertTrue(Files.exists(dir.resolve("peft/adapter_config.json")));
    assertTrue(p.err().contains("PEFT has no per-layer beta"), p.err());
    oneLineFailure(CliTest.run("export", model.toString(), "-o", st.toString(), "--dtype", "int8"), 2, "int8");
    oneLineFailure(CliTest.run("export", model.toString(), "--format", "onnx", "-o", st.toString()), 2, "onnx");
  }

  @Test
  void keygenNeverOverwrites() {
    oneLineFailure(CliTest.run("keygen", "--out", dir.resolve("k").toString()), 1, "never overwrites");
  }
}
