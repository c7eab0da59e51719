package org.lottalora.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.LottaException;

/**
 * Named datasets and where they are found. {@code digits} ships inside the jar; {@code fashion-mnist} and
 * {@code mnist} are IDX files looked up, in order, in the {@code --data-dir}, {@code $LOTTALORA_DATA},
 * the user cache ({@code $XDG_CACHE_HOME/lottalora} or {@code ~/.cache/lottalora}) and
 * {@code /usr/share/datasets}, each under a folder of the dataset's name; failing that they are downloaded
 * into the cache from their public mirror (with short timeouts, so an offline machine gets a clear error
 * quickly). A path to a {@code .csv} or {@code .csv.gz} file is read as a CSV dataset.
 */
public final class Datasets {
  /** Fraction of the training file held out for validation. */
  public static final double VALIDATION_FRACTION = 0.1;
  /** Fraction of a single-file dataset (digits, CSV) held out for testing. */
  public static final double TEST_FRACTION = 0.2;
  private static final String[] IDX_FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  /**
   * The name the split streams of every CSV file are keyed by. Keying them by the file's name (as before)
   * made a renamed copy of the same bytes split differently.
   */
  public static final String CSV_SPLIT_KEY = "csv";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private Datasets() {}

  /** Where to look and whether to download. */
  public record Options(Path dataDir, boolean download, long splitSeed) {
    /** Defaults: no data dir, download allowed, split seed 0. */
    public static Options defaults() {
      return new Options(null, true, 0L);
    }
  }

  /** The names this build knows. */
  public static List<String> names() {
    return List.of("digits", "fashion-mnist", "mnist");
  }

