package org.lottalora.models.decision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.lottalora.core.LottaException;
import org.lottalora.core.backbone.Draws;

/**
 * An offline dataset: whole episodes of one {@link Environment}, as the toolkit generates them ({@link #generate})
 * or a user brings them ({@link #read}). Stored as CSV (gzip when the name ends in {@code .gz}): optional comment
 * lines first ({@code # env=cartpole} names the task; other {@code # key=value} lines describe how it was made),
 * then the header {@code episode,step,s0..s{S-1},a0..a{A-1},reward,done} and one row per step: the observation
 * the action was taken in, the action (the index for a discrete task), the reward it earned and whether the
 * episode ended with it. Episodes are numbered in order from 0, their steps from 0 without gaps, and {@code done}
 * is 1 on an episode's last step only when the episode ended (a cut-off trajectory may end with 0).
 *
 * @param env the task
 * @param episodes the episodes, in file order
 * @param description how it was made ({@code key=value} comment lines), empty for a user's file without them
 */
public record Trajectories(Environment env, List<Episode> episodes, List<String> description) {
  /** Names generated datasets take: {@code <env>-<quality>}, e.g. {@code cartpole-medium}. */
  public static final String NAME_FORM = "<env>-<quality> (" + String.join(", ", Environment.IDS) + "; "
      + String.join(", ", Behaviour.QUALITIES) + ")";

  /**
   * One episode.
   *
   * @param states observation of each step [T][S]
   * @param actions action of each step [T][A]
   * @param rewards reward of each step [T]
   * @param terminal whether it ended (not cut off)
   */
  public record Episode(float[][] states, float[][] actions, float[] rewards, boolean terminal) {
    /** Steps. */
    public int length() {
      return rewards.length;
    }

    /** The sum of rewards. */
    public double total() {
      double s = 0;
      for (float r : rewards) {
        s += r;
      }
      return s;
    }

    /** Return-to-go of each step: the rewards from it to the end. */
    public float[] returnsToGo() {
      float[] g = new float[rewards.length];
      double acc = 0;
      for (int t = rewards.length - 1; t >= 0; t--) {
        acc += rewards[t];
        g[t] = (float) acc;
      }
      return g;
    }
  }

  /** Steps in all episodes. */
  public int steps() {
    int n = 0;
    for (Episode e : episodes) {
      n += e.length();
    }
    return n;
  }

  /** Mean episode return. */
  public double meanReturn() {
    return episodes.stream().mapToDouble(Episode::total).average().orElse(Double.NaN);
  }

  /** The best episode return. */
  public double bestReturn() {
    return episodes.stream().mapToDouble(Episode::total).max().orElse(Double.NaN);
  }

  /**
   * Rolls out {@code episodes} episodes of {@code quality}'s behaviour policy ({@link Behaviour}) on {@code env},
   * episode i reset and acted from stream {@code "dt.data/<env>/<quality>/<i>"} of {@code seed}.
   */
  public static Trajectories generate(Environment env, String quality, int episodes, long seed) {
    if (episodes < 1) {
      throw new IllegalArgumentException("a dataset needs at least 1 episode, got " + episodes);
    }
    Behaviour.of(env, quality, 0, episodes); // an unknown quality fails before any work
    List<Episode> out = new ArrayList<>();
    for (int i = 0; i < episodes; i++) {
      Policy p = Behaviour.of(env, quality, i, episodes);
      out.add(play(env.copy(), p, new Draws(seed, "dt.data/" + env.id() + "/" + quality + "/" + i)));
    }
    return new Trajectories(env, out, List.of("env=" + env.id(), "quality=" + quality, "episodes=" + episodes,
        "seed=" + seed, "producer=lottalora dt dataset"));
  }

  /** One episode of {@code policy} on {@code env}. */
  static Episode play(Environment env, Policy policy, Draws d) {
    List<float[]> s = new ArrayList<>();
    List<float[]> a = new ArrayList<>();
    List<Float> r = new ArrayList<>();
    float[] state = env.reset(d);
    Environment.Step st;
    do {
      float[] act = policy.act(state, d);
      st = env.step(act);
      s.add(state);
      a.add(act);
      r.add((float) st.reward());
      state = st.state();
    } while (!st.done());
    float[] rr = new float[r.size()];
    for (int i = 0; i < rr.length; i++) {
      rr[i] = r.get(i);
    }
    return new Episode(s.toArray(new float[0][]), a.toArray(new float[0][]), rr, s.size() < env.maxSteps());
  }

  /**
   * A generated dataset by name, {@code <env>-<quality>} (e.g. {@code pendulum-medium-replay}), or null when
   * {@code name} is not of that form (a file path).
   */
  public static Trajectories named(String name, int episodes, long seed) {
    for (String env : Environment.IDS) {
      if (name.startsWith(env + "-") && Behaviour.QUALITIES.contains(name.substring(env.length() + 1))) {
        return generate(Environment.of(env), name.substring(env.length() + 1), episodes, seed);
      }
    }
    return null;
  }

