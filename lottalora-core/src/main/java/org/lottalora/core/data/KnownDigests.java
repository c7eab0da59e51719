package org.lottalora.core.data;

import java.util.HexFormat;
import java.util.Map;
import org.lottalora.core.LottaException;

/**
 * SHA-256 digests of the named IDX datasets' files, so that a folder of the wrong dataset (Fashion-MNIST's
 * files under {@code --dataset mnist}: same names, same shapes) is refused instead of trained on and recorded
 * under the wrong name. A digest covers the <em>uncompressed</em> IDX bytes (header and data): the same data
 * ships gzip-compressed differently by different sources (Debian's {@code dataset-fashion-mnist} recompressed
 * the upstream files: their .gz bytes differ, the content does not), and a user may have unpacked them.
 *
 * <p>Fashion-MNIST's digests were computed from Debian's package (0.0~git20200523.55506a9-1); the MD5s of the
 * same uncompressed files (train images f4a8712d..., train labels 9018921c..., test images 8181f547..., test
 * labels 15d48437...) are the upstream release's as other loaders publish them. MNIST is checked by the
 * MD5 of its published archives instead ({@link #ARCHIVE_MD5}: the four .gz files as LeCun's site and its mirrors
 * serve them, the values torchvision and other loaders pin), since no uncompressed copy could be digested on the
 * machine this was written on; a recompressed or unpacked MNIST copy is therefore refused unless the user vouches
 * for it with {@code -Dlottalora.unverifiedData=true}.
 */
public final class KnownDigests {
  /** Dataset name to (file base name to SHA-256 hex of its uncompressed bytes). */
  public static final Map<String, Map<String, String>> DEFAULT = Map.of(
      "fashion-mnist", Map.of(
          "train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
          "train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
          "t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
          "t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

  /** Dataset name to (published archive name to MD5 hex of its compressed bytes). */
  public static final Map<String, Map<String, String>> ARCHIVE_MD5 = Map.of(
      "mnist", Map.of(
          "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
          "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
          "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
          "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"));

  /** The system property that accepts a dataset copy whose archive digest cannot be checked. */
  public static final String UNVERIFIED_PROPERTY = "lottalora.unverifiedData";

  private KnownDigests() {}

  /**
   * Checks a file of {@code dataset} against its published archive's MD5 in {@code archives} (nothing to check
   * when the dataset has none): the .gz must be the published one byte for byte; an unpacked or recompressed
   * copy cannot be checked and is refused with the way to vouch for it ({@value #UNVERIFIED_PROPERTY}).
   *
   * @param base the file's name without {@code .gz}
   * @throws LottaException naming the file, its digest and the fix
   */
  public static void checkArchive(Map<String, Map<String, String>> archives, String dataset, String base,
      java.nio.file.Path file) {
    Map<String, String> known = archives.getOrDefault(dataset, Map.of());
    String expected = known.get(base + ".gz");
    if (expected == null || Boolean.getBoolean(UNVERIFIED_PROPERTY)) {
      return;
    }
    String fix = "download the published file again, or, for a copy you trust that was recompressed or unpacked, "
        + "run java with -D" + UNVERIFIED_PROPERTY + "=true (LOTTALORA_JAVA_OPTS for ./lottalora)";
    if (!file.getFileName().toString().endsWith(".gz")) {
      throw new LottaException(file + " cannot be verified: " + dataset + " is checked by the MD5 of its published "
          + base + ".gz; " + fix);
    }
    String hex;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      hex = HexFormat.of().formatHex(md.digest());
    } catch (java.io.IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has MD5", e);
    }
    if (!hex.equals(expected)) {
      throw new LottaException(file + " is not the published " + dataset + " " + base + ".gz (MD5 "
          + hex.substring(0, 12) + "..., expected " + expected.substring(0, 12) + "...): " + fix);
    }
  }

  /**
   * Checks one file's digest against {@code table}: refused when {@code dataset} has a digest for
   * {@code base} that differs, or when the digest is another dataset's (naming it).
   *
   * @param where the file, for the message
   * @throws LottaException naming the file, what it looks like and the fix
   */
  public static void check(Map<String, Map<String, String>> table, String dataset, String base, byte[] sha256,
      String where) {
    String hex = HexFormat.of().formatHex(sha256);
    String expected = table.getOrDefault(dataset, Map.of()).get(base);
    if (expected != null && expected.equals(hex)) {
      return;
    }
    for (Map.Entry<String, Map<String, String>> e : table.entrySet()) {
      if (!e.getKey().equals(dataset) && e.getValue().containsValue(hex)) {
        throw new LottaException(where + " is " + e.getKey() + "'s file, not " + dataset + "'s; use --dataset "
            + e.getKey() + " or point --data-dir at the " + dataset + " files");
      }
    }
    if (expected != null) {
      throw new LottaException(where + " is not " + dataset + "'s " + base + " (SHA-256 " + hex.substring(0, 16)
          + "..., expected " + expected.substring(0, 16) + "...); replace it with the published file");
    }
  }
}
