package org.lottalora.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lottalora.cli.LottaLoraCli;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.data.Datasets;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.train.Progress;
import org.lottalora.core.train.TrainConfig;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.proto.DType;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.Artifact;
import org.lottalora.models.LottaModel;
import org.lottalora.models.Predictions;
import org.lottalora.models.transformer.ByteLm;
import org.lottalora.models.transformer.LmModel;
import org.lottalora.models.transformer.Targets;

/**
 * Spark scoring on local[2] against the single-JVM model: a tiny MLP trained on the embedded digits, its rows as
 * Parquet (array column and numeric columns) and as CSV, scored through the API and through
 * {@code lottalora predict --spark}; one model load per executor JVM; bad inputs fail in one line and leave no
 * output.
 */
class SparkScoringTest {
  @TempDir
  static Path dir;
  static SparkSession spark;
  static LottaModel model;
  static Path artifact;
  static byte[] bytes;
  static org.lottalora.core.data.Dataset digits;
  static float[][] rows;
  static float[][] expected;
  static Path parquet;
  static Path csv;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkSession.builder().master("local[2]").appName("scoring-test").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4").getOrCreate();
    digits = Datasets.digits();
    model = LottaModel.create(new ModelSpec("mlp", 64, 10, new int[] {32}, 0.0, 3, InitSpec.parse("orthogonal"),
        AdapterConfig.defaults(4), false));
    model.train(Datasets.load("digits", Datasets.Options.defaults()), new TrainConfig(2, 64, 1e-2, 1e-2, 0, true, 0,
        3), Progress.silent());
    artifact = dir.resolve("tiny.lotta");
    model.save(artifact, model.provenance("digits", new TrainConfig(2, 64, 1e-2, 1e-2, 0, true, 0, 3), 0, null, 1),
        LottaModel.SaveOptions.defaults());
    bytes = Files.readAllBytes(artifact);
    // the reference is the model as loaded from its file, as `lottalora predict` runs it
    LottaModel back = LottaModel.load(artifact);
    int n = digits.rows();
    rows = new float[n][64];
    for (int i = 0; i < n; i++) {
      System.arraycopy(digits.features(), i * 64, rows[i], 0, 64);
    }
    expected = back.predict(rows);
    List<Row> data = new ArrayList<>();
    StringBuilder sb = new StringBuilder("f0");
    for (int j = 1; j < 64; j++) {
      sb.append(",f").append(j);
    }
    sb.append(",label\n"); // a header line, as the training CSVs may have
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 64; j++) {
        sb.append(rows[i][j]).append(j < 63 ? "," : "");
      }
      sb.append(',').append(digits.labels()[i]).append('\n');
      data.add(RowFactory.create((long) i, rows[i], digits.labels()[i]));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    parquet = dir.resolve("digits.parquet");
    spark.createDataFrame(data, schema).repartition(4).write().parquet(parquet.toString());
    csv = dir.resolve("digits.csv");
    Files.writeString(csv, sb);
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Every row's top-k equals the single-JVM prediction's, probabilities within 1e-6. */
  static void assertMatches(List<Row> out, String idColumn, int k) {
    assertEquals(rows.length, out.size());
    for (Row r : out) {
      int i = (int) r.getLong(r.fieldIndex(idColumn));
      Predictions.Ranked[] top = Predictions.topK(expected[i], k);
      List<Integer> c = r.getList(r.fieldIndex("classes"));
      List<Float> p = r.getList(r.fieldIndex("probabilities"));
      assertEquals(k, c.size());
      for (int j = 0; j < k; j++) {
        assertEquals(top[j].label(), c.get(j), "row " + i + " rank " + j);
        assertEquals(top[j].probability(), p.get(j), 1e-6, "row " + i + " rank " + j);
      }
    }
  }

  @Test
  void parquetArrayColumnMatchesPredictAndLoadsOncePerExecutor() {
    SparkScoring.clearCache();
    SparkScoring s = SparkScoring.of(spark, bytes, "tiny.lotta", TrustPolicy.NONE);
    assertEquals(64, s.inputDim());
    Dataset<Row> in = spark.read().parquet(parquet.toString());
    LongAccumulator loads = spark.sparkContext().longAccumulator();
    Dataset<Row> out = s.score(in, List.of("features"), 3, loads);
    assertEquals(List.of("id", "label", "classes", "probabilities"), List.of(out.schema().fieldNames()));
    assertMatches(out.collectAsList(), "id", 3);
    // four partitions on two task threads in one executor JVM: one load; a second job reuses it
    assertMatches(s.score(in.repartition(3), List.of("features"), 3, loads).collectAsList(), "id", 3);
    assertEquals(1, SparkScoring.loadsInThisJvm());
    assertEquals(1L, loads.value());
  }

  @Test
  void numericColumnsMatchPredict() {
    Dataset<Row> in = spark.read().parquet(parquet.toString());
    List<Column> cols = new ArrayList<>(List.of(functions.col("id")));
    List<String> names = new ArrayList<>();
    for (int j = 0; j < 64; j++) {
      cols.add(functions.element_at(functions.col("features"), j + 1).cast("double").as("f" + j));
      names.add("f" + j);
    }
    Dataset<Row> wide = in.select(cols.toArray(new Column[0]));
    SparkScoring s = SparkScoring.of(spark, bytes, "tiny.lotta", TrustPolicy.NONE);
    assertMatches(s.score(wide, names, 2).collectAsList(), "id", 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.score(wide, names.subList(0, 10), 2));
    assertTrue(e.getMessage().contains("10 numeric columns") && e.getMessage().contains("input size is 64"),
        e.getMessage());
  }

  static Map<String, Object> cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = LottaLoraCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    Map<String, Object> m = new HashMap<>();
    m.put("code", code);
    m.put("out", out.toString());
    m.put("err", err.toString());
    return m;
  }

  static List<Path> leftovers(String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  @Test
  void cliScoresCsvAndParquetAtomically() throws Exception {
    Path out = dir.resolve("scored-csv");
    Map<String, Object> r = cli("predict", artifact.toString(), "--spark", "local[2]", "--table", csv.toString(),
        "--out", out.toString(), "--top-k", "3", "--json");
    assertEquals(0, r.get("code"), r.get("err").toString());
    String json = r.get("out").toString();
    assertTrue(json.contains("\"rows\":" + rows.length), json);
    int correct = 0;
    for (int i = 0; i < rows.length; i++) {
      correct += Predictions.argMax(expected[i]) == digits.labels()[i] ? 1 : 0;
    }
    assertTrue(json.contains("\"correct\":" + correct), json);
    assertTrue(json.contains("\"artifact_bytes\":" + bytes.length), json);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertEquals(List.of(out), leftovers("scored-csv"));
    List<Row> back = spark.read().parquet(out.toString()).collectAsList();
    assertMatches(back, "row", 3);
    for (Row b : back) {
      assertEquals(digits.labels()[(int) b.getLong(0)], b.getInt(b.fieldIndex("label")));
    }

    Path out2 = dir.resolve("scored-parquet");
    r = cli("predict", artifact.toString(), "--spark", "local[2]", "--table", parquet.toString(), "--out",
        out2.toString(), "-k", "2");
    assertEquals(0, r.get("code"), r.get("err").toString());
    assertTrue(r.get("out").toString().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f",
        correct / (double) rows.length)), r.get("out").toString());
    assertMatches(spark.read().parquet(out2.toString()).collectAsList(), "id", 2);

    // OUT exists: refused before any work, the existing folder untouched
    r = cli("predict", artifact.toString(), "--spark", "local[2]", "--table", parquet.toString(), "--out",
        out2.toString());
    assertEquals(1, r.get("code"));
    assertTrue(r.get("err").toString().contains("it exists"), r.get("err").toString());
    // OUT under a regular file cannot be written
    r = cli("predict", artifact.toString(), "--spark", "local[2]", "--table", parquet.toString(), "--out",
        csv.resolve("out").toString());
    assertEquals(1, r.get("code"));
    assertTrue(r.get("err").toString().contains("cannot write " + csv.resolve("out")), r.get("err").toString());
    assertEquals(1, r.get("err").toString().strip().lines().count(), r.get("err").toString());
  }

  /** A bad input fails the job with one line and leaves neither OUT nor its temporary folder. */
  static String failsCleanly(String table, String outName, String... extra) throws Exception {
    List<String> a = new ArrayList<>(List.of("predict", artifact.toString(), "--spark", "local[2]", "--table", table,
        "--out", dir.resolve(outName).toString()));
    a.addAll(List.of(extra));
    Map<String, Object> r = cli(a.toArray(new String[0]));
    assertNotEquals(0, r.get("code"));
    String err = r.get("err").toString().strip();
    assertEquals(1, err.lines().count(), err);
    assertEquals(List.of(), leftovers(outName));
    return err;
  }

  @Test
  void badInputsFailInOneLine() throws Exception {
    // a features column of the wrong width: the row, the column, the width and the model's input size
    Dataset<Row> in = spark.read().parquet(parquet.toString());
    Path narrow = dir.resolve("narrow.parquet");
    in.withColumn("features", functions.slice(functions.col("features"), 1, 63)).write().parquet(narrow.toString());
    String err = failsCleanly(narrow.toString(), "o-narrow");
    assertTrue(err.contains("features column 'features' has width 63; the model's input size is 64")
        && err.contains("row id="), err);
    // the wrong type
    Path ints = dir.resolve("ints.parquet");
    in.withColumn("features", functions.col("features").cast("array<int>")).write().parquet(ints.toString());
    err = failsCleanly(ints.toString(), "o-ints");
    assertTrue(err.contains("'features' is array<int>"), err);
    // a missing column
    err = failsCleanly(parquet.toString(), "o-missing", "--features", "pixels");
    assertTrue(err.contains("no column 'pixels'"), err);
    // a CSV line that is not numbers
    Path bad = dir.resolve("bad.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    lines.set(5, lines.get(5).replaceFirst("^[^,]*", "abc"));
    Files.write(bad, lines);
    err = failsCleanly(bad.toString(), "o-badcsv");
    assertTrue(err.contains("line 6 column 1: 'abc' is not a finite number"), err);
    // a missing table
    err = failsCleanly(dir.resolve("nope.parquet").toString(), "o-nope");
    assertTrue(err.contains("no such table"), err);
  }

  @Test
  void artifactsThatFailTheirChecksFailTheJob() throws Exception {
    // a damaged file: its digest fails on the driver before any task
    byte[] damaged = bytes.clone();
    damaged[damaged.length / 2] ^= 1;
    Path d = dir.resolve("damaged.lotta");
    Files.write(d, damaged);
    Map<String, Object> r = cli("predict", d.toString(), "--spark", "local[2]", "--table", parquet.toString(),
        "--out", dir.resolve("o-damaged").toString());
    assertEquals(1, r.get("code"));
    assertTrue(r.get("err").toString().contains("damaged.lotta"), r.get("err").toString());
    assertEquals(List.of(), leftovers("o-damaged"));

    // an intact container whose backbone fingerprint lies: only regenerating the backbone (the executor) sees it
    Artifact a = ArtifactCodec.decode(bytes, "tiny");
    var t0 = a.getBackbone().getTensors(0);
    byte[] fp = t0.getFingerprint().toByteArray();
    fp[0] ^= 1;
    Artifact lie = a.toBuilder().setBackbone(a.getBackbone().toBuilder().setTensors(0,
        t0.toBuilder().setFingerprint(ByteString.copyFrom(fp)))).build();
    Path l = dir.resolve("lying.lotta");
    Files.write(l, ArtifactCodec.encode(lie));
    SparkScoring.clearCache();
    r = cli("predict", l.toString(), "--spark", "local[2]", "--table", parquet.toString(), "--out",
        dir.resolve("o-lying2").toString());
    String e = r.get("err").toString().strip();
    assertEquals(1, r.get("code"), e);
    assertEquals(1, e.lines().count(), e);
    assertTrue(e.contains("lying.lotta") && e.contains("FINGERPRINT_MISMATCH") && e.contains("executor"), e);
    assertEquals(List.of(), leftovers("o-lying2"));

    // trust: signed by one key, the driver trusts another: refused, naming the artifact
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    KeyPair signer = g.generateKeyPair();
    KeyPair other = g.generateKeyPair();
    Path signed = dir.resolve("signed.lotta");
    model.save(signed, model.provenance("digits", new TrainConfig(2, 64, 1e-2, 1e-2, 0, true, 0, 3), 0, null, 1),
        new LottaModel.SaveOptions(DType.FLOAT32, signer.getPrivate(), false));
    byte[] sb = Files.readAllBytes(signed);
    ArtifactException x = assertThrows(ArtifactException.class,
        () -> SparkScoring.of(spark, sb, "signed.lotta", TrustPolicy.of(other.getPublic())));
    assertTrue(x.getMessage().contains("signed.lotta"), x.getMessage());
    // the right key: the executors verify under the same policy and score
    SparkScoring ok = SparkScoring.of(spark, sb, "signed.lotta", TrustPolicy.of(signer.getPublic()));
    assertMatches(ok.score(spark.read().parquet(parquet.toString()), List.of("features"), 1).collectAsList(), "id",
        1);
  }

  /** A byte LM scores a text column: the top-k next bytes after each row's text, as LmModel.nextByte gives them. */
  @Test
  void byteLmScoresTextColumn() throws Exception {
    ByteLm.Spec spec = new ByteLm.Spec(8, 2, 1, 12, 16, 11, InitSpec.DEFAULT, new AdapterConfig(2, 2.0, false, true,
        0, false, 3), Targets.LM);
    Path file = dir.resolve("lm.lotta");
    new LmModel(new ByteLm(spec), "", "none", 0.1, 16, Double.NaN).save(file, null, DType.FLOAT32, null);
    LmModel ref = LmModel.load(file);
    List<String> texts = List.of("a", "hello", "the cat s", "0123", "zz top");
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(RowFactory.create((long) i, texts.get(i)));
    }
    Dataset<Row> in = spark.createDataFrame(data, DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("text", DataTypes.StringType, false))));
    SparkScoring s = SparkScoring.of(spark, Files.readAllBytes(file), "lm.lotta", TrustPolicy.NONE);
    assertTrue(s.isLanguageModel());
    List<Row> out = s.score(in, List.of("text"), 5).collectAsList();
    assertEquals(texts.size(), out.size());
    for (Row r : out) {
      String text = r.getString(r.fieldIndex("text"));
      Predictions.Ranked[] top = Predictions.topK(ref.nextByte(text), 5);
      List<Integer> c = r.getList(r.fieldIndex("classes"));
      List<Float> p = r.getList(r.fieldIndex("probabilities"));
      for (int j = 0; j < 5; j++) {
        assertEquals(top[j].label(), c.get(j), text);
        assertEquals(top[j].probability(), p.get(j), 1e-6, text);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.score(in, List.of("id"), 5));
    assertTrue(e.getMessage().contains("byte LM") && e.getMessage().contains("bigint"), e.getMessage());
  }
}
