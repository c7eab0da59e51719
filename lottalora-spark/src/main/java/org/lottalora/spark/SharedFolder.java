package org.lottalora.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The sweep folder as the executors see it: a URI and the driver's Hadoop settings (shipped as plain strings,
 * since Hadoop's Configuration is not serializable and credentials set on the driver, e.g. {@code
 * spark.hadoop.fs.s3a.*}, must reach the tasks). Every write is atomic in the sense of {@link
 * org.lottalora.format.AtomicFile}: a temporary name in the same folder, then a rename, so a reader sees the
 * old file or the whole new one.
 */
final class SharedFolder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final HashMap<String, String> conf;
  private transient FileSystem fs;

  SharedFolder(String uri, Configuration c) {
    this.uri = uri.replaceAll("/+$", "");
    this.conf = new HashMap<>();
    for (Map.Entry<String, String> e : c) {
      conf.put(e.getKey(), e.getValue());
    }
  }

  /** The folder's URI (no trailing slash). */
  String uri() {
    return uri;
  }

  /** Whether the folder is on this machine's file system (then the driver works on it directly). */
  boolean isLocal() {
    return "file".equals(URI.create(uri).getScheme());
  }

  synchronized FileSystem fs() throws IOException {
    if (fs == null) {
      Configuration c = new Configuration(false);
      conf.forEach(c::set);
      FileSystem f = FileSystem.get(URI.create(uri), c);
      // the checksummed local file system would add .crc files beside every record: the folder must look
      // exactly like a local sweep's
      fs = f instanceof LocalFileSystem l ? l.getRaw() : f;
    }
    return fs;
  }

  Path path(String rel) {
    return new Path(uri + "/" + rel);
  }

  boolean exists(String rel) throws IOException {
    return fs().exists(path(rel));
  }

  /** Uploads a local file to {@code rel} atomically. */
  void put(java.nio.file.Path local, String rel) throws IOException {
    Path target = path(rel);
    Path tmp = temp(target);
    fs().mkdirs(target.getParent());
    try {
      fs().copyFromLocalFile(false, true, new Path(local.toAbsolutePath().toUri()), tmp);
      commit(tmp, target);
    } finally {
      fs().delete(tmp, false);
    }
  }

  /** Writes {@code text} to {@code rel} atomically. */
  void putString(String rel, String text) throws IOException {
    Path target = path(rel);
    Path tmp = temp(target);
    fs().mkdirs(target.getParent());
    try {
      try (FSDataOutputStream out = fs().create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        try {
          out.hsync(); // durable before the rename makes it visible, where the file system can
        } catch (UnsupportedOperationException ignored) {
          // object stores persist on close
        }
      }
      commit(tmp, target);
    } finally {
      fs().delete(tmp, false);
    }
  }

  /** Downloads {@code rel} to a local file (replacing it); false if it is not there. */
  boolean get(String rel, java.nio.file.Path local) throws IOException {
    Path src = path(rel);
    if (!fs().exists(src)) {
      return false;
    }
    java.nio.file.Files.createDirectories(local.toAbsolutePath().getParent());
    java.nio.file.Path tmp = local.resolveSibling("." + local.getFileName() + ".get.tmp");
    try (var in = fs().open(src); OutputStream out = java.nio.file.Files.newOutputStream(tmp)) {
      in.transferTo(out);
    }
    java.nio.file.Files.move(tmp, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /** Deletes a file (best effort). */
  void delete(String rel) throws IOException {
    fs().delete(path(rel), false);
  }

  /**
   * The hidden temporary name beside the target: {@code .NAME.spark-<uuid>.tmp} matches the pattern whose
   * abandoned files {@link org.lottalora.format.AtomicFile} cleans up after an hour, so a task killed
   * mid-upload leaves nothing that a later local write would not remove.
   */
  private static Path temp(Path target) {
    return new Path(target.getParent(), "." + target.getName() + ".spark-" + UUID.randomUUID() + ".tmp");
  }

  private void commit(Path tmp, Path target) throws IOException {
    if (fs().rename(tmp, target)) {
      return;
    }
    // HDFS and object stores refuse to rename over an existing file (a corrupt record being replaced): delete
    // it first; a reader in between sees "no record", which means "run it", never a torn one
    fs().delete(target, false);
    if (!fs().rename(tmp, target)) {
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
