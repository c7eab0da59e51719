package org.lottalora.core.backbone;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A frozen backbone: the named tensors that a seed and their specs determine, regenerated bit for bit on
 * any thread count. Work is cut into fixed slices of {@value #SLICE} elements; every slice is computed
 * independently, so the thread count changes only the speed.
 */
public final class Backbone {
  /** The only generator id this build produces and accepts. */
  public static final String GENERATOR_ID = "philox4x64-10/v1";
  static final int SLICE = 1 << 14;

  private final long seed;
  private final Map<String, TensorSpec> specs;
  private final Map<String, float[]> values;

  private Backbone(long seed, Map<String, TensorSpec> specs, Map<String, float[]> values) {
    this.seed = seed;
    this.specs = specs;
    this.values = values;
  }

  /** Regenerates every tensor with one thread per available core. */
  public static Backbone regenerate(long seed, List<TensorSpec> tensors) {
    return regenerate(seed, tensors, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Regenerates every tensor using {@code threads} threads.
   *
   * @throws IllegalArgumentException if two tensors share a name
   */
  public static Backbone regenerate(long seed, List<TensorSpec> tensors, int threads) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    Map<String, float[]> values = new LinkedHashMap<>();
    for (TensorSpec t : tensors) {
      if (specs.put(t.name(), t) != null) {
        throw new IllegalArgumentException("backbone tensor name used twice: '" + t.name() + "'");
      }
      values.put(t.name(), new float[t.size()]);
    }
    List<Runnable> jobs = new ArrayList<>();
    for (TensorSpec t : tensors) {
      float[] out = values.get(t.name());
      if (t.init().family().isGlobal()) {
        jobs.add(() -> System.arraycopy(Initializer.fillGlobal(seed, t), 0, out, 0, out.length));
        continue;
      }
      for (int start = 0; start < out.length; start += SLICE) {
        final int s = start;
        final int n = Math.min(SLICE, out.length - start);
        jobs.add(() -> Initializer.fillSlice(seed, t, s, out, s, n));
      }
    }
    runOnCores(jobs, Math.max(1, threads));
    return new Backbone(seed, Collections.unmodifiableMap(specs), Collections.unmodifiableMap(values));
  }

  /**
   * Regenerates one tensor into {@code out[0..t.size())}, a buffer the caller owns (a loader that merges and drops
   * layer after layer reuses one), with the same bits as {@link #regenerate}.
   *
   * @throws IllegalArgumentException if {@code out} is too small
   */
  public static void regenerateInto(long seed, TensorSpec t, float[] out, int threads) {
    int size = t.size();
    if (out.length < size) {
      throw new IllegalArgumentException("a buffer of " + out.length + " floats cannot hold tensor '" + t.name()
          + "' of " + size);
    }
    if (t.init().family().isGlobal()) {
      System.arraycopy(Initializer.fillGlobal(seed, t), 0, out, 0, size);
      return;
    }
    List<Runnable> jobs = new ArrayList<>();
    for (int start = 0; start < size; start += SLICE) {
      final int s = start;
      final int n = Math.min(SLICE, size - start);
      jobs.add(() -> Initializer.fillSlice(seed, t, s, out, s, n));
    }
    runOnCores(jobs, Math.max(1, threads));
  }

  /**
   * Runs the jobs on up to {@code threads} daemon threads (in the caller when one suffices) and returns once all have
   * finished: how regeneration, and loaders that regenerate chunk by chunk, use every core.
   *
   * @throws IllegalStateException carrying the first job's failure, or when interrupted
   */
  public static void runOnCores(List<Runnable> jobs, int threads) {
    if (threads == 1 || jobs.size() <= 1) {
      jobs.forEach(Runnable::run);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, jobs.size()), r -> {
      Thread th = new Thread(r, "lottalora-backbone");
      th.setDaemon(true);
      return th;
    });
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (Runnable j : jobs) {
        fs.add(pool.submit(j));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("backbone regeneration interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("backbone regeneration failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** The specs, in the order given. */
  public Map<String, TensorSpec> specs() {
    return specs;
  }

  /** The values of a tensor, row-major in canonical layout. The array is shared: do not modify it. */
  public float[] get(String name) {
    float[] v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no backbone tensor named '" + name + "'; have " + values.keySet());
    }
    return v;
  }

  /** Total number of backbone parameters. */
  public long parameterCount() {
    long n = 0;
    for (float[] v : values.values()) {
      n += v.length;
    }
    return n;
  }

  /** SHA-256 of the tensor's values as little-endian IEEE-754 floats, in hex. */
  public static String sha256(float[] v) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < v.length; i++) {
        if (!buf.hasRemaining()) {
          md.update(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putFloat(v[i]);
      }
      md.update(buf.array(), 0, buf.position());
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
