package org.lottalora.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.lottalora.core.LottaException;
import org.lottalora.core.data.CsvReader;
import org.lottalora.core.data.Inputs;
import org.lottalora.models.LottaModel;
import org.lottalora.models.MergedModel;
import org.lottalora.models.Predictions;
import org.lottalora.models.ScoringBackend;
import org.lottalora.models.adapt.AdaptedGraph;
import org.lottalora.models.adapt.GraphArtifacts;
import org.lottalora.models.adapt.GraphEval;
import org.lottalora.models.adapt.SourceGraph;
import org.lottalora.models.recurrent.RecurrentModel;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactFile;
import org.nd4j.autodiff.samediff.SameDiff;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lottalora predict}: top-k classes with probabilities for samples from CSV, IDX or stdin, from any
 * dense-family artifact, an adapted SameDiff graph, or a recurrent model trained on images ({@code train --family
 * cfc}, or {@code sequence train} on an image dataset: each row is one image, read row by row).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Load an artifact and print the top-k classes with probabilities for each sample. Input: CSV "
        + "lines of the model's feature count (optionally followed by a label, as in training CSVs; then "
        + "accuracy is reported too), read from a file or from stdin ('-', the default), or an IDX image file "
        + "(--labels adds an IDX label file). Raw features: the model applies its own normalization. An adapted "
        + "SameDiff graph (lottalora adapt) takes rows of its input's size; --base for a pretrained base.")
