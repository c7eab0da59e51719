package org.lottalora.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.LottaException;

/** Readers, the named-dataset lookup, splits and seeded shuffling. */
class DataTest {
  @TempDir
  Path dir;

  static byte[] idx(int magicType, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt((magicType << 8) | dims.length);
    for (int x : dims) {
      d.writeInt(x);
    }
    d.write(data);
    return b.toByteArray();
  }

  static void write(Path p, byte[] bytes, boolean gzip) throws IOException {
    try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      o.write(bytes);
    }
  }

  /** Writes a tiny MNIST-shaped dataset: n images of 2x3 pixels, labels i % 10. */
  static void writeIdxSet(Path d, int nTrain, int nTest, boolean gzip) throws IOException {
    Files.createDirectories(d);
    String ext = gzip ? ".gz" : "";
    for (String split : new String[] {"train", "t10k"}) {
      int n = split.equals("train") ? nTrain : nTest;
      byte[] px = new byte[n * 6];
      byte[] lab = new byte[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 6; j++) {
          px[i * 6 + j] = (byte) (i * 7 + j * 40);
        }
        lab[i] = (byte) (i % 10);
      }
      write(d.resolve(split + "-images-idx3-ubyte" + ext), idx(8, new int[] {n, 2, 3}, px), gzip);
      write(d.resolve(split + "-labels-idx1-ubyte" + ext), idx(8, new int[] {n}, lab), gzip);
    }
  }

  @Test
  void readsGzipAndRawIdx() throws IOException {
    for (boolean gz : new boolean[] {true, false}) {
      Path d = dir.resolve("fashion-mnist-" + gz);
      writeIdxSet(d, 50, 20, gz);
      Dataset ds = IdxReader.readPair(d.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : "")),
          d.resolve("train-labels-idx1-ubyte" + (gz ? ".gz" : "")), "x", 10);
      assertEquals(50, ds.rows());
      assertEquals(6, ds.cols());
      assertEquals(7f, ds.features()[6]); // row 1, pixel 0: 1 * 7
      assertEquals(7 + 40, (int) ds.features()[6 + 1]);
      assertEquals(3, ds.labels()[13]);
    }
  }

  @Test
  void archiveDigestsAcceptThePublishedFilesOnly() throws Exception {
    Path d = dir.resolve("arch").resolve("mnist");
    writeIdxSet(d, 40, 10, true);
    java.util.Map<String, String> md5 = new java.util.HashMap<>();
    for (String base : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"}) {
      byte[] h = java.security.MessageDigest.getInstance("MD5").digest(Files.readAllBytes(d.resolve(base + ".gz")));
      md5.put(base + ".gz", java.util.HexFormat.of().formatHex(h));
    }
    Datasets.Options o = new Datasets.Options(dir.resolve("arch"), false, 0);
    // these bytes as the published archives: accepted
    assertEquals(10, Datasets.idx("mnist", o, java.util.Map.of(), java.util.Map.of("mnist", md5)).test().rows());
    // one archive changed by a byte: refused by name
    java.util.Map<String, String> other = new java.util.HashMap<>(md5);
    other.put("t10k-labels-idx1-ubyte.gz", "0".repeat(32));
    String m = assertThrows(LottaException.class, () -> Datasets.idx("mnist", o, java.util.Map.of(),
        java.util.Map.of("mnist", other))).getMessage();
    assertTrue(m.contains("t10k-labels-idx1-ubyte.gz is not the published mnist"), m);
    // an unpacked copy cannot be checked against the archives: refused with the way to vouch for it
    Path u = dir.resolve("unpacked").resolve("mnist");
    writeIdxSet(u, 40, 10, false);
    String m2 = assertThrows(LottaException.class, () -> Datasets.idx("mnist",
        new Datasets.Options(dir.resolve("unpacked"), false, 0), java.util.Map.of(),
        java.util.Map.of("mnist", md5))).getMessage();
    assertTrue(m2.contains("cannot be verified") && m2.contains("unverifiedData"), m2);
  }

  @Test
  void namedDatasetIsFoundInTheDataDirAndSplit() throws IOException {
    // mnist: the tiny files would fail Fashion-MNIST's digests (BadDataTest covers those)
    writeIdxSet(dir.resolve("mnist"), 100, 30, true);
    // tiny stand-ins are not the published MNIST archives: refused, naming the fix, unless vouched for
    LottaException refused = assertThrows(LottaException.class,
        () -> Datasets.load("mnist", new Datasets.Options(dir, false, 0)));
    assertTrue(refused.getMessage().contains("is not the published mnist train-images-idx3-ubyte.gz (MD5 ")
        && refused.getMessage().contains("-Dlottalora.unverifiedData=true"), refused.getMessage());
    DataSplits s;
    System.setProperty(KnownDigests.UNVERIFIED_PROPERTY, "true");
    try {
      s = Datasets.load("mnist", new Datasets.Options(dir, false, 0));
    } finally {
      System.clearProperty(KnownDigests.UNVERIFIED_PROPERTY);
    }
    assertEquals(90, s.train().rows());
    assertEquals(10, s.validation().rows());
    assertEquals(30, s.test().rows());
    assertTrue(s.normalization().std() > 0);
    DataSplits n = s.normalized();
    double mean = 0;
    for (float v : n.train().features()) {
      mean += v;
    }
    assertEquals(0, mean / n.train().features().length, 1e-4);
  }

  @Test
  void badIdxFilesGetOneLineErrors() throws IOException {
    Path p = dir.resolve("bad");
    write(p, "hello world, not idx".getBytes(StandardCharsets.UTF_8), false);
    assertTrue(assertThrows(LottaException.class, () -> IdxReader.read(p)).getMessage().contains("not an unsigned-byte IDX"));
    byte[] ok = idx(8, new int[] {10, 2, 3}, new byte[60]);
    write(p, Arrays.copyOf(ok, ok.length - 5), true);
    assertTrue(assertThrows(LottaException.class, () -> IdxReader.read(p)).getMessage().contains("truncated"));
    write(p, idx(8, new int[] {1 << 16, 1 << 16}, new byte[0]), false);
    assertTrue(assertThrows(LottaException.class, () -> IdxReader.read(p)).getMessage().contains("2^31"));
    assertTrue(assertThrows(LottaException.class, () -> IdxReader.read(dir.resolve("none")))
        .getMessage().contains("missing data file"));
    Path img = dir.resolve("img");
    Path lab = dir.resolve("lab");
    write(img, idx(8, new int[] {4, 2}, new byte[8]), false);
    write(lab, idx(8, new int[] {3}, new byte[3]), false);
    assertTrue(assertThrows(LottaException.class, () -> IdxReader.readPair(img, lab, "x", 10))
        .getMessage().contains("4 images but"));
  }

  @Test
  void csvReaderHandlesHeadersAndRejectsRaggedRows() throws IOException {
    Path p = dir.resolve("d.csv");
    Files.writeString(p, "a,b,label\n1,2,0\n3,4,1\n5,6,2\n");
    Dataset d = CsvReader.read(p, "d");
    assertEquals(3, d.rows());
    assertEquals(2, d.cols());
    assertEquals(3, d.classes());
    Files.writeString(p, "1,2,0\n3,1\n");
    assertTrue(assertThrows(LottaException.class, () -> CsvReader.read(p, "d")).getMessage().contains("line 2"));
    Files.writeString(p, "1,2,0\n3,x,1\n");
    assertTrue(assertThrows(LottaException.class, () -> CsvReader.read(p, "d")).getMessage().contains("not a number"));
  }

  @Test
  void embeddedDigitsAreTheUciTestSet() {
    Dataset d = Datasets.digits();
    assertEquals(1797, d.rows());
    assertEquals(64, d.cols());
    assertEquals(10, d.classes());
    DataSplits s = Datasets.load("digits", Datasets.Options.defaults());
    assertEquals(1797, s.train().rows() + s.validation().rows() + s.test().rows());
  }

  @Test
  void unknownDatasetIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Datasets.load("imagenet", Datasets.Options.defaults()));
    assertTrue(e.getMessage().contains("unknown dataset 'imagenet'") && e.getMessage().contains("digits"));
  }

  @Test
  void missingDatasetFailsQuicklyWhenTheMirrorIsUnreachable() {
    System.setProperty("lottalora.cache", dir.resolve("cache").toString());
    System.setProperty("lottalora.mirror.mnist", "http://127.0.0.1:9/");
    try {
      long t0 = System.nanoTime();
      LottaException e = assertThrows(LottaException.class,
          () -> Datasets.load("mnist", new Datasets.Options(dir.resolve("empty"), true, 0)));
      assertTrue((System.nanoTime() - t0) / 1e9 < 30, "no hang");
      assertTrue(e.getMessage().contains("download") && e.getMessage().contains("--data-dir"), e.getMessage());
      assertThrows(LottaException.class,
          () -> Datasets.load("mnist", new Datasets.Options(dir.resolve("empty"), false, 0)));
    } finally {
      System.clearProperty("lottalora.cache");
      System.clearProperty("lottalora.mirror.mnist");
    }
  }

  @Test
  void permutationIsSeededAndComplete() {
    int[] a = Dataset.permutation(1000, 5, "shuffle/epoch/1");
    int[] b = Dataset.permutation(1000, 5, "shuffle/epoch/1");
    int[] c = Dataset.permutation(1000, 6, "shuffle/epoch/1");
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
  }
}
