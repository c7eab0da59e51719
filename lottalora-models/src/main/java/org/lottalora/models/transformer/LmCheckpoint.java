package org.lottalora.models.transformer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.LottaException;
import org.lottalora.core.train.ParamState;

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
    return new LmCheckpoint(fingerprint, step, recent, tail, tailCount, trainNanos, new ArrayList<>(curve),
        ParamState.capture(lm.params()));
  }

  /**
   * Puts the arrays and moments back into {@code lm} (same model, same order) and refreshes it.
   *
   * @throws IllegalArgumentException when the checkpoint belongs to another model
   */
  void restore(ByteLm lm) {
    ParamState.restore(lm.params(), values);
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
        ParamState.write(o, values);
      }
      ParamState.writeAtomically(path, bytes.toByteArray());
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
      List<float[][]> values = ParamState.read(d);
      return new LmCheckpoint(fp, step, recent, tail, tailCount, nanos, curve, values);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no checkpoint " + path + " to resume from");
    } catch (IOException e) {
      throw new IllegalArgumentException(path + " is not a readable language-model checkpoint: " + e.getMessage());
    }
  }
}
