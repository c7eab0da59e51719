package org.lottalora.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.core.data.DataSplits;
import org.lottalora.core.data.Datasets;

/**
 * Every command of the README's {@code bash} blocks, run in README order, in-process, on small data: Fashion-MNIST
 * becomes the embedded digits, layouts and epochs shrink, files land in a temporary folder. A command the test
 * cannot run here (it needs PyTorch, Spark, a user's own files, or is a shell line) must be listed in
 * {@link #NOT_RUN} with the reason, so a new README command is either run or consciously excused; a command
 * documented to fail is listed in {@link #EXPECTED_EXIT}.
 */
class ReadmeCommandsTest {
  @TempDir
  Path dir;

  /** README lines (their command text, comment removed) not run here, and why. */
  static final Map<String, String> NOT_RUN = Map.ofEntries(
      Map.entry("mvn -B test", "the suite itself"),
      Map.entry("bible \"Gen1:1-Rev22:21\" > kjv.txt", "Debian's bible-kjv; a small text stands in for kjv.txt"),
      Map.entry("export LOTTALORA_TRUSTED_KEYS=~/.config/lottalora/trusted", "a shell setting"),
      Map.entry("./lottalora graph train --model gcn --data csv:mygraph/ ...", "a user's own graph folder"),
      Map.entry("./lottalora sequence train --cell cfc --data csv:series.csv --pad --class-weights balanced -o "
          + "icu.lotta", "a user's own series CSV"),
      Map.entry("./lottalora sequence eval icu.lotta", "follows the user's series model"),
      Map.entry("./lottalora sequence predict icu.lotta --csv new.csv --pad", "follows the user's series model"),
      Map.entry("./lottalora reservoir train --series my.csv --fit rls --horizon 5", "a user's own series CSV"),
      Map.entry("./lottalora snn simulate --spec net.json --examples 10 --learn --plots sim",
          "a user's own network JSON (SnnCliTest simulates one)"),
      Map.entry("/usr/bin/python3 benchmarks/scripts/export_onnx_models.py /tmp/onnx", "needs PyTorch"),
      Map.entry("M=/tmp/onnx/mlp-medium.onnx", "needs PyTorch's ONNX export (AdaptCommandTest adapts graphs)"),
      Map.entry("./lottalora adapt $M --list-targets", "the ONNX file above"),
      Map.entry("./lottalora adapt $M --targets matmul --seed 0 --rank 8 --dataset fashion-mnist --epochs 20 --out "
          + "m.lotta", "the ONNX file above"),
      Map.entry("./lottalora adapt $M --pretrained --targets 'layers.?.weight' --rank 8 --dataset fashion-mnist --out "
          + "ft.lotta", "the ONNX file above"),
      Map.entry("./lottalora eval ft.lotta --dataset fashion-mnist --base $M", "the ONNX file above"),
      Map.entry("./lottalora predict m.lotta rows.csv", "the adapted ONNX model above"),
      Map.entry("./lottalora export m.lotta --format samediff -o merged.sdz", "the adapted ONNX model above"),
      Map.entry("./lottalora export ft.lotta --format samediff --base $M -o ft-merged.sdz", "the ONNX file above"),
      Map.entry("./lottalora inspect m.lotta", "the adapted ONNX model above"),
      Map.entry("mvn -q -Pspark-dist -DskipTests -pl lottalora-spark -am package", "a build of the Spark module"),
      Map.entry("spark-submit --class org.lottalora.cli.LottaLoraCli lottalora-spark/target/lottalora-spark.jar sweep "
          + "--spark cluster --out hdfs:///sweeps/fm --dataset fashion-mnist", "a Spark cluster"));

  /** Lines whose documented outcome is a refusal, with that exit code. */
  static final Map<String, Integer> EXPECTED_EXIT = Map.of(
      "./lottalora eval fm.lotta --require-signed", 2, // "no trusted key is an error (exit 2)"
      // "after an interruption": the run before it finished, so there is no checkpoint to resume
      "./lottalora snn train --dataset fashion-mnist --train-examples 54000 --resume", 2);

  // commands that write a file by default when no -o/--out is given: the option that names it, and its suffix
  static final Map<String, String[]> DEFAULT_OUT = Map.of("train", new String[] {"--out", ".lotta"},
      "graph train", new String[] {"-o", ".lotta"}, "lm train", new String[] {"-o", ".lotta"},
      "reservoir train", new String[] {"-o", ".lotta"}, "sequence train", new String[] {"-o", ".lotta"},
      "snn train", new String[] {"-o", ".lotta"}, "text train", new String[] {"-o", ".lotta"},
      "vit train", new String[] {"-o", ".lotta"}, "reservoir forecast", new String[] {"-o", ".csv"});
  private int outputs;