final class PredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .lotta artifact.")
  Path model;

  @picocli.CommandLine.Mixin
  TrustOptions trust;

  @Parameters(index = "1", arity = "0..1", paramLabel = "INPUT", defaultValue = "-",
      description = "CSV or IDX file, or - for CSV on stdin (default).")
  String input;

  @Option(names = "--labels", paramLabel = "IDX", description = "IDX label file to go with an IDX image INPUT.")
  Path labels;

  @Option(names = {"-k", "--top-k"}, defaultValue = "3", description = "Classes to show per sample (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--merged", description = "Predict through the merged weights (W' = beta W + s B A, fp32).")
  boolean merged;

  @Option(names = "--base", paramLabel = "MODEL", description = "For an adapted SameDiff graph with a pretrained "
      + "base (lottalora adapt --pretrained): the base model (.onnx or SameDiff file) it was trained on.")
  Path base;

  @picocli.CommandLine.Mixin
  ThreadOptions threads;

  @Option(names = "--json", description = "One JSON object per sample (JSON lines), then a summary object; with "
      + "--spark the summary object only.")
  boolean json;

  @Option(names = "--spark", paramLabel = "MASTER", description = "Score a table on Spark (local[2], "
      + "spark://host:7077, yarn, ...): executors receive the artifact's bytes and regenerate the backbone "
      + "themselves. Needs --table and --out; run through lottalora-spark/lottalora-spark or spark-submit.")
  String sparkMaster;

  @Option(names = "--table", paramLabel = "IN", description = "With --spark: a Parquet folder or file (a "
      + "features array column, or --features), or a CSV in the training layout (features, then an optional "
      + "label); a 'label' column is carried through and accuracy reported.")
  String table;

  @Option(names = "--out", paramLabel = "OUT", description = "With --spark: the Parquet folder to write (the "
      + "input's other columns, classes, probabilities); written beside it and renamed when complete.")
  String out;

  @Option(names = "--features", paramLabel = "COL", description = "With --spark and a Parquet table: the "
      + "features column (array<float|double>) or comma-separated numeric columns (default: features); for a "
      + "byte LM the text column (default: text).")
  String features;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A prediction setting of a family that "
      + "predicts through its contract, e.g. --set target=450 for a Decision Transformer (dt), whose INPUT is a "
      + "trajectory-prefix CSV.")
  Map<String, String> set;

  // a family without a command of its own (e.g. dt): it reads INPUT and answers one map per prediction
  private Integer predictByContract(org.lottalora.core.family.Family fam, ArtifactFile f) {
    if (input.equals("-")) {
      throw new IllegalArgumentException("family " + fam.id() + " reads its INPUT from a file: give the file after "
          + "MODEL");
    }
    for (String o : new String[] {"--top-k", "--labels", "--merged", "--base"}) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        throw new IllegalArgumentException("family " + fam.id() + " predicts through its own contract; drop " + o
            + " (its settings go with --set NAME=VALUE)");
      }
    }
    java.util.List<Map<String, Object>> out = fam.predict(f, model.toString(), Path.of(input),
        set == null ? Map.of() : set).orElseThrow(() -> new IllegalArgumentException("family " + fam.id()
            + " has no `predict` of its own: load it with Lotta.load(path) in Java; `lottalora train --family "
            + fam.id() + "` and `lottalora sweep` report its test metrics"));
    PrintWriter o = spec.commandLine().getOut();
    for (Map<String, Object> m : out) {
      if (json) {
        o.println(Json.write(m));
      } else {
        o.println(String.join("  ", m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
      }
    }
    o.flush();
    return 0;
  }

  @Override
  public Integer call() throws IOException {
    if (k < 1) {
      throw new IllegalArgumentException("--top-k must be at least 1, got " + k);
    }
    int nThreads = threads.apply();
    if (sparkMaster != null) {
      return spark(nThreads);
    }
    if (table != null || out != null || features != null) {
      throw new IllegalArgumentException("--table, --out and --features go with --spark MASTER");
    }
    ArtifactFile f = ArtifactCodec.open(model, trust.policy());
    org.lottalora.core.family.Family contract = VerbRouter.contractOnly(f);
    if (contract != null) {
      return predictByContract(contract, f);
    }
    if (set != null && !set.isEmpty()) {
      throw new IllegalArgumentException("--set is for families that predict through their contract (e.g. dt); "
          + model + " takes no settings");
    }
    Inputs in;
    float[][] probs;
    if (f.artifact().getModel().hasSamediff()) {
      // an adapted SameDiff graph: its base model when pretrained, features in its input's example size
      if (merged) {
        throw new IllegalArgumentException("--merged is for the built-in families; for an adapted SameDiff graph "
            + "write the merged graph with `lottalora export --format samediff`");
      }
      SameDiff b = base == null ? null : SourceGraph.load(base).graph();
      AdaptedGraph g = GraphArtifacts.load(f, model.toString(), b);
      in = read(GraphEval.exampleValues(g));
      probs = GraphEval.probabilities(g, in.rows(), GraphArtifacts.normalization(f.artifact(), model.toString()));
    } else {
      if (base != null) {
        throw new IllegalArgumentException("--base goes with an adapted SameDiff graph (lottalora adapt "
            + "--pretrained); " + model + " regenerates its base from the seed");
      }
      if (RecurrentModel.isRecurrent(f.artifact())) {
        // a recurrent model trained on images (train --family cfc): each row is an image read row by row
        if (merged) {
          throw new IllegalArgumentException("--merged is for the SameDiff families; a recurrent model already "
              + "predicts through its effective weights");
        }
        RecurrentModel m = RecurrentModel.load(f, model.toString());
        if (!m.readsImageRows()) {
          throw new IllegalArgumentException(model + " was trained on " + m.data() + " series, not images: use "
              + "`lottalora sequence predict " + model + " --csv FILE`");
        }
        in = read(m.rowWidth());
        float[] flat = new float[in.rows().length * m.rowWidth()];
        for (int i = 0; i < in.rows().length; i++) {
          System.arraycopy(in.rows()[i], 0, flat, i * m.rowWidth(), m.rowWidth());
        }
        probs = in.rows().length == 0 ? new float[0][] : m.probabilitiesOfRows(flat, in.rows().length);
      } else if (merged) { // straight into the merged weights: no graph is built
        MergedModel m = MergedModel.load(f, model.toString());
        in = read(m.inputDim());
        probs = m.predict(in.rows());
      } else {
        VerbRouter.refuseContractOnly(f, "predict");
        LottaModel m = LottaModel.load(f, model.toString());
        in = read(m.spec().inputDim());
        probs = m.predict(in.rows());
      }
    }
    PrintWriter o = spec.commandLine().getOut();
    int correct = 0;
    for (int i = 0; i < probs.length; i++) {
      Predictions.Ranked[] top = Predictions.topK(probs[i], k);
      Integer label = in.labels() == null ? null : in.labels()[i];
      if (label != null && top[0].label() == label) {
        correct++;
      }
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("index", i);
        j.put("class", top[0].label());
        List<Object> t = new ArrayList<>();
        for (Predictions.Ranked r : top) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("class", r.label());
          e.put("probability", r.probability());
          t.add(e);
        }
        j.put("top", t);
        if (label != null) {
          j.put("label", label);
        }
        o.println(Json.write(j));
      } else {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%6d  ", i));
        for (Predictions.Ranked r : top) {
          sb.append(String.format(Locale.ROOT, "%3d %.4f   ", r.label(), r.probability()));
        }
        if (label != null) {
          sb.append(label == top[0].label() ? "label " + label : "label " + label + " (miss)");
        }
        o.println(sb.toString().stripTrailing());
      }
    }
    if (in.labels() != null) {
      double acc = correct / (double) probs.length;
      if (json) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("samples", probs.length);
        e.put("accuracy", acc);
        o.println(Json.write(e));
      } else {
        o.printf(Locale.ROOT, "accuracy %.4f (%d of %d)%n", acc, correct, probs.length);
      }
    }
    o.flush();
    return 0;
  }

  /** Scores a table through the {@link ScoringBackend} on the class path (lottalora-spark), if there is one. */
  private int spark(int nThreads) {
    if (table == null || out == null) {
      throw new IllegalArgumentException("--spark needs --table IN and --out OUT");
    }
    if (!input.equals("-") || labels != null || merged || base != null) {
      throw new IllegalArgumentException("with --spark the rows come from --table (a label column is carried "
          + "through); INPUT, --labels, --merged and --base do not apply (Spark scores through the merged weights)");
    }
    ScoringBackend backend = ServiceLoader.load(ScoringBackend.class).findFirst().orElseThrow(() ->
        new LottaException("--spark needs Spark on the class path: run `lottalora-spark/lottalora-spark predict "
            + "...` or spark-submit --class org.lottalora.cli.LottaLoraCli with the lottalora-spark jar"));
    ScoringBackend.Summary s = backend.score(new ScoringBackend.Request(model, trust.policy(), sparkMaster, table,
        out, k, features, nThreads));
    PrintWriter o = spec.commandLine().getOut();
    double rate = s.rows() / Math.max(s.seconds(), 1e-9);
    Double acc = s.labelled() > 0 ? s.correct() / (double) s.labelled() : null;
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("backend", backend.name());
      j.put("master", sparkMaster);
      j.put("table", table);
      j.put("out", out);
      j.put("family", s.family());
      j.put("top_k", k);
      j.put("rows", s.rows());
      j.put("seconds", s.seconds());
      j.put("rows_per_second", rate);
      j.put("labelled", s.labelled());
      j.put("correct", s.correct());
      j.put("accuracy", acc);
      j.put("artifact_bytes", s.artifactBytes());
      j.put("full_model_fp32_bytes", s.denseFp32Bytes() < 0 ? null : s.denseFp32Bytes());
      j.put("executor_loads", s.loads());
      j.put("threads", nThreads);
      o.println(Json.write(j));
    } else {
      o.printf(Locale.ROOT, "scored %d rows in %.2f s (%.0f rows/s) on %s; wrote %s%n", s.rows(), s.seconds(),
          rate, sparkMaster, out);
      if (acc != null) {
        o.printf(Locale.ROOT, "accuracy %.4f (%d of %d)%n", acc, s.correct(), s.labelled());
      }
      o.printf(Locale.ROOT, "shipped to executors: %s (the artifact)%s; model loads: %d%n",
          Human.bytes(s.artifactBytes()), s.denseFp32Bytes() < 0 ? "" : String.format(Locale.ROOT,
              " vs %s for the dense fp32 model (%.0fx smaller)", Human.bytes(s.denseFp32Bytes()),
              s.denseFp32Bytes() / (double) s.artifactBytes()), s.loads());
    }
    o.flush();
    return 0;
  }

  private Inputs read(int features) throws IOException {
    if (input.equals("-")) {
      return Inputs.csv(System.in, "stdin", features);
    }
    Path p = Path.of(input);
    try (InputStream s = Files.newInputStream(p)) {
      byte[] head = s.readNBytes(4);
      boolean gz = head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
      boolean idx = head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08;
      if (idx || (gz && input.contains("idx"))) {
        return Inputs.idx(p, labels, features);
      }
    } catch (NoSuchFileException e) {
      throw new LottaException("no such input file: " + p);
    }
    if (labels != null) {
      throw new IllegalArgumentException("--labels goes with an IDX image input; " + p + " is CSV");
    }
    boolean gz = input.endsWith(".gz");
    try (InputStream s = Files.newInputStream(p)) {
      InputStream in = s;
      if (gz) {
        in = new java.util.zip.GZIPInputStream(s);
      }
      return Inputs.csv(in, p.toString(), features);
    } catch (java.io.EOFException | java.util.zip.ZipException e) {
      // GZIPInputStream's bare EOF or zip error: a partial download or copy, not an internal error
      if (gz) {
        throw CsvReader.gzipError(p.toString(), e);
      }
      throw e;
    }
  }
}
