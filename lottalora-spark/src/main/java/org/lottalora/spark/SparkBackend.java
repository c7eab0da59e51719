package org.lottalora.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.lottalora.core.LottaException;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.models.ScoringBackend;
import scala.Tuple2;
import scala.collection.immutable.ArraySeq;

/**
 * The Spark {@link ScoringBackend} behind {@code lottalora predict --spark}: reads a Parquet table or a CSV in the
 * project's layout, scores it with {@link SparkScoring}, writes Parquet to a temporary sibling folder and renames
 * it to OUT only when the job succeeded (so an OUT with a {@code _SUCCESS} marker is always complete), then
 * reports rows, rate and accuracy when the table has a {@code label} column.
 */
public final class SparkBackend implements ScoringBackend {
  /** The label column the backend recognises (integer type) for accuracy. */
  public static final String LABEL = "label";

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public Summary score(Request r) {
    boolean existed = SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined();
    SparkSession spark = SparkSession.builder().master(r.master()).appName("lottalora predict")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      return run(spark, r);
    } catch (ArtifactException | LottaException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown from Scala unannounced
      // a task's failure arrives wrapped in Spark's exceptions, stack traces in the text: one line back
      String m = SparkScoring.message(e);
      throw e instanceof IllegalArgumentException ? new IllegalArgumentException(m, e) : new LottaException(m, e);
    } finally {
      if (!existed) {
        spark.stop(); // ours: a caller's session (a notebook, a test) stays up
      }
    }
  }

  private Summary run(SparkSession spark, Request r) {
    byte[] bytes = ArtifactCodec.readBytes(r.model());
    SparkScoring s = SparkScoring.of(spark, bytes, r.model().toString(), r.trust()).threads(r.threads());
    var conf = spark.sparkContext().hadoopConfiguration();
    Path in = new Path(r.table());
    Path out = new Path(r.out());
    FileSystem fs;
    try {
      fs = out.getFileSystem(conf);
      if (!in.getFileSystem(conf).exists(in)) {
        throw new LottaException("no such table: " + r.table());
      }
      if (fs.exists(out)) {
        throw new LottaException("cannot write " + r.out() + ": it exists; remove it or name another OUT");
      }
    } catch (IOException e) {
      throw new LottaException("cannot reach " + r.out() + ": " + e.getMessage(), e);
    }
    Dataset<Row> table;
    List<String> features;
    String name = r.table().toLowerCase(java.util.Locale.ROOT);
    boolean text = name.endsWith(".csv") || name.endsWith(".csv.gz") || name.endsWith(".txt")
        || name.endsWith(".txt.gz");
    // checked before any job: a CSV has no column names to pick from
    if (r.features() != null && text && !s.isLanguageModel()) {
      throw new IllegalArgumentException("--features names Parquet columns; a CSV's features are its leading "
          + s.inputDim() + " columns");
    }
    if (text && s.isLanguageModel()) {
      table = lines(spark, r.table());
      features = List.of("text");
    } else if (text) {
      table = csv(spark, r.table(), s.inputDim());
      features = List.of("features");
    } else {
      table = spark.read().parquet(r.table());
      String f = r.features() != null ? r.features() : s.isLanguageModel() ? "text" : "features";
      features = Arrays.stream(f.split(",")).map(String::trim).toList();
    }
    LongAccumulator loads = spark.sparkContext().longAccumulator("lottalora model loads");
    Dataset<Row> scored = s.score(table, features, r.topK(), loads);
    Path tmp = new Path(out.getParent() == null ? new Path(".") : out.getParent(),
        out.getName() + ".tmp-" + UUID.randomUUID());
    try {
      if (!fs.mkdirs(tmp)) {
        throw new LottaException("cannot write " + r.out() + ": cannot create " + tmp);
      }
    } catch (IOException e) {
      throw new LottaException("cannot write " + r.out() + ": " + e.getMessage(), e);
    }
    long t0 = System.nanoTime();
    boolean done = false;
    try {
      scored.write().mode(SaveMode.Overwrite).parquet(tmp.toString());
      if (!fs.rename(tmp, out)) {
        throw new LottaException("cannot write " + r.out() + ": renaming " + tmp + " to it failed");
      }
      done = true;
    } catch (IOException e) {
      throw new LottaException("cannot write " + r.out() + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        try {
          fs.delete(tmp, true); // a failed job leaves nothing that looks like output
        } catch (IOException ignored) {
          // best effort: the name says .tmp- and carries no _SUCCESS under OUT
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Dataset<Row> written = spark.read().parquet(r.out());
    boolean labelled = Arrays.asList(written.schema().fieldNames()).contains(LABEL)
        && written.schema().apply(LABEL).dataType() instanceof IntegralType;
    long rows;
    long nLabelled = 0;
    long correct = 0;
    if (labelled) {
      Row a = written.agg(count(lit(1)), count(col(LABEL)),
          sum(when(element_at(col("classes"), 1).equalTo(col(LABEL)), 1).otherwise(0))).first();
      rows = a.getLong(0);
      nLabelled = a.getLong(1);
      correct = a.isNullAt(2) ? 0 : a.getLong(2);
    } else {
      rows = written.count();
    }
    return new Summary(rows, seconds, nLabelled, correct, s.artifactBytes(), s.denseFp32Bytes(), s.family(),
        loads.value());
  }

  /**
   * A CSV in the project's layout (as {@code lottalora predict} and the training readers take it): no header
   * or one non-numeric header line, then per line {@code features} numbers and optionally an integer label.
   * Gives {@code row} (the 0-based sample index, as {@code lottalora predict} numbers samples), {@code features}
   * (array&lt;float&gt;) and {@code label} when present. Lines are parsed on the executors; a bad one fails the job
   * naming the file, line and column.
   */
  static Dataset<Row> csv(SparkSession spark, String path, int features) {
    JavaRDD<String> lines = spark.read().textFile(path).javaRDD();
    List<String> head = lines.take(2);
    if (head.isEmpty()) {
      throw new LottaException(path + " holds no samples");
    }
    boolean header = !numeric(head.get(0));
    if (header && head.size() < 2) {
      throw new LottaException(path + " holds only a header line");
    }
    String first = head.get(header ? 1 : 0);
    int cols = first.split(",", -1).length;
    if (cols != features && cols != features + 1) {
      throw new IllegalArgumentException(path + " line " + (header ? 2 : 1) + " has " + cols + " columns; the "
          + "model takes " + features + " features, optionally followed by a label");
    }
    boolean withLabel = cols == features + 1;
    int skip = header ? 1 : 0;
    JavaRDD<Row> rows = lines.zipWithIndex().filter(t -> t._2() >= skip && !t._1().isBlank())
        .map((Tuple2<String, Long> t) -> parse(path, t._1(), t._2(), skip, features, withLabel));
    List<org.apache.spark.sql.types.StructField> f = new ArrayList<>(List.of(
        DataTypes.createStructField("row", DataTypes.LongType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
    if (withLabel) {
      f.add(DataTypes.createStructField(LABEL, DataTypes.IntegerType, false));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(f));
  }

  private static Row parse(String path, String line, long index, int skip, int features, boolean withLabel) {
    String[] p = line.split(",", -1);
    long lineNo = index + 1;
    if (p.length != features + (withLabel ? 1 : 0)) {
      throw new IllegalArgumentException(SparkScoring.MARK + path + " line " + lineNo + " has " + p.length
          + " columns; the first has " + (features + (withLabel ? 1 : 0)));
    }
    float[] x = new float[features];
    for (int j = 0; j < features; j++) {
      float v;
      try {
        v = Float.parseFloat(p[j].trim());
      } catch (NumberFormatException e) {
        v = Float.NaN;
      }
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(SparkScoring.MARK + path + " line " + lineNo + " column " + (j + 1)
            + ": '" + p[j].trim() + "' is not a finite number");
      }
      x[j] = v;
    }
    if (!withLabel) {
      return RowFactory.create(index - skip, ArraySeq.unsafeWrapArray(x));
    }
    int label;
    try {
      label = Integer.parseInt(p[features].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SparkScoring.MARK + path + " line " + lineNo + " column "
          + (features + 1) + ": label '" + p[features].trim() + "' is not an integer");
    }
    return RowFactory.create(index - skip, ArraySeq.unsafeWrapArray(x), label);
  }

  /** A text file for a byte LM: one row per line, {@code row} (0-based) and {@code text}. */
  static Dataset<Row> lines(SparkSession spark, String path) {
    JavaRDD<Row> rows = spark.read().textFile(path).javaRDD().zipWithIndex()
        .map((Tuple2<String, Long> t) -> RowFactory.create(t._2(), t._1()));
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("row", DataTypes.LongType, false),
        DataTypes.createStructField("text", DataTypes.StringType, false)));
    return spark.createDataFrame(rows, schema);
  }

  private static boolean numeric(String line) {
    for (String t : line.split(",", -1)) {
      try {
        Double.parseDouble(t.trim());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }
}