  // options whose value is a file or folder: put under the temporary folder
  static final Set<String> PATH_OPTIONS = Set.of("-o", "--out", "--plot", "--plots", "--dir", "--key",
      "--public-key", "--report", "--prompt-file", "--data", "--config", "--checkpoint");

  @Test
  void everyReadmeCommandRunsOnSmallData() throws Exception {
    fixtures();
    List<String> lines = commands(Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8));
    int ran = 0;
    List<String> failures = new ArrayList<>();
    for (String line : lines) {
      if (NOT_RUN.containsKey(line) || line.startsWith("lottalora-spark/")) {
        continue; // lottalora-spark/...: the Spark module's commands, run by its own tests
      }
      if (!line.startsWith("./lottalora ")) {
        fail("README command neither run nor listed in NOT_RUN: " + line);
      }
      String[] args = small(tokens(line.substring("./lottalora ".length())));
      if (line.contains("grid.json")) {
        Files.copy(dir.resolve("fm-sweep/sweep.json"), dir.resolve("grid.json"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      CliTest.Run r = CliTest.run(args);
      int want = EXPECTED_EXIT.getOrDefault(line, 0);
      if (r.code() != want) {
        failures.add(line + "\n    ran as " + String.join(" ", args) + "\n    exit " + r.code() + ": "
            + r.err().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(""));
      }
      ran++;
    }
    assertTrue(failures.isEmpty(), failures.size() + " README commands failed:\n" + String.join("\n", failures));
    assertTrue(ran >= 50, "ran " + ran + " README commands");
    for (String l : NOT_RUN.keySet()) {
      assertTrue(lines.contains(l), "NOT_RUN names a line the README no longer has: " + l);
    }
  }

  // the README's bash blocks as single commands: continuation lines joined, comments cut, ';' and '&&' split
  static List<String> commands(String readme) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    StringBuilder pending = new StringBuilder();
    for (String raw : readme.split("\n")) {
      if (raw.startsWith("```")) {
        in = raw.equals("```bash");
        continue;
      }
      if (!in) {
        continue;
      }
      String l = uncomment(raw).strip();
      if (l.endsWith("\\")) {
        pending.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      l = (pending + l).strip().replaceAll(" +", " ");
      pending.setLength(0);
      for (String part : l.split(" ; | && ")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  // a line without its '#' comment (a '#' inside quotes stays)
  static String uncomment(String l) {
    char quote = 0;
    for (int i = 0; i < l.length(); i++) {
      char c = l.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && (i == 0 || l.charAt(i - 1) == ' ')) {
        return l.substring(0, i);
      }
    }
    return l;
  }

  // shell words: quotes removed, optional "[...]" parts dropped
  static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    boolean word = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = true;
      } else if (c == ' ') {
        if (word) {
          out.add(w.toString());
        }
        w.setLength(0);
        word = false;
      } else {
        w.append(c);
        word = true;
      }
    }
    if (word) {
      out.add(w.toString());
    }
    List<String> kept = new ArrayList<>();
    boolean optional = false;
    for (String t : out) {
      if (t.startsWith("[")) {
        optional = true;
      }
      if (!optional) {
        kept.add(t);
      }
      if (t.endsWith("]")) {
        optional = false;
      }
    }
    return kept;
  }

  // small data: digits for Fashion-MNIST, small layouts, one epoch, few examples and steps; files in the temp folder
  String[] small(List<String> t) {
    Map<String, String> value = new LinkedHashMap<>(Map.of("--epochs", "1", "--train-examples", "40", "--trials",
        "2", "--max-tokens", "5", "--rings", "20", "--examples", "2", "--seeds", "0", "--ranks", "1,2",
        "--preset", "tiny"));
    value.put("--episodes", t.get(0).equals("dt") && t.get(1).equals("rollout") ? "2" : "12");
    if (t.get(0).equals("lm") || (t.get(0).equals("sweep") && t.contains("lm"))) {
      value.put("--steps", "3"); // optimizer steps (the reservoir's --steps is the series length)
    }
    List<String> out = new ArrayList<>();
    String verb = t.size() > 1 && !t.get(1).startsWith("-") && !t.get(0).equals("train") ? t.get(0) + " " + t.get(1)
        : t.get(0);
    String[] defaultOut = DEFAULT_OUT.get(verb);
    boolean namesOut = t.contains("-o") || t.contains("--out") || t.contains("--help");
    List<String> extra = new ArrayList<>();
    if (defaultOut != null && !namesOut) {
      extra.addAll(List.of(defaultOut[0], dir.resolve("default-" + outputs++ + defaultOut[1]).toString()));
    }
    if (t.get(0).equals("sweep") && !t.contains("--seeds") && !t.contains("--config") && !t.contains("...")) {
      extra.addAll(List.of("--seeds", "0"));
    }
    if (verb.equals("reservoir search") && !t.contains("--trials")) {
      extra.addAll(List.of("--trials", "2"));
    }
    if (verb.equals("snn train") && !t.contains("--train-examples") && !t.contains("--patterns")) {
      extra.addAll(List.of("--train-examples", "40"));
    }
    if (t.get(0).equals("generate") && !t.contains("--max-tokens")) {
      extra.addAll(List.of("--max-tokens", "5")); // the tiny preset's context is shorter than the default 200
    }
    boolean dt = t.get(0).equals("dt") || t.contains("dt") && t.contains("--family");
    if (dt && (t.get(0).equals("train") || t.get(0).equals("sweep"))) {
      extra.addAll(List.of("--windows", "64", "--eval-episodes", "2")); // the Decision Transformer, cut short
      if (t.get(0).equals("sweep") && !t.contains("--epochs")) {
        extra.addAll(List.of("--epochs", "1"));
      }
    }
    if ((t.get(0).equals("train") || t.get(0).equals("gating")) && !t.contains("--epochs") && !t.contains("--help")) {
      extra.addAll(List.of("--epochs", "1")); // the main job's 20 epochs on digits, cut to one
    }
    boolean snnConvert = t.size() > 1 && t.get(0).equals("snn") && t.get(1).equals("convert");
    for (int i = 0; i < t.size(); i++) {
      String a = t.get(i);
      String prev = i > 0 ? t.get(i - 1) : "";
      if (a.equals("...")) {
        if (t.get(0).equals("sweep") && !t.contains("--out")) {
          out.addAll(List.of("--out", dir.resolve("fm-sweep-" + outputs++).toString(), "--widths", "16", "--epochs",
              "1", "--ranks", "1", "--seeds", "0"));
        } else if (t.get(0).equals("sweep")) {
          out.add(dir.resolve("fm-sweep").toString());
        }
        continue;
      }
      if (a.equals("fashion-mnist")) {
        a = "digits";
      } else if (a.equals("784-512-256-128-64-10")) {
        a = "64-16-10";
      } else if (value.containsKey(prev) && !(snnConvert && prev.equals("--steps"))) {
        a = value.get(prev);
      } else if (snnConvert && prev.equals("--steps")) {
        a = "10,20";
      } else if ((PATH_OPTIONS.contains(prev) && !a.equals("digits") && !a.contains(":"))
          || (!a.startsWith("-") && a.matches("[\\w./-]+\\.(lotta|csv|txt|pem|json|bin|safetensors|sdz)"))
          || (t.get(0).equals("report") && i == 1)) {
        a = dir.resolve(a).toString();
      }
      out.add(a);
    }
    out.addAll(extra);
    return out.toArray(new String[0]);
  }

  private void fixtures() throws Exception {
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults());
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      StringBuilder r = new StringBuilder();
      for (int j = 0; j < d.test().cols(); j++) {
        r.append(j == 0 ? "" : ",").append(d.test().features()[i * d.test().cols() + j]);
      }
      rows.append(r).append('\n');
    }
    Files.writeString(dir.resolve("rows.csv"), rows);
    Files.writeString(dir.resolve("pixels.csv"), rows);
    Files.writeString(dir.resolve("kjv.txt"), "In the beginning God created the heaven and the earth. ".repeat(400));
    Files.write(dir.resolve("prompt.bin"), "And God said".getBytes(StandardCharsets.UTF_8));
    StringBuilder reviews = new StringBuilder("text,label\n");
    for (int i = 0; i < 40; i++) {
      reviews.append(i % 2 == 0 ? "\"a gripping, beautifully shot film " + i + "\",good\n"
          : "a dull and tedious mess " + i + ",bad\n");
    }
    Files.writeString(dir.resolve("reviews.csv"), reviews);
    Files.writeString(dir.resolve("prefix.csv"), "# env=cartpole\nepisode,step,s0,s1,s2,s3,a0,reward,done\n"
        + "0,0,0.01,0,0.02,0.1,1,1,0\n0,1,0.01,0.2,0.02,-0.2,,,\n");
  }
}
