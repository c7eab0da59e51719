package org.lottalora.core.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.engine.Param;

/**
 * The optimizer-facing state of trained arrays as checkpoints store it: per array its values and Adam's two
 * moments, in declaration order; how they are captured, written, read and put back, and how a checkpoint file is
 * replaced atomically: where {@link EpochCheckpoint}, the one loop's checkpoint (by epochs or by steps), keeps its
 * arrays.
 */
public final class ParamState {
  private ParamState() {}

  /** Copies of every array's values and moments: {v, m, s} per array. */
  public static List<float[][]> capture(List<Param> params) {
    List<float[][]> v = new ArrayList<>();
    for (Param p : params) {
      v.add(new float[][] {p.v.clone(), p.m.clone(), p.s.clone()});
    }
    return v;
  }

  /**
   * Puts captured values and moments back into the same arrays (same order and sizes).
   *
   * @throws IllegalArgumentException when the state belongs to other arrays, naming the first that differs
   */
  public static void restore(List<Param> params, List<float[][]> values) {
    if (params.size() != values.size()) {
      throw new IllegalArgumentException("the checkpoint holds " + values.size() + " arrays, the model has "
          + params.size());
    }
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      float[][] v = values.get(i);
      if (v[0].length != p.v.length) {
        throw new IllegalArgumentException("the checkpoint's array " + i + " has " + v[0].length + " values, '"
            + p.name + "' has " + p.v.length);
      }
      System.arraycopy(v[0], 0, p.v, 0, p.v.length);
      System.arraycopy(v[1], 0, p.m, 0, p.m.length);
      System.arraycopy(v[2], 0, p.s, 0, p.s.length);
    }
  }

  /** Writes the arrays: their count, then per array its length and the values, first and second moments. */
  public static void write(DataOutputStream o, List<float[][]> values) throws IOException {
    o.writeInt(values.size());
    for (float[][] v : values) {
      o.writeInt(v[0].length);
      for (float[] a : v) {
        for (float x : a) {
          o.writeFloat(x);
        }
      }
    }
  }

  /** Reads what {@link #write} wrote. */
  public static List<float[][]> read(DataInputStream d) throws IOException {
    int n = d.readInt();
    List<float[][]> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = d.readInt();
      if (len < 0 || len > (1 << 28)) {
        throw new IOException("an array of " + len + " values");
      }
      float[][] v = new float[3][len];
      for (float[] a : v) {
        for (int j = 0; j < len; j++) {
          a[j] = d.readFloat();
        }
      }
      values.add(v);
    }
    return values;
  }

  /** Replaces {@code file} by {@code bytes} atomically: a temporary file beside it, then moved into place. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
