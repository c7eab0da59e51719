package org.lottalora.models.transformer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.LottaException;
import org.lottalora.core.engine.Param;

/**
 * A language-model training run's state between steps: every trained array with its Adam moments, the step reached,
 * the running losses and the evaluation curve so far, and a fingerprint of the model, text and settings. The batch
 * windows follow from the step, so a run resumed from a checkpoint ends with the same bits as one never stopped.
 * Written atomically (a temporary file moved into place), so an interrupted save leaves the previous checkpoint.
 *
 * @param fingerprint what the run was (model spec, settings, text length); resuming checks it
 * @param step steps done
 * @param recent the smoothed training loss
 * @param tail sum of the losses in the last 10% of steps so far
 * @param tailCount how many
 * @param trainNanos training time so far
 * @param curve evaluations so far: (step, training loss, held-out loss)
 * @param values per trained array in declaration order: values, first moment, second moment
 */
public record LmCheckpoint(String fingerprint, int step, double recent, double tail, int tailCount, long trainNanos,
    List<double[]> curve, List<float[][]> values) {
  private static final int MAGIC = 0x4c4d434b; // "LMCK"

  /** The state of {@code lm} after {@code step} steps. */
  static LmCheckpoint of(String fingerprint, int step, double recent, double tail, int tailCount, long trainNanos,
      List<double[]> curve, ByteLm lm) {
    List<float[][]> v = new ArrayList<>();
    for (Param p : lm.params()) {
      v.add(new float[][] {p.v.clone(), p.m.clone(), p.s.clone()});
    }
    return new LmCheckpoint(fingerprint, step, recent, tail, tailCount, trainNanos, new ArrayList<>(curve), v);
  }

  /**
   * Puts the arrays and moments back into {@code lm} (same model, same order) and refreshes it.
   *
   * @throws IllegalArgumentException when the checkpoint belongs to another model
   */
  void restore(ByteLm lm) {
    List<Param> ps = lm.params();
    if (ps.size() != values.size()) {
      throw new IllegalArgumentException("the checkpoint holds " + values.size() + " arrays, the model has "
          + ps.size());
    }
    for (int i = 0; i < ps.size(); i++) {
      Param p = ps.get(i);
      float[][] v = values.get(i);
      if (v[0].length != p.v.length) {
        throw new IllegalArgumentException("the checkpoint's array " + i + " has " + v[0].length + " values, '"
            + p.name + "' has " + p.v.length);
      }
      System.arraycopy(v[0], 0, p.v, 0, p.v.length);
      System.arraycopy(v[1], 0, p.m, 0, p.m.length);
      System.arraycopy(v[2], 0, p.s, 0, p.s.length);
    }
    lm.refresh();
  }

  /** Writes the checkpoint atomically. */
  public void save(Path path) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream o = new DataOutputStream(bytes)) {
        o.writeInt(MAGIC);
        o.writeUTF(fingerprint);
        o.writeInt(step);
        o.writeDouble(recent);
        o.writeDouble(tail);
        o.writeInt(tailCount);
        o.writeLong(trainNanos);
        o.writeInt(curve.size());
        for (double[] c : curve) {
          o.writeDouble(c[0]);
          o.writeDouble(c[1]);
          o.writeDouble(c[2]);
        }
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
      Path abs = path.toAbsolutePath();
      Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
      Files.write(tmp, bytes.toByteArray());
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new LottaException("cannot write the checkpoint " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a checkpoint.
   *
   * @throws IllegalArgumentException when the file is missing or not an LM checkpoint
   */
  public static LmCheckpoint read(Path path) {
    try (InputStream in = Files.newInputStream(path);
        DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in))) {
      if (d.readInt() != MAGIC) {
        throw new IllegalArgumentException(path + " is not a language-model checkpoint");
      }
      String fp = d.readUTF();
      int step = d.readInt();
      double recent = d.readDouble();
      double tail = d.readDouble();
      int tailCount = d.readInt();
      long nanos = d.readLong();
      int nc = d.readInt();
      List<double[]> curve = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        curve.add(new double[] {d.readDouble(), d.readDouble(), d.readDouble()});
      }
      int n = d.readInt();
      List<float[][]> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int len = d.readInt();
        float[][] v = new float[3][len];
        for (float[] a : v) {
          for (int j = 0; j < len; j++) {
            a[j] = d.readFloat();
          }
        }
        values.add(v);
      }
      return new LmCheckpoint(fp, step, recent, tail, tailCount, nanos, curve, values);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no checkpoint " + path + " to resume from");
    } catch (IOException e) {
      throw new IllegalArgumentException(path + " is not a readable language-model checkpoint: " + e.getMessage());
    }
  }
}