  /** Writes the dataset as CSV (gzip for a {@code .gz} name), atomically. */
  public void write(Path path) {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try {
      var raw = Files.newOutputStream(tmp);
      var stream = path.toString().endsWith(".gz") ? new java.util.zip.GZIPOutputStream(raw) : raw;
      try (Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8))) {
        w.write("# lottalora trajectories v1\n");
        boolean named = false;
        for (String line : description) {
          w.write("# " + line + "\n");
          named |= line.startsWith("env=");
        }
        if (!named) {
          w.write("# env=" + env.id() + "\n");
        }
        w.write(header(env) + "\n");
        StringBuilder b = new StringBuilder();
        for (int e = 0; e < episodes.size(); e++) {
          Episode ep = episodes.get(e);
          for (int t = 0; t < ep.length(); t++) {
            b.setLength(0);
            b.append(e).append(',').append(t);
            for (float v : ep.states()[t]) {
              b.append(',').append(v);
            }
            for (float v : ep.actions()[t]) {
              b.append(',').append(env.discrete() ? Integer.toString((int) v) : Float.toString(v));
            }
            b.append(',').append(ep.rewards()[t]).append(',')
                .append(t == ep.length() - 1 && ep.terminal() ? 1 : 0).append('\n');
            w.write(b.toString());
          }
        }
      }
      Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the write error below is what matters
      }
      throw new LottaException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** The CSV header of {@code env}'s rows. */
  public static String header(Environment env) {
    StringBuilder b = new StringBuilder("episode,step");
    for (int i = 0; i < env.stateDim(); i++) {
      b.append(",s").append(i);
    }
    for (int i = 0; i < env.actionDim(); i++) {
      b.append(",a").append(i);
    }
    return b.append(",reward,done").toString();
  }

  /**
   * Reads a trajectory CSV (see the class comment) and checks every row.
   *
   * @param envId the task when the file has no {@code # env=} line (null: the file must name it)
   * @throws LottaException in one line naming the file, the line, the episode and step, and the
   *     problem: a missing or repeated step, an action outside the task's range, a non-finite value, a wrong
   *     header or column count
   */
  public static Trajectories read(Path path, String envId) {
    Parsed p = open(path, envId, false);
    List<Episode> episodes = new ArrayList<>();
    for (Rows r : p.episodes) {
      float[] rr = new float[r.rewards.size()];
      for (int i = 0; i < rr.length; i++) {
        rr[i] = r.rewards.get(i);
      }
      episodes.add(new Episode(r.states.toArray(new float[0][]), r.actions.toArray(new float[0][]), rr, r.closed));
    }
    return new Trajectories(p.env, List.copyOf(episodes), List.copyOf(p.description));
  }

  /**
   * Reads trajectory prefixes for prediction: the same CSV, except that an episode may start at any step (the last
   * steps of a longer one) and its last row, the step whose action is wanted, may leave the action, reward and
   * done columns empty.
   *
   * @param env the model's task (a file naming another is refused)
   * @throws LottaException in one line naming the file, line, episode and step, as {@link #read}
   */
  public static List<DtModel.Prefix> readPrefixes(Path path, Environment env) {
    Parsed p = open(path, env.id(), true);
    List<DtModel.Prefix> out = new ArrayList<>();
    for (Rows r : p.episodes) {
      int n = r.states.size();
      float[] rr = new float[Math.min(n - 1, r.rewards.size())];
      for (int i = 0; i < rr.length; i++) {
        rr[i] = r.rewards.get(i);
      }
      out.add(new DtModel.Prefix(path + " episode " + r.episode, r.first, r.states.toArray(new float[0][]),
          r.actions.subList(0, Math.min(n - 1, r.actions.size())).toArray(new float[0][]), rr));
    }
    return out;
  }

  private record Parsed(Environment env, List<Rows> episodes, List<String> description) {}

  private static Parsed open(Path path, String envId, boolean prefixes) {
    if (!Files.isRegularFile(path)) {
      throw new LottaException("trajectory file " + path + " does not exist; give a CSV written by "
          + "`lottalora dt dataset` or in its format" + (prefixes ? "" : ", or a generated dataset name " + NAME_FORM));
    }
    try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(path.toString().endsWith(".gz")
        ? new GZIPInputStream(Files.newInputStream(path)) : Files.newInputStream(path), StandardCharsets.UTF_8))) {
      return parse(r, path.toString(), envId, prefixes);
    } catch (IOException e) {
      throw new LottaException("cannot read " + path + ": " + e.getMessage());
    }
  }

  private static Parsed parse(BufferedReader r, String where, String envId, boolean prefixes) throws IOException {
    List<String> description = new ArrayList<>();
    String line;
    int no = 0;
    String fileEnv = null;
    while ((line = r.readLine()) != null) {
      no++;
      if (!line.startsWith("#")) {
        break;
      }
      String c = line.substring(1).trim();
      if (c.startsWith("env=")) {
        fileEnv = c.substring(4).trim();
      }
      if (c.contains("=")) {
        description.add(c);
      }
    }
    if (fileEnv != null && envId != null && !envId.isEmpty() && !fileEnv.equals(envId)) {
      throw new LottaException(where + " holds " + fileEnv + " trajectories, not " + envId
          + (prefixes ? "; give a " + envId + " file" : "; drop --env or give a " + envId + " file"));
    }
    String id = fileEnv != null ? fileEnv : envId;
    if (id == null || id.isEmpty()) {
      throw new LottaException(where + " does not name its environment: add a line '# env=cartpole' "
          + "(or pendulum) before the header, or give --env");
    }
    Environment env;
    try {
      env = Environment.of(id);
    } catch (IllegalArgumentException e) {
      throw new LottaException(where + ": " + e.getMessage());
    }
    if (line == null || !line.trim().equals(header(env))) {
      throw new LottaException(where + " line " + no + ": expected the header '" + header(env)
          + "' for " + env.id() + (line == null ? ", found the end of the file" : ", found '" + line.trim() + "'"));
    }
    int cols = 2 + env.stateDim() + env.actionDim() + 2;
    List<Rows> episodes = new ArrayList<>();
    Rows cur = null;
    String openAt = null; // where a row without an action was: it must be its episode's last
    while ((line = r.readLine()) != null) {
      no++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      String at = where + " line " + no;
      if (f.length != cols) {
        throw new LottaException(at + ": " + f.length + " columns, the header has " + cols);
      }
      int ep = integer(f[0], at, "episode");
      int step = integer(f[1], at, "step");
      at += " (episode " + ep + ", step " + step + ")";
      if (cur == null || ep != cur.episode) {
        if (ep != episodes.size()) {
          throw new LottaException(at + ": " + (episodes.isEmpty() ? "the first episode must be 0"
              : "episode " + ep + " follows episode " + (episodes.size() - 1))
              + "; number episodes 0, 1, 2, ... with each episode's rows together");
        }
        cur = new Rows(ep, prefixes ? step : 0);
        episodes.add(cur);
        openAt = null;
      }
      if (openAt != null) {
        throw new LottaException(openAt + ": a step without an action must be its episode's last");
      }
      if (cur.closed) {
        throw new LottaException(at + ": a step after the episode's done=1 step");
      }
      int expected = cur.first + cur.states.size();
      if (step != expected) {
        throw new LottaException(at + ": expected step " + expected + (step > expected
            ? " (steps " + expected + ".." + (step - 1) + " are missing)" : " (a repeated step)"));
      }
      if (expected >= env.maxSteps()) {
        throw new LottaException(at + ": " + env.id() + " episodes last at most " + env.maxSteps()
            + " steps (0.." + (env.maxSteps() - 1) + ")");
      }
      float[] s = new float[env.stateDim()];
      for (int i = 0; i < s.length; i++) {
        s[i] = number(f[2 + i], at, "s" + i);
      }
      cur.states.add(s);
      boolean open = true;
      for (int i = 2 + s.length; i < cols; i++) {
        open &= f[i].isBlank();
      }
      if (prefixes && open) {
        openAt = at;
        continue;
      }
      float[] a = new float[env.actionDim()];
      for (int i = 0; i < a.length; i++) {
        a[i] = number(f[2 + s.length + i], at, "a" + i);
      }
      String bad = env.checkAction(a);
      if (bad != null) {
        throw new LottaException(at + ": " + bad);
      }
      float reward = number(f[cols - 2], at, "reward");
      String done = f[cols - 1].trim();
      if (!done.equals("0") && !done.equals("1")) {
        throw new LottaException(at + ": done is '" + done + "'; use 0 or 1");
      }
      cur.actions.add(a);
      cur.rewards.add(reward);
      cur.closed = done.equals("1");
    }
    if (episodes.isEmpty()) {
      throw new LottaException(where + ": no steps after the header; a dataset needs at least one "
          + "episode");
    }
    return new Parsed(env, episodes, description);
  }

  // one episode's rows as read
  private static final class Rows {
    final int episode;
    final int first;
    final List<float[]> states = new ArrayList<>();
    final List<float[]> actions = new ArrayList<>();
    final List<Float> rewards = new ArrayList<>();
    boolean closed;

    Rows(int episode, int first) {
      this.episode = episode;
      this.first = first;
    }
  }

  private static int integer(String s, String at, String what) {
    try {
      int v = Integer.parseInt(s.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new LottaException(at + ": " + what + " is '" + s + "'; use a whole number >= 0");
    }
  }

  private static float number(String s, String at, String what) {
    float v;
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("nan") || t.matches("[+-]?inf(inity)?")) {
      throw new LottaException(at + ": " + what + " is " + s.trim() + "; every value must be finite");
    }
    try {
      v = Float.parseFloat(s.trim());
    } catch (NumberFormatException e) {
      throw new LottaException(at + ": " + what + " is '" + s + "', not a number");
    }
    if (!Float.isFinite(v)) {
      throw new LottaException(at + ": " + what + " is " + s.trim() + "; every value must be finite");
    }
    return v;
  }

  /** One line for people: episodes, steps, returns. */
  public String describe() {
    return String.format(Locale.ROOT, "%s: %d episodes, %,d steps, return mean %.1f (best %.1f), normalized %.1f",
        env.id(), episodes.size(), steps(), meanReturn(), bestReturn(), env.normalizedScore(meanReturn()));
  }
}
