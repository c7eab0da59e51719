package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lottalora lm train|eval|presets} and {@code lottalora generate}: a tiny LM trains on a text, reloads, scores
 * the same held-out loss in eval, and generates the same text for the same seed; and the bad inputs of issue 4
 * (a width not divisible by the heads, a window longer than the context, an empty or non-UTF-8 file with its byte
 * offset, a prompt longer than the context, an unknown preset listing the valid ones), each one line, exit 2, no
 * artifact.
 */
class LmCliTest {
  @TempDir
  Path dir;

  private static double number(String json, String key) {
    return Double.parseDouble(json.replaceAll("(?s).*\"" + key + "\":([0-9.eE-]+).*", "$1"));
  }

  private Path text() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      b.append("In the beginning God created the heaven and the earth. And the earth was without form. ");
    }
    Path f = dir.resolve("text.txt");
    Files.writeString(f, b);
    return f;
  }

  @Test
  void trainEvalAndGenerate() throws Exception {
    Path f = text();
    Path m = dir.resolve("lm.lotta");
    CliTest.Run r = CliTest.run("lm", "train", "--data", f.toString(), "--preset", "tiny", "--steps", "30",
        "--batch", "4", "--seq-len", "32", "--lr", "0.01", "--rank", "4", "-o", m.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    if (System.getenv("LOTTALORA_THREADS") == null) { // the LM trains fastest on 2 threads: its default
      assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), number(r.out(), "threads"), r.out());
    }
    double loss = number(r.out(), "validation_loss");
    assertTrue(loss < number(r.out(), "initial_loss") - 1, r.out());
    assertTrue(r.out().contains("\"reloaded_identical\":true"), r.out());
    assertTrue(r.out().contains("\"attention\":\"adapter\",\"mlp\":\"frozen\""), "the paper's default: " + r.out());
    Path mixed = dir.resolve("mixed.lotta");
    CliTest.Run mx = CliTest.run("lm", "train", "--data", f.toString(), "--preset", "tiny", "--steps", "3",
        "--batch", "2", "--seq-len", "16", "--attention", "frozen", "--mlp", "full", "-o", mixed.toString(), "--json");
    assertEquals(0, mx.code(), mx.err());
    assertTrue(mx.out().contains("\"attention\":\"frozen\",\"mlp\":\"full\""), mx.out());
    assertTrue(number(mx.out(), "trainable_values") > 2 * 3 * 64 * 172, "both SwiGLUs trained in full: " + mx.out());
    CliTest.Run mxEval = CliTest.run("lm", "eval", mixed.toString(), "--json");
    assertEquals(0, mxEval.code(), mxEval.err());
    CliTest.Run e = CliTest.run("lm", "eval", m.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(loss, number(e.out(), "loss"), 1e-9, "eval scores the same held-out tail with the same windows");
    CliTest.Run g1 = CliTest.run("generate", m.toString(), "--prompt", "In the", "--max-tokens", "20", "--seed", "3");
    CliTest.Run g2 = CliTest.run("generate", m.toString(), "--prompt", "In the", "--max-tokens", "20", "--seed", "3");
    assertEquals(0, g1.code(), g1.err());
    assertTrue(g1.out().startsWith("In the"), g1.out());
    assertEquals(g1.out(), g2.out(), "same seed, same text");
    Path ck = dir.resolve("lm.ck");
    Path m2 = dir.resolve("lm2.lotta");
    String[] resumable = {"lm", "train", "--data", f.toString(), "--preset", "tiny", "--steps", "30", "--batch", "4",
        "--seq-len", "32", "--lr", "0.01", "--rank", "4", "-o", m2.toString(), "--json", "--checkpoint", ck.toString(),
        "--checkpoint-every", "5"};
    CliTest.Run stopped = CliTest.run(concat(resumable, "--stop-after", "12"));
    assertEquals(0, stopped.code(), stopped.err());
    assertTrue(stopped.out().contains("--resume") && !Files.exists(m2), stopped.out());
    CliTest.Run resumed = CliTest.run(concat(resumable, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(loss, number(resumed.out(), "validation_loss"), "resumed after 12 steps: the same bits");
    CliTest.Run v = CliTest.run("verify", m.toString());
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().contains("byte-lm model") && v.out().contains("verified"), v.out());
    Path i8 = dir.resolve("lm8.lotta");
    CliTest.Run cv = CliTest.run("convert", m.toString(), "--dtype", "int8", "-o", i8.toString());
    assertEquals(0, cv.code(), cv.err());
    assertTrue(Files.size(i8) < Files.size(m));
    CliTest.Run e8 = CliTest.run("lm", "eval", i8.toString(), "--json");
    assertEquals(loss, number(e8.out(), "loss"), 0.05, "int8 matrices move the held-out loss little");
    CliTest.Run p = CliTest.run("lm", "presets");
    assertTrue(p.out().contains("900m") && p.out().contains("1664"), p.out());

    // a prompt that with --max-tokens does not fit the context: refused, or cut with --truncate
    String longPrompt = "x".repeat(120);
    CliTest.Run tooLong = CliTest.run("generate", m.toString(), "--prompt", longPrompt, "--max-tokens", "20");
    assertEquals(2, tooLong.code());
    assertTrue(tooLong.err().contains("context of 128"), tooLong.err());
    CliTest.Run cut = CliTest.run("generate", m.toString(), "--prompt", longPrompt, "--max-tokens", "20",
        "--truncate", "--json");
    assertEquals(0, cut.code(), cut.err());
    assertTrue(cut.out().contains("\"truncated\":true"), cut.out());

    // prompts: exact bytes from a file give what the same text gives; undecodable text is refused by position
    Path pf = dir.resolve("prompt.bin");
    Files.write(pf, "In the".getBytes(StandardCharsets.UTF_8));
    CliTest.Run fromFile = CliTest.run("generate", m.toString(), "--prompt-file", pf.toString(), "--max-tokens", "20",
        "--seed", "3");
    assertEquals(0, fromFile.code(), fromFile.err());
    assertEquals(g1.out(), fromFile.out());
    Files.write(pf, new byte[] {'a', (byte) 0xff, 'b'}); // not UTF-8: the byte LM takes it as it is
    CliTest.Run raw = CliTest.run("generate", m.toString(), "--prompt-file", pf.toString(), "--max-tokens", "5",
        "--json");
    assertEquals(0, raw.code(), raw.err());
    assertTrue(raw.out().contains("\"prompt_bytes\":3"), raw.out());
    CliTest.Run replaced = CliTest.run("generate", m.toString(), "--prompt", "caf\uFFFD\uFFFD");
    assertEquals(2, replaced.code());
    assertTrue(replaced.err().contains("--prompt character 4 is U+FFFD") && replaced.err().contains("--prompt-file")
        && replaced.err().lines().count() == 1, replaced.err());
    CliTest.Run both = CliTest.run("generate", m.toString(), "--prompt", "x", "--prompt-file", pf.toString());
    assertEquals(2, both.code());
    assertTrue(both.err().contains("exactly one"), both.err());
    CliTest.Run noFile = CliTest.run("generate", m.toString(), "--prompt-file", dir.resolve("nope").toString());
    assertEquals(1, noFile.code());
    assertTrue(noFile.err().contains("no such prompt file"), noFile.err());
  }

  @Test
  void aRunInSlicesOnTheOneLoopEndsWithTheBitsOfOneRunStraight() throws Exception {
    Path f = text();
    String[] base = {"--data", f.toString(), "--preset", "tiny", "--steps", "8", "--batch", "2", "--seq-len", "16",
        "--eval-every", "4", "--rank", "2", "--quiet"};
    Path straight = dir.resolve("straight.lotta");
    assertEquals(0, CliTest.run(concat(concat(new String[] {"lm", "train"}, base), "-o", straight.toString()))
        .code());
    Path ck = dir.resolve("lm.ckpt");
    Path sliced = dir.resolve("sliced.lotta");
    CliTest.Run first = CliTest.run(concat(concat(new String[] {"lm", "train"}, base), "--checkpoint", ck.toString(),
        "--checkpoint-every", "2", "--stop-after", "5", "-o", sliced.toString()));
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("stopped after --stop-after 5 steps"), first.out());
    assertTrue(!Files.exists(sliced), "a slice writes no artifact");
    CliTest.Run rest = CliTest.run(concat(concat(new String[] {"lm", "train"}, base), "--checkpoint", ck.toString(),
        "--checkpoint-every", "2", "--resume", "-o", sliced.toString()));
    assertEquals(0, rest.code(), rest.err());
    CliTest.Run diff = CliTest.run("diff", straight.toString(), sliced.toString());
    assertTrue(diff.out().trim().endsWith("identical"), diff.out());
    // the contract's train --family lm checkpoints through the same loop (the LM used to ignore the scope)
    Path viaVerb = dir.resolve("verb.ckpt");
    CliTest.Run verb = CliTest.run("train", "--family", "lm", "--dataset", f.toString(), "--preset", "tiny",
        "--steps", "4", "--seq-len", "16", "--batch", "2", "--checkpoint", viaVerb.toString(), "-o",
        dir.resolve("verb.lotta").toString(), "--quiet");
    assertEquals(0, verb.code(), verb.err());
    assertTrue(Files.exists(viaVerb), "train --family lm saved its state");
  }

  @Test
  void promptTextIsEncodedStrictly() {
    assertArrayEquals("café".getBytes(StandardCharsets.UTF_8), GenerateCommand.strictUtf8("café", "UTF-8"));
    assertArrayEquals(new byte[] {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80},
        GenerateCommand.strictUtf8("\uD83D\uDE00", "UTF-8"), "a surrogate pair is one character");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GenerateCommand.strictUtf8("\uD83D\uDE00ab\uD800c", "UTF-8"));
    assertTrue(e.getMessage().contains("character 4 is an unpaired surrogate"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GenerateCommand.strictUtf8("ab\uFFFD", "ANSI_X3.4-1968"));
    assertTrue(e.getMessage().contains("character 3 is U+FFFD") && e.getMessage().contains("ANSI_X3.4-1968"));
  }

  @Test
  void badInputsGetOneLineAndNoArtifact() throws Exception {
    Path f = text();
    Path m = dir.resolve("bad.lotta");
    String[][] cases = {
        {"--preset", "huge"}, {"--preset", "tiny", "--width", "30", "--heads", "4"},
        {"--preset", "tiny", "--seq-len", "512"}, {"--preset", "tiny", "--mlp", "half"},
        {"--preset", "tiny", "--full", "--mlp", "frozen"},
    };
    String[] expect = {"valid presets: tiny, small", "not divisible by 4 heads", "longer than the model's context",
        "not a matrix mode; use adapter, full or frozen", "--full trains every matrix"};
    for (int i = 0; i < cases.length; i++) {
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("lm", "train", "--data",
          f.toString(), "-o", m.toString()));
      args.addAll(java.util.List.of(cases[i]));
      CliTest.Run r = CliTest.run(args.toArray(new String[0]));
      assertEquals(2, r.code(), args + ": " + r.err());
      assertTrue(r.err().contains(expect[i]), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(Files.exists(m));
    }
    Path empty = dir.resolve("empty.txt");
    Files.write(empty, new byte[0]);
    CliTest.Run r = CliTest.run("lm", "train", "--data", empty.toString(), "-o", m.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is empty"), r.err());
    Path latin = dir.resolve("latin1.txt");
    byte[] good = Files.readAllBytes(f);
    byte[] bad = java.util.Arrays.copyOf(good, good.length + 4);
    bad[1000] = (byte) 0xe9; // Latin-1 "é" between ASCII letters: not UTF-8
    Files.write(latin, bad);
    r = CliTest.run("lm", "train", "--data", latin.toString(), "-o", m.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("byte offset 1000"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(m));
  }

  private static String[] concat(String[] a, String... b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
