package org.lottalora.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.lottalora.core.LottaException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw: unsigned-byte images of any
 * rank and unsigned-byte label vectors. Sizes are checked against the header before anything is allocated.
 */
public final class IdxReader {
  private static final int UBYTE = 0x08;
  private static final long MAX_ELEMENTS = 1L << 31;

  private IdxReader() {}

  /** An IDX tensor of unsigned bytes: its dims and values. */
  public record Idx(int[] dims, byte[] data) {
    /** Product of all dims but the first. */
    public int itemSize() {
      int n = 1;
      for (int i = 1; i < dims.length; i++) {
        n *= dims[i];
      }
      return n;
    }
  }

  /**
   * Reads a file.
   *
   * @throws LottaException naming the file and what is wrong with it
   */
  public static Idx read(Path file) {
    return read(file, null);
  }

  /**
   * Reads a file and feeds its uncompressed bytes (header and data) to {@code digest} when one is given.
   *
   * @throws LottaException naming the file and what is wrong with it
   */
  public static Idx read(Path file, MessageDigest digest) {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gz = b0 == 0x1f && b1 == 0x8b;
      InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
      if (digest != null) {
        in = new DigestInputStream(in, digest);
      }
      DataInputStream d = new DataInputStream(new BufferedInputStream(in, 1 << 16));
      int magic = d.readInt();
      if ((magic >>> 16) != 0 || ((magic >> 8) & 0xFF) != UBYTE || (magic & 0xFF) < 1 || (magic & 0xFF) > 4) {
        throw new LottaException(file + " is not an unsigned-byte IDX file (magic 0x"
            + Integer.toHexString(magic) + "); expected e.g. train-images-idx3-ubyte.gz");
      }
      int rank = magic & 0xFF;
      int[] dims = new int[rank];
      long n = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = d.readInt();
        if (dims[i] <= 0) {
          throw new LottaException(file + ": IDX dimension " + i + " is " + dims[i]);
        }
        n *= dims[i];
        if (n > MAX_ELEMENTS) {
          throw new LottaException(file + ": IDX header claims more than 2^31 values");
        }
      }
      byte[] data = new byte[(int) n];
      d.readFully(data);
      if (d.read() != -1) {
        throw new LottaException(file + ": IDX file has bytes past the " + n + " its header declares");
      }
      return new Idx(dims, data);
    } catch (NoSuchFileException e) {
      throw new LottaException("missing data file " + file);
    } catch (EOFException e) {
      throw new LottaException(file + " is truncated: it ends before the size its IDX header declares");
    } catch (ZipException e) {
      throw CsvReader.gzipError(file.toString(), e);
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads an image file and a label file into one dataset; pixels stay as 0..255 floats. */
  public static Dataset readPair(Path images, Path labels, String name, int classes) {
    return pair(read(images), images, read(labels), labels, name, classes);
  }

  /** An image tensor and a label tensor read from {@code images} and {@code labels} as one dataset. */
  static Dataset pair(Idx img, Path images, Idx lab, Path labels, String name, int classes) {
    if (lab.dims().length != 1) {
      throw new LottaException(labels + " is not a label file: it has " + lab.dims().length + " dimensions");
    }
    if (img.dims()[0] != lab.dims()[0]) {
      throw new LottaException(images + " has " + img.dims()[0] + " images but " + labels + " has "
          + lab.dims()[0] + " labels");
    }
    int rows = img.dims()[0];
    int cols = img.itemSize();
    float[] f = new float[img.data().length];
    for (int i = 0; i < f.length; i++) {
      f[i] = img.data()[i] & 0xFF;
    }
    int[] l = new int[rows];
    for (int i = 0; i < rows; i++) {
      l[i] = lab.data()[i] & 0xFF;
      if (l[i] >= classes) {
        throw new LottaException(labels + ": label " + l[i] + " at row " + i + " is not below " + classes);
      }
    }
    return new Dataset(name, f, rows, cols, l, classes);
  }
}
