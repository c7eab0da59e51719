package org.lottalora.models;

import java.nio.file.Path;
import org.lottalora.format.TrustPolicy;

/**
 * A distributed batch-scoring engine that {@code lottalora predict --spark} finds through {@link java.util.ServiceLoader}.
 * The interface lives here, beside the models, so that the CLI can offer {@code --spark} without depending on
 * Spark: the lottalora-spark module implements it and registers it in {@code META-INF/services}; a plain CLI jar
 * finds no implementation and says to run through the Spark launcher instead.
 */
public interface ScoringBackend {
  /**
   * One scoring job.
   *
   * @param model the .lotta artifact on the driver's file system (its bytes are shipped, never its path)
   * @param trust the policy executors verify the artifact under (its keys travel as bytes)
   * @param master the cluster master ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, ...)
   * @param table the input: a Parquet folder or file, or a CSV in the project's layout (features, then an
   *     optional integer label)
   * @param out the Parquet folder to write; written to a sibling temporary folder and renamed when complete
   * @param topK classes per row
   * @param features the features column (an array column) or comma-separated numeric columns; null for the
   *     default ({@code features}, or a CSV's leading columns); for a byte LM the text column
   * @param threads ND4J threads per executor task
   */
  record Request(Path model, TrustPolicy trust, String master, String table, String out, int topK,
      String features, int threads) {}

  /**
   * What a job did.
   *
   * @param rows rows scored
   * @param seconds wall time of the scoring job (load, score, write), not of the accuracy pass
   * @param labelled rows with a label (0 when the table has no label column)
   * @param correct labelled rows whose top class is the label
   * @param artifactBytes bytes shipped to executors (the artifact)
   * @param denseFp32Bytes the dense model's fp32 size from the artifact's recorded parameter count; -1 unknown
   * @param family the model family
   * @param loads model loads in executor JVMs during the job (one per executor; 0 when all were cached)
   */
  record Summary(long rows, double seconds, long labelled, long correct, long artifactBytes, long denseFp32Bytes,
      String family, long loads) {}

  /** The backend's name, for messages ({@code spark}). */
  String name();

  /**
   * Runs the job.
   *
   * @throws IllegalArgumentException or {@link org.lottalora.core.LottaException} with a one-line message
   *     naming the row, column or artifact and the reason
   */
  Summary score(Request request);
}
