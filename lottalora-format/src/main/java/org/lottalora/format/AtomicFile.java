package org.lottalora.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

/**
 * The one way this project writes a file: into a hidden temporary file beside the target, fsync, then an
 * atomic rename over the target. A crash or a failure leaves the old file or the new one, never a part, and
 * no temporary file behind. Used for artifacts, keys, safetensors exports, PEFT configs and sweep records.
 *
 * <p>A process killed mid-write (kill -9, power loss) cannot delete its temporary file, so each write first
 * removes the stale ones of the same target: {@code .NAME.pid<P>.<random>.tmp} when process P is no longer
 * alive on this machine, and any {@code .NAME.*.tmp} not modified for {@link #STALE_AFTER} (a live writer
 * modifies its file as it writes; the age rule covers names from before the pid was recorded, a pid reused by
 * another process, and writers on other machines sharing the folder).
 */
public final class AtomicFile {
  /** Permissions of an ordinary output file. */
  public static final String READABLE = "rw-r--r--";
  /** Permissions of a secret (a private key). */
  public static final String OWNER_ONLY = "rw-------";

  /** Age after which a temporary file of the same target is taken as abandoned whatever its pid says. */
  public static final Duration STALE_AFTER = Duration.ofHours(1);

  private AtomicFile() {}

  /** Writes through a channel. */
  @FunctionalInterface
  public interface Body {
    /** Writes the file's content into {@code ch}. */
    void write(FileChannel ch) throws IOException;
  }

  /**
   * Writes {@code target} atomically with permissions {@code perms} (where the file system has them).
   *
   * @throws IOException from the file system; the target is unchanged then
   */
  public static void write(Path target, String perms, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    removeStale(abs);
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".pid" + ProcessHandle.current().pid()
        + ".", ".tmp");
    try {
      if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        body.write(ch);
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temporary files that killed writers of {@code target} left behind (the rule is in the class
   * comment) and returns how many. Best effort: a file another process removes first, or that cannot be
   * removed, is skipped, since it never stands in the way of this write.
   */
  public static int removeStale(Path target) {
    Path abs = target.toAbsolutePath();
    Path parent = abs.getParent();
    String prefix = "." + abs.getFileName() + ".";
    int removed = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && n.endsWith(".tmp") && n.length() > prefix.length() + 4;
    })) {
      for (Path p : ds) {
        if (isStale(p, p.getFileName().toString().substring(prefix.length())) && Files.deleteIfExists(p)) {
          removed++;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // an unreadable folder fails the write itself a moment later, with its own message
    }
    return removed;
  }

  private static boolean isStale(Path p, String rest) {
    try {
      if (Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(STALE_AFTER))) {
        return true;
      }
    } catch (IOException e) {
      return false;
    }
    if (!rest.startsWith("pid")) {
      return false;
    }
    int dot = rest.indexOf('.');
    try {
      long pid = Long.parseLong(rest.substring(3, dot < 0 ? rest.length() : dot));
      return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Writes bytes atomically. */
  public static void write(Path target, String perms, byte[] bytes) throws IOException {
    write(target, perms, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  /** Writes UTF-8 text atomically, readable by all. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, READABLE, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes every remaining byte of {@code b}. */
  public static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
