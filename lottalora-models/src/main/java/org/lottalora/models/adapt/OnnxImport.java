package org.lottalora.models.adapt;

import java.nio.file.Path;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Imports an ONNX model as a SameDiff graph for {@link GraphAdapter}. <b>Stand-in, replaced at merge:</b> the real
 * importer (with fixes for DL4J 1.0.0-M2.1's ONNX importer) is written on another branch; this build has no
 * {@code samediff-import-onnx} dependency, so this stand-in refuses every file with a one-line message and the
 * CLI is exercised with SameDiff files instead.
 */
public final class OnnxImport {
  private OnnxImport() {
  }

  /**
   * The ONNX model at {@code onnx} as a SameDiff graph.
   *
   * @throws UnsupportedOperationException always, in this stand-in (the real one throws IllegalArgumentException
   *     with a one-line message on bad input)
   */
  public static SameDiff load(Path onnx) {
    throw new UnsupportedOperationException("this build cannot import ONNX (" + onnx.getFileName() + "): the ONNX "
        + "importer is not included yet; save the graph as a SameDiff file (sd.save(file, false)) and pass that");
  }
}
