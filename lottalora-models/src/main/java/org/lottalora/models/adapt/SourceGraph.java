package org.lottalora.models.adapt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lottalora.core.LottaException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A user's graph read from a model file, with what an artifact records about where it came from: an ONNX file
 * ({@code .onnx}, through {@link OnnxImport}) or a SameDiff FlatBuffers file (any other name, as written by
 * {@code sd.save(file, false)}), its source label ({@code onnx:<name>} or {@code samediff:<name>}), the file's
 * SHA-256 and size, and the 2-D weights that could carry adapters ({@link #candidates()}), which is what a user
 * looks at before choosing a {@link TargetRule}.
 */
public record SourceGraph(SameDiff graph, String source, byte[] sha256, Path file, long bytes) {

  /** A 2-D weight of the graph: its name, its shape as stored, and whether a matrix product consumes it. */
  public record Candidate(String name, long[] shape, boolean feedsMatmul) {
  }

  /**
   * Reads {@code file}.
   *
   * @throws LottaException naming the file when it is missing, unreadable or not a graph this build can read
   */
  public static SourceGraph load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new LottaException("no such model file: " + file);
    }
    String name = file.getFileName().toString();
    boolean onnx = name.toLowerCase(Locale.ROOT).endsWith(".onnx");
    byte[] sha;
    long bytes;
    try {
      sha = GraphArtifacts.sha256(file);
      bytes = Files.size(file);
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage());
    }
    SameDiff sd;
    try {
      sd = onnx ? OnnxImport.load(file) : SameDiff.load(file.toFile(), false);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // the importer's own one-line message; a bad file is a failure (exit 1), not a usage mistake
      throw new LottaException(e.getMessage());
    } catch (RuntimeException e) {
      // SameDiff's FlatBuffers reader fails deep inside on anything else; say what the file should have been
      throw new LottaException(file + " is not a SameDiff graph file (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")) + "); pass an .onnx "
          + "file or a graph saved with SameDiff.save(file, false)");
    }
    if (sd == null || sd.variables().isEmpty()) {
      throw new LottaException(file + " holds an empty graph");
    }
    return new SourceGraph(sd, (onnx ? "onnx:" : "samediff:") + name, sha, file, bytes);
  }

  /** Every 2-D floating-point weight (variable or constant) in the graph's order. */
  public List<Candidate> candidates() {
    List<Candidate> out = new ArrayList<>();
    for (SDVariable v : graph.variables()) {
      long[] s = v.getShape();
      if (TargetRule.isWeight(v) && s != null && s.length == 2) {
        out.add(new Candidate(v.name(), s.clone(), TargetRule.feedsMatmul(graph, v.name())));
      }
    }
    return out;
  }
}
