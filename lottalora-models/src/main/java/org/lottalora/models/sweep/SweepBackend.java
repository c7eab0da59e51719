package org.lottalora.models.sweep;

import java.io.PrintStream;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.BiConsumer;
import org.lottalora.core.sweep.SweepConfig;
import org.lottalora.core.sweep.SweepStore;

/**
 * Another place to run a sweep's runs than this machine's worker pool (e.g. a Spark cluster), found through
 * {@link ServiceLoader} so that the CLI never depends on the engine: the engine's module registers an
 * implementation in {@code META-INF/services/org.lottalora.models.sweep.SweepBackend} and is put on the class
 * path only when wanted. A backend must keep the folder layout and record format of {@link SweepStore}, so that
 * a sweep started by one runner can be resumed and reported by any other.
 */
public interface SweepBackend {
  /** The backend's name, e.g. {@code spark}. */
  String name();

  /**
   * Runs the config's unfinished runs into {@code folder} and then, on this machine, hands a local view of the
   * folder to {@code report} (the folder itself, or a staging copy whose new files are uploaded afterwards).
   *
   * @param config the grid
   * @param folder the sweep folder: a plain path, or a URI the engine's file systems understand
   * @param master where to run (engine-specific, e.g. {@code local[2]} or {@code cluster})
   * @param progress where progress lines go (null: silent)
   * @param report called once with the local view of the folder and this call's summary, if any run is finished
   * @return what this call did
   * @throws IllegalArgumentException for a grid or folder the engine refuses
   * @throws org.lottalora.core.LottaException when the engine fails or runs failed, in one line
   */
  SweepRunner.Summary run(SweepConfig config, String folder, String master, PrintStream progress,
      BiConsumer<SweepStore, SweepRunner.Summary> report);

  /** The registered backend of that name, if its module is on the class path. */
  static Optional<SweepBackend> find(String name) {
    for (SweepBackend b : ServiceLoader.load(SweepBackend.class)) {
      if (b.name().equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }
}
