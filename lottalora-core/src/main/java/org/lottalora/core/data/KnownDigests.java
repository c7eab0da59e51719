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
 * labels 15d48437...) are the upstream release's as other loaders publish them. MNIST has none:
 * its files could not be checked on the machine this was written on, so MNIST folders are only refused when
 * they hold another known dataset's files.
 */
public final class KnownDigests {
  /** Dataset name to (file base name to SHA-256 hex of its uncompressed bytes). */
  public static final Map<String, Map<String, String>> DEFAULT = Map.of(
      "fashion-mnist", Map.of(
          "train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
          "train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
          "t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
          "t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

  private KnownDigests() {}

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
