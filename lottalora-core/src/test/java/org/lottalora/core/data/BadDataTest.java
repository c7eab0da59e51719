package org.lottalora.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;

/** Bad data files: non-finite values, label sets that are not classes, torn gzip, the wrong IDX dataset. */
class BadDataTest {
  @TempDir
  Path dir;

  /** A CSV of {@code rows} rows of two features and labels i % 3. */
  static String csv(int rows) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      sb.append(i * 0.5).append(',').append(i % 7).append(',').append(i % 3).append('\n');
    }
    return sb.toString();
  }

  static String replaceLine(String text, int line, String with) {
    String[] lines = text.split("\n");
    lines[line - 1] = with;
    return String.join("\n", lines) + "\n";
  }

  private String refusal(Path p) {
    return assertThrows(LottaException.class, () -> CsvReader.read(p, "d")).getMessage();
  }

  @Test
  void nonFiniteValuesAreRefusedInEveryRowNamingLineAndColumn() throws IOException {
    Path p = dir.resolve("d.csv");
    // every row: the split must not decide whether a NaN is caught (it is read before any split)
    for (int line = 1; line <= 50; line += 7) {
      for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "1e999", "nan", "-inf", "INF"}) {
        Files.writeString(p, replaceLine(csv(50), line, "1.5," + bad + ",0"));
        String m = refusal(p);
        assertTrue(m.contains("line " + line + ", column 2") && m.contains("'" + bad + "'")
            && m.contains("not a finite number") && m.startsWith(p.toString()), m);
      }
    }
    Files.writeString(p, replaceLine(csv(50), 1, "NaN,1,0"));
    assertTrue(refusal(p).contains("line 1, column 1"), "a NaN first line is data, not a header");
    Files.writeString(p, replaceLine(csv(50), 1, "nan,1,0"));
    assertTrue(refusal(p).contains("line 1, column 1: 'nan' is not a finite number"));
    Files.writeString(p, replaceLine(csv(50), 1, ",1,0"));
    assertTrue(refusal(p).contains("line 1, column 1: empty value"), "an empty first value is not a header");
    Files.writeString(p, replaceLine(csv(50), 20, "2,,0"));
    assertTrue(refusal(p).contains("line 20, column 2: empty value"));
  }

  @Test
  void theSplitDependsOnTheBytesNotTheFileName() throws IOException {
    String text = csv(200);
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("NaN2.csv");
    Files.writeString(a, text);
    Files.writeString(b, text);
    DataSplits sa = Datasets.load(a.toString(), new Datasets.Options(null, false, 3));
    DataSplits sb = Datasets.load(b.toString(), new Datasets.Options(null, false, 3));
    assertArrayEquals(sa.train().features(), sb.train().features());
    assertArrayEquals(sa.validation().features(), sb.validation().features());
    assertArrayEquals(sa.test().features(), sb.test().features());
    assertArrayEquals(sa.test().labels(), sb.test().labels());
    DataSplits other = Datasets.load(a.toString(), new Datasets.Options(null, false, 4));
    assertFalse(Arrays.equals(sa.test().features(), other.test().features()), "the split seed still matters");
  }

  @Test
  void namedDatasetsKeepTheirSplit() {
    // the rule before the CSV change: streams named after the dataset ("split/digits", "split/digits/trainval")
    Dataset all = Datasets.digits();
    Dataset[] tt = all.split(Datasets.TEST_FRACTION, 0, "digits/trainval", "digits/test");
    Dataset[] tv = tt[0].split(Datasets.VALIDATION_FRACTION, 0, "digits/train", "digits/val");
    DataSplits s = Datasets.load("digits", Datasets.Options.defaults());
    assertArrayEquals(tt[1].features(), s.test().features());
    assertArrayEquals(tv[0].features(), s.train().features());
    assertArrayEquals(tv[1].labels(), s.validation().labels());
  }

  @Test
  void labelsMustBeTheClassesSeen() throws IOException {
    Path p = dir.resolve("d.csv");
    Files.writeString(p, replaceLine(csv(60), 9, "1,2,1000000"));
    String m = refusal(p);
    assertTrue(m.contains("line 9: label 1000000 would make 1000001 classes for 60 rows (at most 1000)")
        && m.contains("relabel"), m);
    Files.writeString(p, replaceLine(csv(60), 4, "1,2,2147483647"));
    m = refusal(p);
    assertTrue(m.contains("2147483648 classes") && !m.contains("-2147483648"), m);
    Files.writeString(p, replaceLine(csv(60), 4, "1,2,2147483648"));
    assertTrue(refusal(p).contains("line 4, column 3: label '2147483648' is not an integer class id"));
    Files.writeString(p, replaceLine(csv(60), 5, "1,2,-1"));
    assertTrue(refusal(p).contains("line 5: negative label -1"));
    Files.writeString(p, "1,2,0\n3,4,4\n5,6,0\n");
    m = refusal(p);
    assertTrue(m.contains("labels run to 4 (line 2) but 3 labels never occur (1, 2, 3)"), m);
    Files.writeString(p, "1,2,0\n3,4,2\n5,6,0\n");
    assertTrue(refusal(p).contains("but label 1 never occurs"));
    // the ceiling grows with the rows: 2,400 rows may carry 1,200 classes
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 2400; i++) {
      big.append(i).append(',').append(i % 1200).append('\n');
    }
    Files.writeString(p, big.toString());
    assertEquals(1200, CsvReader.read(p, "d").classes());
  }

  @Test
  void aTruncatedGzipIsNamedAsSuch() throws IOException {
    Path p = dir.resolve("d.csv.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
      o.write(csv(3000).getBytes(StandardCharsets.UTF_8));
    }
    byte[] all = Files.readAllBytes(p);
    Files.write(p, Arrays.copyOf(all, all.length / 2));
    String m = refusal(p);
    assertTrue(m.startsWith(p + ": truncated or corrupt gzip"), m);
    all[all.length / 2] ^= 0x55; // a flipped byte mid-stream: inflate fails or the CRC does
    Files.write(p, all);
    assertTrue(refusal(p).contains("truncated or corrupt gzip"));
  }

  @Test
  void anUnusableCsvPathIsAUsageErrorNamingTheEncoding() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Datasets.load("caf\uFFFD\u0000.csv", Datasets.Options.defaults()));
    assertTrue(e.getMessage().startsWith("dataset path 'caf\uFFFD\u0000.csv' is not a usable file name (")
        && e.getMessage().contains("use a UTF-8 locale"), e.getMessage());
  }

  private static Map<String, String> digestsOf(Path d) throws Exception {
    Map<String, String> m = new HashMap<>();
    for (String base : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"}) {
      byte[] raw;
      try (var in = new GZIPInputStream(Files.newInputStream(d.resolve(base + ".gz")))) {
        raw = in.readAllBytes();
      }
      m.put(base, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)));
    }
    return m;
  }

  @Test
  void idxFilesOfTheWrongDatasetAreRefused() throws Exception {
    Path fm = dir.resolve("fm");
    DataTest.writeIdxSet(fm, 40, 20, true);
    Map<String, Map<String, String>> table = Map.of("fashion-mnist", digestsOf(fm));
    Datasets.Options o = new Datasets.Options(fm, false, 0);
    assertEquals(20, Datasets.idx("fashion-mnist", o, table).test().rows());
    String m = assertThrows(LottaException.class, () -> Datasets.idx("mnist", o, table)).getMessage();
    assertTrue(m.contains("is fashion-mnist's file, not mnist's; use --dataset fashion-mnist"), m);
    // not in the table at all: mnist (no digests) accepts it, fashion-mnist refuses it
    Path other = dir.resolve("other");
    DataTest.writeIdxSet(other, 30, 25, true);
    Datasets.Options oo = new Datasets.Options(other, false, 0);
    assertEquals(25, Datasets.idx("mnist", oo, table).test().rows());
    m = assertThrows(LottaException.class, () -> Datasets.idx("fashion-mnist", oo, table)).getMessage();
    assertTrue(m.contains("train-images-idx3-ubyte.gz is not fashion-mnist's train-images-idx3-ubyte"), m);
    // the shipped table: the tiny files are not Fashion-MNIST
    assertThrows(LottaException.class, () -> Datasets.load("fashion-mnist", o));
  }
}
