package org.lottalora.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.GraphAdapter;
import org.lottalora.models.adapt.OnnxImport;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Issue 21's size figure: a model exported from PyTorch as ONNX, wrapped with adapters on every 2-D weight that
 * feeds a matrix product, saved as a {@code .lotta} artifact, against the ONNX file's size; both bases (seed:
 * the targets regenerated, everything else stored; pretrained: no base weight stored, the ONNX file is needed to
 * load) at several ranks. Also the import time (first import in the JVM, then a second one). One JSON line per
 * (model, base, rank).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.AdaptedOnnxSize MODEL.onnx...}
 */
public final class AdaptedOnnxSize {
  private AdaptedOnnxSize() {
  }

  public static void main(String[] a) throws Exception {
    org.lottalora.core.util.Threads.apply(1);
    Path dir = Files.createTempDirectory("onnx-size");
    for (String m : a) {
      Path onnx = Path.of(m);
      long t0 = System.nanoTime();
      SameDiff sd = OnnxImport.load(onnx);
      double first = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      OnnxImport.load(onnx);
      double second = (System.nanoTime() - t0) / 1e9;
      for (String base : new String[] {"seed", "pretrained"}) {
        for (int r : new int[] {1, 2, 4, 8}) {
          GraphAdapter ga = GraphAdapter.of(sd).adapter(AdapterConfig.defaults(r)).classifier("logits", 10);
          if (base.equals("seed")) {
            ga.seeded(0, InitSpec.DEFAULT);
          }
          AdaptedGraph g = ga.apply();
          Path file = dir.resolve("m.lotta");
          g.save(file);
          AdaptedGraph.ParameterCounts pc = g.parameterCounts();
          System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"onnx_bytes\":%d,\"base\":\"%s\",\"rank\":%d,"
              + "\"targets\":%d,\"trainable\":%d,\"fraction\":%.4f,\"artifact_bytes\":%d,\"ratio\":%.4f,"
              + "\"import_first_s\":%.1f,\"import_again_s\":%.2f}%n", onnx.getFileName(), Files.size(onnx), base, r,
              g.spec().targets().size(), pc.trained(), pc.fraction(), Files.size(file),
              Files.size(file) / (double) Files.size(onnx), first, second);
          Files.delete(file);
        }
      }
    }
  }
}
