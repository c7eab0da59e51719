package org.lottalora.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.Backbone;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.TensorSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.format.Safetensors;
import org.lottalora.format.proto.DType;
import org.lottalora.core.engine.Adam;
import org.lottalora.models.transformer.ByteCorpus;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.LmPreset;
import org.lottalora.models.transformer.Targets;

/**
 * An LM preset end to end at scale (issue 4's 900M check): build from the seed, train a few Adam steps at rank r on
 * windows of a text, save the artifact as fp32, fp16 and int8, reload the fp32 one and compare the next-byte
 * distribution with the trained model's, and time regeneration against reading the same backbone's dense fp32
 * safetensors. Peak memory is the process's high-water resident set (heap and ND4J's off-heap buffers together).
 *
 * <p>Usage: {@code LmScale PRESET TEXT STEPS BATCH SEQ_LEN RANK THREADS DIR}
 */
public final class LmScale {
  private LmScale() {
  }

  public static void main(String[] args) throws Exception {
    LmPreset preset = LmPreset.of(args[0]);
    byte[] text = Files.readAllBytes(Path.of(args[1]));
    int steps = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int seqLen = Integer.parseInt(args[4]);
    int rank = Integer.parseInt(args[5]);
    int threads = Integer.parseInt(args[6]);
    Path dir = Files.createTempDirectory(Path.of(args[7]), "lmscale");
    Threads.apply(threads);
    ByteLm.Spec spec = preset.spec(0, InitSpec.DEFAULT, AdapterConfig.defaults(rank), Targets.LM);
    System.out.printf(Locale.ROOT, "preset %s: %d layers, width %d, %d heads, SwiGLU %d; %,d values; rank %d; "
        + "%d cores, ND4J threads %d, max heap %.1f GiB%n", preset.name(), spec.layers(), spec.d(), spec.heads(),
        spec.hidden(), spec.modelValues(), rank, Runtime.getRuntime().availableProcessors(), threads,
        Runtime.getRuntime().maxMemory() / Math.pow(2, 30));
    long t0 = System.nanoTime();
    ByteLm lm = new ByteLm(spec);
    double build = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "build from seed (regenerate + effective weights): %.1f s; resident %.2f GiB%n",
        build, rssGiB("VmRSS"));
    ByteCorpus corpus = ByteCorpus.of(text, args[1], 0.1);
    List<Double> stepSeconds = new ArrayList<>();
    for (int step = 1; step <= steps; step++) {
      int[][] b = new int[batch][];
      for (int i = 0; i < batch; i++) {
        b[i] = ByteCorpus.tokens(corpus.train(), ((step - 1) * batch + i) * 7919 % (corpus.train().length - seqLen),
            seqLen);
      }
      long s0 = System.nanoTime();
      double loss = lm.backward(b);
      Adam.step(lm.params(), 1e-3, 0, step);
      lm.refresh();
      double secs = (System.nanoTime() - s0) / 1e9;
      stepSeconds.add(secs);
      System.out.printf(Locale.ROOT, "step %d: loss %.4f, %.1f s (%d x %d bytes)%n", step, loss, secs, batch, seqLen);
    }
    int[] probe = ByteCorpus.tokens(corpus.validation(), 0, Math.min(64, seqLen));
    float[] before = lm.nextTokenDistribution(probe);
    Path[] files = {dir.resolve("m32.lotta"), dir.resolve("m16.lotta"), dir.resolve("m8.lotta")};
    DType[] types = {DType.FLOAT32, DType.FLOAT16, DType.INT8};
    long t1 = System.nanoTime();
    LmModel m = new LmModel(lm, preset.name(), args[1], 0.1, seqLen, Double.NaN);
    for (int i = 0; i < 3; i++) {
      m.save(files[i], null, types[i], null);
    }
    double saveSecs = (System.nanoTime() - t1) / 1e9 / 3;
    Map<String, float[]> trained = lm.trained();
    long trainedValues = trained.values().stream().mapToLong(v -> v.length).sum();
    Backbone bb = lm.backbone();
    Path dense = dir.resolve("backbone.safetensors");
    List<Safetensors.Entry> entries = new ArrayList<>();
    for (TensorSpec t : bb.specs().values()) {
      int[] sh = t.shape();
      long[] shape = new long[sh.length];
      for (int k = 0; k < sh.length; k++) {
        shape[k] = sh[k];
      }
      entries.add(new Safetensors.Entry(t.name(), shape, bb.get(t.name())));
    }
    Safetensors.write(dense, entries, Map.of(), DType.FLOAT32);
    entries = null;
    bb = null;
    m = null;
    lm = null;
    System.gc();
    long t2 = System.nanoTime();
    LmModel back = LmModel.load(files[0]);
    double load = (System.nanoTime() - t2) / 1e9;
    float[] after = back.lm().nextTokenDistribution(probe);
    int argBefore = argmax(before);
    int argAfter = argmax(after);
    back = null;
    System.gc();
    float[] after16 = LmModel.load(files[1]).lm().nextTokenDistribution(probe);
    System.gc();
    float[] after8 = LmModel.load(files[2]).lm().nextTokenDistribution(probe);
    System.gc();
    long t3 = System.nanoTime();
    Safetensors.Contents c = Safetensors.read(dense);
    double read = (System.nanoTime() - t3) / 1e9;
    int count = c.tensors().size();
    c = null;
    System.gc();
    List<Double> sorted = new ArrayList<>(stepSeconds.subList(Math.min(1, steps - 1), steps));
    sorted.sort(Double::compare);
    double median = sorted.get(sorted.size() / 2);
    long values = spec.modelValues();
    System.out.printf(Locale.ROOT, "time per training step: median %.1f s over steps 2..%d (first %.1f s)%n", median,
        steps, stepSeconds.get(0));
    System.out.printf(Locale.ROOT, "trained values %,d (%.4f%% of %,d)%n", trainedValues,
        100.0 * trainedValues / values, values);
    System.out.printf(Locale.ROOT, "artifact fp32 %s, fp16 %s, int8 %s (save %.1f s each); full model fp32 %s, "
        + "fp16 %s; dense fp32 safetensors on disk %s%n", mb(Files.size(files[0])), mb(Files.size(files[1])),
        mb(Files.size(files[2])), saveSecs, mb(values * 4), mb(values * 2), mb(Files.size(dense)));
    System.out.printf(Locale.ROOT, "reload fp32 artifact (regenerate %,d values + check fingerprints + restore): "
        + "%.1f s; read dense fp32 safetensors (%d tensors, warm page cache): %.1f s%n", values, load, count, read);
    System.out.printf(Locale.ROOT, "next byte after the probe: trained %d, reloaded fp32 %d, identical "
        + "distribution %b; fp16 max |dp| %.2e, int8 max |dp| %.2e (argmax %d, %d)%n", argBefore, argAfter,
        java.util.Arrays.equals(before, after), maxDiff(before, after16), maxDiff(before, after8), argmax(after16),
        argmax(after8));
    System.out.printf(Locale.ROOT, "peak resident memory %.2f GiB%n", rssGiB("VmHWM"));
    for (Path f : files) {
      Files.delete(f);
    }
    Files.delete(dense);
    Files.delete(dir);
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static int argmax(float[] p) {
    int b = 0;
    for (int i = 1; i < p.length; i++) {
      b = p[i] > p[b] ? i : b;
    }
    return b;
  }

  private static double maxDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static double rssGiB(String key) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / Math.pow(2, 20);
      }
    }
    return Double.NaN;
  }
}
