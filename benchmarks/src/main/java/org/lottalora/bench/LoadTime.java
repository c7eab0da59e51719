package org.lottalora.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.Safetensors;
import org.lottalora.models.Export;
import org.lottalora.models.Families;
import org.lottalora.models.LottaModel;

/**
 * Load time of a model with over 100 million backbone parameters: the seed + adapters artifact (read,
 * validate, regenerate, fingerprint, build the graph: ready to predict) and regeneration alone, against reading
 * the same model's dense fp32 safetensors (the merged export) into float arrays. Medians of several runs in one
 * JVM, from a warm page cache (the files' best case) and, when the process may drop the page cache (root),
 * from a cold one.
 *
 * <p>Usage: {@code java -Xmx12g -cp benchmarks/target/benchmarks.jar org.lottalora.bench.LoadTime [repeats]
 * [threads] [hidden-width] [layers] [folder]}
 */
public final class LoadTime {
  private LoadTime() {}

  public static void main(String[] args) throws Exception {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
    int layers = args.length > 3 ? Integer.parseInt(args[3]) : 7;
    Path dir = Files.createTempDirectory(args.length > 4 ? Path.of(args[4]) : Path.of(System.getProperty("java.io.tmpdir")),
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
    m = null;
    System.gc();
    System.out.printf(Locale.ROOT, "model %s: %,d backbone params; artifact %,d bytes, dense fp32 safetensors %,d "
        + "bytes; regeneration threads %d, %d cores%n", spec.layout(), params, Files.size(artifact),
        Files.size(dense), threads, Runtime.getRuntime().availableProcessors());
    List<Double> load = new ArrayList<>();
    List<Double> regen = new ArrayList<>();
    List<Double> read = new ArrayList<>();
    List<Double> coldLoad = new ArrayList<>();
    List<Double> coldRead = new ArrayList<>();
    boolean canDrop = dropCaches();
    var tensors = Families.get("mlp").backboneTensors(spec);
    for (int r = 0; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      Backbone b = Backbone.regenerate(0, tensors, threads);
      regen.add((System.nanoTime() - t0) / 1e9);
      b = null;
      System.gc();
      t0 = System.nanoTime();
      LottaModel loaded = LottaModel.load(artifact);
      load.add((System.nanoTime() - t0) / 1e9);
      loaded = null;
      System.gc();
      t0 = System.nanoTime();
      Safetensors.Contents c = Safetensors.read(dense);
      read.add((System.nanoTime() - t0) / 1e9);
      if (c.tensors().size() != 2 * layers + 2) {
        throw new IllegalStateException("unexpected tensor count " + c.tensors().size());
      }
      c = null;
      if (canDrop) { // the same two reads from a cold page cache: the files come off the disk
        System.gc();
        dropCaches();
        t0 = System.nanoTime();
        Safetensors.read(dense);
        coldRead.add((System.nanoTime() - t0) / 1e9);
        System.gc();
        dropCaches();
        t0 = System.nanoTime();
        LottaModel.load(artifact);
        coldLoad.add((System.nanoTime() - t0) / 1e9);
      }
      System.out.printf(Locale.ROOT, "run %d: load %.2f s, regenerate %.2f s, read safetensors %.2f s%s%n", r + 1,
          load.get(r), regen.get(r), read.get(r), canDrop ? String.format(Locale.ROOT,
              "; cold page cache: load %.2f s, read safetensors %.2f s", coldLoad.get(r), coldRead.get(r)) : "");
    }
    double ml = median(load);
    double mr = median(regen);
    double ms = median(read);
    System.out.printf(Locale.ROOT, "median load (ready to predict) %.2f s | regenerate only %.2f s = %.1f M params/s "
        + "| read dense fp32 safetensors %.2f s | load / read = %.2f%n", ml, mr, params / mr / 1e6, ms, ml / ms);
    if (canDrop) {
      System.out.printf(Locale.ROOT, "cold page cache: median load %.2f s | read dense fp32 safetensors %.2f s | "
          + "load / read = %.2f%n", median(coldLoad), median(coldRead), median(coldLoad) / median(coldRead));
    } else {
      System.out.println("cold page cache: not measured (writing /proc/sys/vm/drop_caches needs root)");
    }
    // a lying file: the last backbone tensor's fingerprint zeroed (the worst case for a check in tensor order)
    org.lottalora.format.proto.Artifact a = org.lottalora.format.ArtifactCodec.read(artifact);
    int last = a.getBackbone().getTensorsCount() - 1;
    org.lottalora.format.proto.Artifact lying = a.toBuilder().setBackbone(a.getBackbone().toBuilder().setTensors(last,
        a.getBackbone().getTensors(last).toBuilder().setFingerprint(com.google.protobuf.ByteString.copyFrom(
            new byte[32])))).build();
    Path lie = dir.resolve("lying.lotta");
    org.lottalora.format.ArtifactCodec.write(lying, lie);
    List<Double> refuse = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      try {
        LottaModel.load(lie);
        throw new IllegalStateException("a lying fingerprint was accepted");
      } catch (org.lottalora.format.ArtifactException e) {
        refuse.add((System.nanoTime() - t0) / 1e9);
        if (r == 0) {
          System.out.println("refused: " + e.reason() + ": " + e.getMessage());
        }
      }
    }
    System.out.printf(Locale.ROOT, "refusing the same file with its last backbone tensor's fingerprint zeroed: median "
        + "%.3f s (%s)%n", median(refuse), refuse.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList());
    Files.delete(lie);
    Files.delete(artifact);
    Files.delete(dense);
    Files.delete(dir);
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

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(Double::compare);
    return s.get(s.size() / 2);
  }
}