  /**
   * Loads a dataset as raw splits with a normalization fitted on its training split.
   *
   * @throws IllegalArgumentException for an unknown name
   * @throws LottaException when the files are missing or malformed
   */
  public static DataSplits load(String name, Options o) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    switch (key) {
      case "digits":
        return fromSingle(digits(), "digits", o.splitSeed());
      case "fashion-mnist":
      case "mnist":
        return idx(key, o, KnownDigests.DEFAULT, KnownDigests.ARCHIVE_MD5);
      default:
        if (key.endsWith(".csv") || key.endsWith(".csv.gz")) {
          Path p = csvPath(name);
          return fromSingle(CsvReader.read(p, p.getFileName().toString()), CSV_SPLIT_KEY, o.splitSeed());
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", names())
            + ", or a path to a .csv / .csv.gz file");
    }
  }

  /**
   * A CSV dataset's path. A name the file system cannot take is refused in one line; under a C locale that is
   * any non-ASCII name, since the JVM has turned its bytes into U+FFFD before it gets here.
   */
  private static Path csvPath(String name) {
    try {
      return Path.of(name);
    } catch (java.nio.file.InvalidPathException e) {
      String enc = System.getProperty("sun.jnu.encoding", "unknown");
      throw new IllegalArgumentException("dataset path '" + name + "' is not a usable file name (" + e.getReason()
          + ")" + (name.indexOf('\uFFFD') >= 0 ? "; the platform's encoding " + enc + " could not decode it: use a "
          + "UTF-8 locale (e.g. LC_ALL=C.UTF-8)" : ""));
    }
  }

  /** The embedded UCI digits (1,797 8x8 images, CC BY 4.0). */
  public static Dataset digits() {
    try (InputStream in = Datasets.class.getResourceAsStream("digits.csv.gz")) {
      if (in == null) {
        throw new LottaException("the embedded digits dataset is missing from the jar; rebuild with mvn package");
      }
      return CsvReader.read(in, "embedded digits.csv.gz", "digits");
    } catch (IOException e) {
      throw new LottaException("cannot read the embedded digits dataset: " + e.getMessage(), e);
    }
  }

  /**
   * Splits a single-file dataset into train, validation and test. The shuffles are the streams
   * {@code split/KEY} (test off the whole) and {@code split/KEY/trainval} (validation off the rest) under the
   * split seed, where KEY is {@code digits} for the embedded digits and {@link #CSV_SPLIT_KEY} for every CSV
   * file: the split is a function of the seed and the rows, never of the file's name.
   */
  private static DataSplits fromSingle(Dataset all, String key, long seed) {
    Dataset[] trainTest = all.split(TEST_FRACTION, seed, "split/" + key, all.name() + "/trainval",
        all.name() + "/test");
    Dataset[] trainVal = trainTest[0].split(VALIDATION_FRACTION, seed, "split/" + key + "/trainval",
        all.name() + "/train", all.name() + "/val");
    return DataSplits.of(trainVal[0], trainVal[1], trainTest[1]);
  }

  /** A named IDX dataset, each file checked against {@code digests} (see {@link KnownDigests}) as it is read. */
  static DataSplits idx(String name, Options o, Map<String, Map<String, String>> digests) {
    return idx(name, o, digests, Map.of());
  }

  /** {@link #idx(String, Options, Map)} with the published archives' MD5s checked too. */
  static DataSplits idx(String name, Options o, Map<String, Map<String, String>> digests,
      Map<String, Map<String, String>> archives) {
    Path dir = findIdxDir(name, o);
    IdxReader.Idx[] t = new IdxReader.Idx[IDX_FILES.length];
    for (int i = 0; i < t.length; i++) {
      Path f = file(dir, IDX_FILES[i]);
      MessageDigest md = sha256();
      t[i] = IdxReader.read(f, md);
      KnownDigests.check(digests, name, IDX_FILES[i], md.digest(), f.toString());
      KnownDigests.checkArchive(archives, name, IDX_FILES[i], f);
    }
    Dataset train = IdxReader.pair(t[0], file(dir, IDX_FILES[0]), t[1], file(dir, IDX_FILES[1]),
        name + "/trainval", 10);
    Dataset test = IdxReader.pair(t[2], file(dir, IDX_FILES[2]), t[3], file(dir, IDX_FILES[3]), name + "/test", 10);
    if (train.cols() != test.cols()) {
      throw new LottaException(dir + ": train images have " + train.cols() + " pixels, test images "
          + test.cols());
    }
    Dataset[] tv = train.split(VALIDATION_FRACTION, o.splitSeed(), name + "/train", name + "/val");
    return DataSplits.of(tv[0], tv[1], test);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The candidate folders for a named dataset, in lookup order. */
  public static List<Path> searchPath(String name, Path dataDir) {
    List<Path> dirs = new ArrayList<>();
    if (dataDir != null) {
      dirs.add(dataDir.resolve(name));
      dirs.add(dataDir);
    }
    String env = System.getenv("LOTTALORA_DATA");
    if (env != null && !env.isBlank()) {
      dirs.add(Path.of(env).resolve(name));
    }
    dirs.add(cacheDir().resolve(name));
    dirs.add(Path.of("/usr/share/datasets").resolve(name));
    return dirs;
  }

  /** The user cache folder downloads go to ({@code -Dlottalora.cache} overrides it). */
  public static Path cacheDir() {
    String prop = System.getProperty("lottalora.cache");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("lottalora");
  }

  private static Path findIdxDir(String name, Options o) {
    List<Path> dirs = searchPath(name, o.dataDir());
    for (Path d : dirs) {
      if (hasAll(d)) {
        return d;
      }
    }
    if (!o.download()) {
      throw new LottaException("dataset '" + name + "' not found in " + dirs + " and downloads are off; "
          + "put its four IDX files in one of these folders or pass --data-dir");
    }
    Path target = cacheDir().resolve(name);
    download(name, target, dirs);
    return target;
  }

  private static boolean hasAll(Path d) {
    for (String f : IDX_FILES) {
      if (!Files.isRegularFile(d.resolve(f + ".gz")) && !Files.isRegularFile(d.resolve(f))) {
        return false;
      }
    }
    return true;
  }

  private static Path file(Path dir, String base) {
    Path gz = dir.resolve(base + ".gz");
    return Files.isRegularFile(gz) ? gz : dir.resolve(base);
  }

  /**
   * The public mirror a named dataset is downloaded from; {@code -Dlottalora.mirror.<name>} or
   * {@code $LOTTALORA_MIRROR_<NAME>} override it.
   */
  static String mirror(String name) {
    String prop = System.getProperty("lottalora.mirror." + name);
    if (prop != null && !prop.isBlank()) {
      return prop.endsWith("/") ? prop : prop + "/";
    }
    String env = System.getenv("LOTTALORA_MIRROR_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (env != null && !env.isBlank()) {
      return env.endsWith("/") ? env : env + "/";
    }
    return name.equals("mnist") ? "https://ossci-datasets.s3.amazonaws.com/mnist/"
        : "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
  }

  private static void download(String name, Path target, List<Path> searched) {
    String base = mirror(name);
    HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    try {
      Files.createDirectories(target);
      for (String f : IDX_FILES) {
        URI uri = URI.create(base + f + ".gz");
        Path tmp = Files.createTempFile(target, f, ".part");
        try {
          HttpResponse<Path> r = http.send(HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofFile(tmp));
          if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " for " + uri);
          }
          Files.move(tmp, target.resolve(f + ".gz"), StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    } catch (IOException e) {
      throw new LottaException("dataset '" + name + "' not found in " + searched + " and the download from "
          + base + " failed (" + describe(e) + "); install Debian's dataset-" + name
          + " or put its IDX files under --data-dir");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LottaException("download of dataset '" + name + "' interrupted");
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
