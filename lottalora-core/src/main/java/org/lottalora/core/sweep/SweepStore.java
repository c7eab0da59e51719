package org.lottalora.core.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.LottaException;

/**
 * The sweep folder, which is what makes a sweep resumable: {@code sweep.json} (the config), and per run
 * {@code runs/<id>/model.lotta} and {@code runs/<id>/result.json}. A result is written last and atomically, so
 * a run counts as finished exactly when its result file is there and reads back for the same run; anything
 * else (no file, a torn or edited file) means the run is done again. A folder made by a different config is
 * refused, naming the settings that differ.
 */
public final class SweepStore {
  /** The JSON mapper for configs and results: strict on read, indented on write. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final SweepConfig config;

  /** What the folder says about a run. */
  public enum Status { DONE, TODO, CORRUPT }

  private SweepStore(Path dir, SweepConfig config) {
    this.dir = dir;
    this.config = config;
  }

  /**
   * Opens or creates a sweep folder for {@code config}.
   *
   * @throws IllegalArgumentException if the folder holds another sweep (naming what differs)
   */
  public static SweepStore open(Path dir, SweepConfig config) {
    Path cfg = dir.resolve("sweep.json");
    if (Files.exists(cfg)) {
      SweepConfig old = readConfig(dir);
      List<String> d = config.differences(old);
      if (!d.isEmpty()) {
        throw new IllegalArgumentException("sweep folder " + dir + " holds another sweep (" + String.join("; ",
            d.stream().map(s -> s.replace(" vs ", " asked, folder has ")).toList()) + "): use a new --out folder "
            + "or the same settings");
      }
    } else {
      try {
        Files.createDirectories(dir.resolve("runs"));
        writeAtomically(cfg, JSON.writeValueAsString(config));
      } catch (IOException e) {
        throw new LottaException("cannot create sweep folder " + dir + ": " + e.getMessage(), e);
      }
    }
    return new SweepStore(dir, config);
  }

  /**
   * Opens an existing sweep folder with the config it holds (for reports).
   *
   * @throws LottaException if it is not a sweep folder
   */
  public static SweepStore existing(Path dir) {
    return new SweepStore(dir, readConfig(dir));
  }

  private static SweepConfig readConfig(Path dir) {
    Path cfg = dir.resolve("sweep.json");
    if (!Files.exists(cfg)) {
      throw new LottaException(dir + " is not a sweep folder (no sweep.json)");
    }
    try {
      return JSON.readValue(Files.readString(cfg), SweepConfig.class);
    } catch (IOException e) {
      throw new LottaException(cfg + " is not a valid sweep config: " + oneLine(e));
    }
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** The config. */
  public SweepConfig config() {
    return config;
  }

  /** The run's folder. */
  public Path runDir(RunSpec r) {
    return dir.resolve("runs").resolve(r.id());
  }

  /** Where the run's artifact goes. */
  public Path artifact(RunSpec r) {
    return runDir(r).resolve("model.lotta");
  }

  /** Whether the run finished, has not, or left a result that does not read back. */
  public Status status(RunSpec r) {
    Path f = runDir(r).resolve("result.json");
    if (!Files.exists(f)) {
      return Status.TODO;
    }
    return read(r) != null ? Status.DONE : Status.CORRUPT;
  }

  /** The run's result, or null if it is missing or does not read back as this run's. */
  public RunResult read(RunSpec r) {
    Path f = runDir(r).resolve("result.json");
    try {
      RunResult res = JSON.readValue(Files.readString(f), RunResult.class);
      return res.id().equals(r.id()) && res.spec().equals(r) ? res : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Why a result does not read back (for the message that reruns it). */
  public String whyCorrupt(RunSpec r) {
    Path f = runDir(r).resolve("result.json");
    try {
      RunResult res = JSON.readValue(Files.readString(f), RunResult.class);
      return res.id().equals(r.id()) ? "it describes another run" : "its id is " + res.id();
    } catch (IOException | RuntimeException e) {
      return oneLine(e);
    }
  }

  /** Records a finished run (atomically: a crash leaves the old state). */
  public void write(RunResult result) {
    try {
      Files.createDirectories(runDir(result.spec()));
      writeAtomically(runDir(result.spec()).resolve("result.json"), JSON.writeValueAsString(result));
    } catch (IOException e) {
      throw new LottaException("cannot write the result of run " + result.id() + ": " + e.getMessage(), e);
    }
  }

  /** Adds a sweep call's wall time to the folder's total (sum over resumptions). */
  public synchronized void addWallSeconds(double s) {
    try {
      writeAtomically(dir.resolve("wall_seconds.txt"), Double.toString(wallSeconds() + s));
    } catch (IOException e) {
      throw new LottaException("cannot write " + dir.resolve("wall_seconds.txt") + ": " + e.getMessage(), e);
    }
  }

  /** Records the machine and worker settings of the latest sweep call (for reports rebuilt later). */
  public void recordMachine(String text) {
    try {
      writeAtomically(dir.resolve("machine.txt"), text);
    } catch (IOException e) {
      throw new LottaException("cannot write " + dir.resolve("machine.txt") + ": " + e.getMessage(), e);
    }
  }

  /** The machine line recorded by the latest sweep call ("" if none). */
  public String machine() {
    try {
      return Files.readString(dir.resolve("machine.txt")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Wall time of every sweep call on this folder so far (0 if none recorded). */
  public double wallSeconds() {
    try {
      return Double.parseDouble(Files.readString(dir.resolve("wall_seconds.txt")).trim());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The results of every finished run of the config, in grid order. */
  public List<RunResult> results() {
    List<RunResult> out = new ArrayList<>();
    for (RunSpec r : config.runs()) {
      RunResult res = read(r);
      if (res != null) {
        out.add(res);
      }
    }
    return out;
  }

  static void writeAtomically(Path target, String text) throws IOException {
    org.lottalora.format.AtomicFile.writeString(target, text);
  }

  static String oneLine(Exception e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
