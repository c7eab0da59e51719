package org.lottalora.core.train;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.LottaException;
import org.lottalora.core.engine.Param;

/**
 * An {@link EpochLoop} run's state after a finished epoch: every trained array with its Adam moments, the kept
 * (best) arrays, the loop's counters and curves, and a fingerprint of the run. Batch orders and anything else a
 * family draws follow from the epoch number, so a run resumed from it ends with the same bits as one never stopped.
 * Written atomically (a temporary file moved into place): an interrupted save leaves the previous checkpoint.
 *
 * @param fingerprint what the run was (loop settings, arrays, the command's run key); resuming checks it
 * @param epoch epochs finished
 * @param step optimizer steps taken
 * @param bestValidation the kept epoch's validation metric
 * @param bestEpoch the kept epoch
 * @param sinceBest epochs since it (early stopping)
 * @param seen training examples stepped through
 * @param trainNanos training time so far
 * @param history validation metric after each finished epoch
 * @param rates examples per second of each finished epoch
 * @param values per trained array in declaration order: values, first moment, second moment
 * @param best the kept arrays by name
 * @param losses mean training loss of each finished epoch (step loop: of each validation interval)
 * @param pending a step loop's unfinished interval and tail: loss sum, steps, nanoseconds, examples, then the
 *     last 10% of steps' loss sum and count (empty for an epoch loop)
 */
public record EpochCheckpoint(String fingerprint, int epoch, int step, double bestValidation, int bestEpoch,
    int sinceBest, long seen, long trainNanos, List<Double> history, List<Double> rates, List<float[][]> values,
    Map<String, float[]> best, List<Double> losses, double[] pending) {
  private static final int MAGIC = 0x45504b32; // "EPK2"
  private static final int MAGIC_V1 = 0x45504b43; // "EPKC": without losses and pending

  /** The fingerprint of a run: loop settings, the arrays' names and sizes, and the caller's run key. */
  static String fingerprint(EpochLoop.Settings s, int examples, List<Param> params, String runKey) {
    StringBuilder b = new StringBuilder(s.name());
    if (s.steps() > 0) {
      b.append(" steps=").append(s.steps()).append(" eval-every=").append(s.evalEvery());
    }
    b.append(" epochs=").append(s.epochs()).append(" batch=")
        .append(s.batch()).append(" order-seed=").append(s.orderSeed()).append(" examples=").append(examples)
        .append(" patience=").append(s.patience()).append(" arrays=");
    for (Param p : params) {
      b.append(p.name).append(':').append(p.v.length).append(',');
    }
    return b.append(" run=").append(runKey).toString();
  }

  /** Writes the checkpoint atomically. */
  void write(Path file) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream o = new DataOutputStream(bytes)) {
        o.writeInt(MAGIC);
        o.writeUTF(fingerprint.length() > 60000 ? fingerprint.substring(0, 60000) : fingerprint);
        o.writeInt(epoch);
        o.writeInt(step);
        o.writeDouble(bestValidation);
        o.writeInt(bestEpoch);
        o.writeInt(sinceBest);
        o.writeLong(seen);
        o.writeLong(trainNanos);
        writeDoubles(o, history);
        writeDoubles(o, rates);
        ParamState.write(o, values);
        o.writeInt(best.size());
        for (Map.Entry<String, float[]> e : best.entrySet()) {
          o.writeUTF(e.getKey());
          writeFloats(o, e.getValue());
        }
        writeDoubles(o, losses);
        o.writeInt(pending.length);
        for (double d : pending) {
          o.writeDouble(d);
        }
      }
      ParamState.writeAtomically(file, bytes.toByteArray());
    } catch (IOException e) {
      throw new LottaException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a checkpoint.
   *
   * @throws LottaException naming the file when it is unreadable or not a checkpoint of this loop
   */
  static EpochCheckpoint read(Path file) {
    try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(
        new java.io.BufferedInputStream(raw))) {
      int magic = in.readInt();
      if (magic != MAGIC && magic != MAGIC_V1) {
        throw new LottaException(file + " is not an epoch-loop checkpoint (written by --checkpoint of a family on "
            + "the shared epoch loop)");
      }
      String fp = in.readUTF();
      int epoch = in.readInt();
      int step = in.readInt();
      double bestVal = in.readDouble();
      int bestEpoch = in.readInt();
      int sinceBest = in.readInt();
      long seen = in.readLong();
      long nanos = in.readLong();
      List<Double> history = readDoubles(in);
      List<Double> rates = readDoubles(in);
      List<float[][]> values = ParamState.read(in);
      int nb = in.readInt();
      Map<String, float[]> best = new LinkedHashMap<>();
      for (int i = 0; i < nb; i++) {
        best.put(in.readUTF(), readFloats(in));
      }
      List<Double> losses = magic == MAGIC ? readDoubles(in) : List.of();
      double[] pending = new double[magic == MAGIC ? in.readInt() : 0];
      if (pending.length > 64) {
        throw new IOException(pending.length + " pending counters");
      }
      for (int i = 0; i < pending.length; i++) {
        pending[i] = in.readDouble();
      }
      return new EpochCheckpoint(fp, epoch, step, bestVal, bestEpoch, sinceBest, seen, nanos, history, rates, values,
          best, losses, pending);
    } catch (java.io.EOFException e) {
      throw new LottaException(file + " is cut short (an interrupted copy?): not a complete checkpoint");
    } catch (IOException e) {
      throw new LottaException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts the arrays' values and moments back into {@code params}, then runs {@code restored} so that what a family
   * derives from them (merged weights, a graph's copy) follows.
   *
   * @throws LottaException when the checkpoint belongs to another run, naming both
   */
  void restoreInto(List<Param> params, String expected, Path file, Runnable restored) {
    if (!fingerprint.equals(expected)) {
      throw new LottaException(file + " belongs to another run: it was saved by [" + fingerprint + "], this run is ["
          + expected + "]; resume with the same options, or start a new checkpoint file");
    }
    ParamState.restore(params, values);
    restored.run();
  }

  private static void writeDoubles(DataOutputStream o, List<Double> v) throws IOException {
    o.writeInt(v.size());
    for (double d : v) {
      o.writeDouble(d);
    }
  }

  private static List<Double> readDoubles(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 24)) {
      throw new IOException("a list of " + n + " values");
    }
    List<Double> v = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      v.add(in.readDouble());
    }
    return v;
  }

  private static void writeFloats(DataOutputStream o, float[] a) throws IOException {
    o.writeInt(a.length);
    for (float f : a) {
      o.writeFloat(f);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 28)) {
      throw new IOException("an array of " + n + " values");
    }
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readFloat();
    }
    return a;
  }
}
