package org.lottalora.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.data.Normalization;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.Safetensors;
import org.lottalora.models.Export;
import org.lottalora.models.Families;
import org.lottalora.models.LottaModel;
import org.lottalora.models.MergedModel;

/**
 * Cold start of a model with over 100 million backbone parameters (MLP 784-4096x7-10, rank 8), each path timed to a
 * first prediction (one row):
 * <ul>
 *   <li>artifact, graph-free: {@link MergedModel#load} (read, validate, precheck fingerprints, regenerate layer by
 *       layer on every core, check each tensor, merge, drop) then predict;</li>
 *   <li>dense: read the same model's merged fp32 safetensors into float arrays ({@link Safetensors#read}) and build
 *       the same merged model from them ({@link MergedModel#ofDense}), then predict;</li>
 *   <li>artifact through the graph ({@code LottaModel.load}: regenerate all, build the SameDiff graph) then predict,
 *       the load path before the graph-free one;</li>
 *   <li>regeneration alone.</li>
 * </ul>
 * Medians of several runs in one JVM, from a warm page cache and, when the process may drop the page cache (root),
 * from a cold one. Then the peak resident memory (VmHWM) of each path, each in a fresh JVM, against the dense
 * model's size; and the refusal time of the artifact with a lying fingerprint.
 *
 * <p>Usage: {@code java -Xmx12g -cp benchmarks/target/benchmarks.jar org.lottalora.bench.LoadTime [repeats]
 * [hidden-width] [layers] [folder]}; internally {@code LoadTime peak MODE FILE} runs one path in a child JVM.
 */
