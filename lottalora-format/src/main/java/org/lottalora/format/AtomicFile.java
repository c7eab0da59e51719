package org.lottalora.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one way this project writes a file: into a hidden temporary file beside the target, fsync, then an
 * atomic rename over the target. A crash or a failure leaves the old file or the new one, never a part, and
 * no temporary file behind. Used for artifacts, keys, safetensors exports, PEFT configs and sweep records.
 */
public final class AtomicFile {
  /** Permissions of an ordinary output file. */
  public static final String READABLE = "rw-r--r--";
  /** Permissions of a secret (a private key). */
  public static final String OWNER_ONLY = "rw-------";

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
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
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