public final class LoadTime {
  private LoadTime() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("peak")) {
      peak(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int width = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int layers = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    Path dir = Files.createTempDirectory(args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir")),
        "loadtime");
    Threads.apply(1);
    int[] widths = new int[layers];
    Arrays.fill(widths, width);
    ModelSpec spec = new ModelSpec("mlp", 784, 10, widths, 0, 0, InitSpec.DEFAULT, AdapterConfig.defaults(8), false);
    LottaModel m = LottaModel.create(spec);
    long params = m.backbone().parameterCount();
    Path artifact = dir.resolve("big.lotta");
    Path dense = dir.resolve("big.safetensors");
    m.save(artifact, m.provenance("none", null, 0, null, 1), LottaModel.SaveOptions.defaults());
    Export.merged(m, ArtifactCodec.open(artifact).digestHex(), dense, org.lottalora.format.proto.DType.FLOAT32);
    float[] row = new float[784];
    Arrays.fill(row, 0.5f);
    float[] expected = m.merged().predict(row);
    m = null;
    System.gc();
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "model %s: %,d backbone params; artifact %,d bytes, dense fp32 safetensors %,d "
        + "bytes; regeneration on %d threads (all cores), 1 BLAS thread; SIMD normals (Vector API module): %s%n",
        spec.layout(), params, Files.size(artifact), Files.size(dense), threads,
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "on" : "off");
    String[] names = {"artifact, graph-free (MergedModel.load)", "dense fp32 safetensors (read + MergedModel.ofDense)",
        "artifact through the graph (LottaModel.load)", "regenerate only"};
    List<List<Double>> warm = new ArrayList<>();
    List<List<Double>> cold = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      warm.add(new ArrayList<>());
      cold.add(new ArrayList<>());
    }
    boolean canDrop = dropCaches();
    var tensors = Families.get("mlp").backboneTensors(spec);
    for (int r = 0; r < repeats; r++) {
      for (int path = 0; path < names.length; path++) {
        for (boolean isCold : canDrop ? new boolean[] {false, true} : new boolean[] {false}) {
          if (isCold && path == 3) {
            continue; // regeneration reads no file
          }
          System.gc();
          if (isCold) {
            dropCaches();
          }
          long t0 = System.nanoTime();
          float[] p = switch (path) {
            case 0 -> MergedModel.load(artifact).predict(row);
            case 1 -> denseModel(dense, layers).predict(row);
            case 2 -> LottaModel.load(artifact).predict(row);
            default -> {
              Backbone.regenerate(0, tensors, threads);
              yield expected;
            }
          };
          double secs = (System.nanoTime() - t0) / 1e9;
          (isCold ? cold : warm).get(path).add(secs);
          for (int c = 0; c < p.length; c++) {
            if (Math.abs(p[c] - expected[c]) > 1e-5f) {
              throw new IllegalStateException(names[path] + " predicts " + Arrays.toString(p) + ", expected "
                  + Arrays.toString(expected));
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "run %d:", r + 1);
      for (int path = 0; path < names.length; path++) {
        System.out.printf(Locale.ROOT, " %s %.2f s%s;", names[path], warm.get(path).get(r),
            canDrop && path < 3 ? String.format(Locale.ROOT, " (cold %.2f s)", cold.get(path).get(r)) : "");
      }
      System.out.println();
    }
    double denseWarm = median(warm.get(1));
    System.out.println();
    System.out.println("| path (to a first prediction) | warm page cache, median | cold page cache, median | / dense (warm) "
        + "| / dense (cold) |");
    System.out.println("|---|---|---|---|---|");
    for (int path = 0; path < names.length; path++) {
      double w = median(warm.get(path));
      boolean hasCold = canDrop && path < 3;
      double c = hasCold ? median(cold.get(path)) : Double.NaN;
      System.out.printf(Locale.ROOT, "| %s | %.2f s %s | %s | %.2f | %s |%n", names[path], w, runs(warm.get(path)),
          hasCold ? String.format(Locale.ROOT, "%.2f s %s", c, runs(cold.get(path))) : "n/a", w / denseWarm,
          hasCold ? String.format(Locale.ROOT, "%.2f", c / median(cold.get(1))) : "n/a");
    }
    System.out.printf(Locale.ROOT, "regeneration rate: %.1f M params/s on %d threads%n",
        params / median(warm.get(3)) / 1e6, threads);
    if (!canDrop) {
      System.out.println("cold page cache: not measured (writing /proc/sys/vm/drop_caches needs root)");
    }

    // peak resident memory of each path, each in a fresh JVM
    System.out.println();
    System.out.printf(Locale.ROOT, "peak resident memory (VmHWM) of each path in a fresh JVM with this JVM's flags %s; "
        + "the dense fp32 model is %.0f MiB; its time includes the fresh JVM's JIT warm-up%n",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(), params * 4 / 1048576.0);
    for (String mode : new String[] {"baseline", "graphfree", "dense", "graph"}) {
      System.out.printf(Locale.ROOT, "  %-10s %s%n", mode, child(mode, mode.equals("dense") ? dense : artifact, layers));
    }

    // a lying file: the last backbone tensor's fingerprint zeroed (the worst case for a check in tensor order)
    org.lottalora.format.proto.Artifact a = ArtifactCodec.read(artifact);
    int last = a.getBackbone().getTensorsCount() - 1;
    org.lottalora.format.proto.Artifact lying = a.toBuilder().setBackbone(a.getBackbone().toBuilder().setTensors(last,
        a.getBackbone().getTensors(last).toBuilder().setFingerprint(com.google.protobuf.ByteString.copyFrom(
            new byte[32])))).build();
    Path lie = dir.resolve("lying.lotta");
    ArtifactCodec.write(lying, lie);
    List<Double> refuse = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      try {
        MergedModel.load(lie);
        throw new IllegalStateException("a lying fingerprint was accepted");
      } catch (org.lottalora.format.ArtifactException e) {
        refuse.add((System.nanoTime() - t0) / 1e9);
        if (r == 0) {
          System.out.println("refused: " + e.reason() + ": " + e.getMessage());
        }
      }
    }
    System.out.printf(Locale.ROOT, "refusing the same file with its last backbone tensor's fingerprint zeroed: median "
        + "%.3f s %s%n", median(refuse), runs(refuse));
    Files.delete(lie);
    Files.delete(artifact);
    Files.delete(dense);
    Files.delete(dir);
  }

  /** The merged model built from the dense export: hidden layers with ReLU, then the head. */
  static MergedModel denseModel(Path dense, int layers) {
    Safetensors.Contents c = Safetensors.read(dense);
    List<MergedModel.DenseLayer> out = new ArrayList<>();
    for (int i = 0; i <= layers; i++) {
      String name = i < layers ? "layers." + i : "head";
      Safetensors.Entry w = c.tensors().get(name + ".weight");
      Safetensors.Entry b = c.tensors().get(name + ".bias");
      out.add(new MergedModel.DenseLayer(name, (int) w.shape()[1], (int) w.shape()[0], w.values(), b.values(),
          i < layers));
    }
    return MergedModel.ofDense(784, 10, Normalization.NONE, out);
  }

  /** Runs one path in a child JVM and returns what it reports. */
  private static String child(String mode, Path file, int layers) throws Exception {
    String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(launcher));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()); // the parent's flags
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadTime.class.getName(), "peak", mode,
        file.toString(), Integer.toString(layers)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String last = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("peak")) {
          last = line;
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("child " + mode + " failed");
    }
    return last;
  }

  /** One path, then its peak resident memory from /proc/self/status. */
  private static void peak(String mode, Path file, int layers) throws Exception {
    Threads.apply(1);
    float[] row = new float[784];
    long t0 = System.nanoTime();
    float[] p = switch (mode) {
      case "baseline" -> MergedModel.ofDense(784, 10, Normalization.NONE, List.of(new MergedModel.DenseLayer("head",
          784, 10, new float[7840], new float[10], false))).predict(row);
      case "graphfree" -> MergedModel.load(file).predict(row);
      case "dense" -> denseModel(file, layers).predict(row);
      case "graph" -> LottaModel.load(file).predict(row);
      default -> throw new IllegalArgumentException(mode);
    };
    double secs = (System.nanoTime() - t0) / 1e9;
    String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
        .findFirst().orElse("VmHWM: ? kB").replaceAll("\\s+", " ");
    long kb = Long.parseLong(hwm.replaceAll("[^0-9]", ""));
    System.out.printf(Locale.ROOT, "peak %,.0f MiB (%s; first prediction after %.2f s, class %d)%n", kb / 1024.0, hwm,
        secs, argMax(p));
  }

  private static int argMax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      best = p[i] > p[best] ? i : best;
    }
    return best;
  }

  /** Drops the OS page cache (root only); false where that is not allowed. */
  private static boolean dropCaches() {
    try {
      new ProcessBuilder("sync").start().waitFor();
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String runs(List<Double> v) {
    return v.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList().toString();
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(Double::compare);
    return s.get(s.size() / 2);
  }
}
