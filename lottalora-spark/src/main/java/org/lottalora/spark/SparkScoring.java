package org.lottalora.spark;

import java.io.Serializable;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import scala.collection.immutable.ArraySeq;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.lottalora.core.model.ModelSpec;
import org.lottalora.core.util.Threads;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactFile;
import org.lottalora.format.TrustPolicy;
import org.lottalora.format.proto.ModelSpec.ConfigCase;
import org.lottalora.models.AnyModel;
import org.lottalora.models.ArtifactMapper;
import org.lottalora.models.LottaModel;
import org.lottalora.models.MergedModel;
import org.lottalora.models.Predictions;
import org.lottalora.models.transformer.LmModel;

/**
 * Batch scoring of a Spark {@code Dataset<Row>} with a .lotta artifact. The driver broadcasts the artifact's
 * bytes once (kilobytes: seed plus adapters); each executor JVM regenerates the backbone from the seed the first
 * time one of its tasks needs the model and keeps it in a static cache keyed by the artifact's SHA-256 and the
 * trust policy, so later tasks and later jobs on that executor reuse it. Executors never read the driver's file
 * system, and each verifies the artifact (digest, signature under the driver's trust policy, backbone
 * fingerprints) when it loads it: an artifact that fails fails the job with one line naming it and the reason.
 *
 * <p>Dense families score through {@link MergedModel} (the merged fp32 weights: lock-free, batched); a
 * LottaModel family without a merged form falls back to {@link LottaModel#predict(float[][])}, serialised per
 * model because its graph is not shared safely. A byte LM ({@value LmModel#FAMILY}) scores a text column: the
 * top-k next bytes after each row's text (classes are byte values 0-255). Other families are refused in one line.
 *
 * <p>Output: every input column except the features (id, label, the text, ...), then {@code classes}
 * (array&lt;int&gt;, most probable first) and {@code probabilities} (array&lt;float&gt;, the same order).
 */
public final class SparkScoring {
  /** Marks this module's messages so that the driver can find them again inside Spark's wrapped failures. */
  static final String MARK = "lottalora-spark: ";
  /** Rows per batched forward pass: big enough to amortise the matrix products, small enough for any heap. */
  public static final int DEFAULT_BATCH = 512;

  private static final ConcurrentHashMap<String, Loaded> CACHE = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private final Shipped shipped;
  private final Broadcast<Shipped> broadcast;
  private final String family;
  private final boolean lm;
  private final int inputDim;
  private final int classes;
  private final long denseFp32Bytes;
  private int threads = 1;
  private int batch = DEFAULT_BATCH;

  /**
   * What travels to the executors: the artifact's bytes, its name for messages, its SHA-256 and the trusted
   * keys as X.509 bytes (a {@link PublicKey} is not reliably serialisable across JVMs; its encoding is).
   */
  static final class Shipped implements Serializable {
    private static final long serialVersionUID = 1L;
    final byte[] bytes;
    final String name;
    final String sha256;
    final List<byte[]> keys;
    final boolean requireSigned;

    Shipped(byte[] bytes, String name, TrustPolicy trust) {
      this.bytes = bytes;
      this.name = name;
      this.sha256 = sha256(bytes);
      this.keys = new ArrayList<>();
      for (PublicKey k : trust.keys()) {
        keys.add(k.getEncoded());
      }
      this.requireSigned = trust.requireSigned();
    }

    TrustPolicy policy() {
      List<PublicKey> ks = new ArrayList<>();
      try {
        KeyFactory f = KeyFactory.getInstance("Ed25519");
        for (byte[] k : keys) {
          ks.add(f.generatePublic(new X509EncodedKeySpec(k)));
        }
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(MARK + "cannot rebuild a trusted key on this executor: " + e.getMessage(), e);
      }
      return new TrustPolicy(ks, requireSigned);
    }

    /** The cache key: the same bytes under another policy are verified again, never served from the cache. */
    String key() {
      StringBuilder sb = new StringBuilder(sha256).append(requireSigned ? "+s" : "");
      for (byte[] k : keys) {
        sb.append('/').append(sha256(k));
      }
      return sb.toString();
    }
  }

  /** A model loaded in one JVM. */
  private record Loaded(LottaModel lotta, MergedModel merged, LmModel lm) {}

  private SparkScoring(SparkSession spark, Shipped shipped, ArtifactFile f) {
    this.shipped = shipped;
    ConfigCase c = f.artifact().hasModel() ? f.artifact().getModel().getConfigCase() : ConfigCase.CONFIG_NOT_SET;
    this.family = f.artifact().hasModel() ? f.artifact().getModel().getFamily() : "?";
    if (c == ConfigCase.LM) {
      lm = true;
      inputDim = -1;
      classes = 256;
    } else if (AnyModel.isLottaModel(f) && c != ConfigCase.SAMEDIFF) {
      ModelSpec s = ArtifactMapper.spec(f.artifact(), shipped.name);
      lm = false;
      inputDim = s.inputDim();
      classes = s.classes();
    } else {
      throw new IllegalArgumentException(MARK + shipped.name + " is a '" + family + "' model: Spark scoring takes "
          + "the dense families (linear, mlp, ...) and " + LmModel.FAMILY + "; score it with its own command");
    }
    long params = f.artifact().getTraining().getMetrics().getModelParams();
    this.denseFp32Bytes = params > 0 ? params * 4 : -1;
    this.broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(shipped);
  }

  /**
   * Prepares scoring with an artifact: checks its container, digest and signer on the driver (so a bad file
   * fails before any task starts) and broadcasts its bytes once.
   *
   * @param artifact the .lotta file's bytes
   * @param name the artifact's name in messages (its path or file name)
   * @param trust the policy the driver and every executor verify the artifact under
   * @throws ArtifactException naming the artifact and the reason
   */
  public static SparkScoring of(SparkSession spark, byte[] artifact, String name, TrustPolicy trust) {
    ArtifactFile f = ArtifactCodec.decodeFile(artifact, name, trust);
    return new SparkScoring(spark, new Shipped(artifact, name, trust), f);
  }

  /** ND4J threads each executor task uses (default 1: tasks already run one per core). */
  public SparkScoring threads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + n);
    }
    this.threads = n;
    return this;
  }

  /** Rows per batched forward pass (default {@value #DEFAULT_BATCH}). */
  public SparkScoring batch(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("batch must be at least 1, got " + n);
    }
    this.batch = n;
    return this;
  }

  /** The model family the artifact records. */
  public String family() {
    return family;
  }

  /** True for a byte LM, which scores a text column. */
  public boolean isLanguageModel() {
    return lm;
  }

  /** Features per row the model takes (-1 for a byte LM). */
  public int inputDim() {
    return inputDim;
  }

  /** The artifact's size in bytes: what each executor receives. */
  public long artifactBytes() {
    return shipped.bytes.length;
  }

  /** The dense model's fp32 size from the artifact's recorded parameter count, or -1 when it records none. */
  public long denseFp32Bytes() {
    return denseFp32Bytes;
  }

  /** The artifact's SHA-256 (hex), the executors' cache key. */
  public String sha256() {
    return shipped.sha256;
  }

  /** {@link #score(Dataset, List, int, LongAccumulator)} without counting loads. */
  public Dataset<Row> score(Dataset<Row> in, List<String> features, int topK) {
    return score(in, features, topK, null);
  }

  /**
   * Scores a table lazily (nothing runs until an action such as a write).
   *
   * @param features for a dense model one array&lt;float|double&gt; column of the model's input width, or exactly
   *     {@link #inputDim()} numeric columns; for a byte LM one string column
   * @param topK classes per row (at most the model's classes)
   * @param loads when not null, incremented by every executor that loads the model during the job
   * @throws IllegalArgumentException naming a missing column, a column of the wrong type, or the wrong count
   */
  public Dataset<Row> score(Dataset<Row> in, List<String> features, int topK, LongAccumulator loads) {
    if (topK < 1) {
      throw new IllegalArgumentException(MARK + "top-k must be at least 1, got " + topK);
    }
    if (features.isEmpty()) {
      throw new IllegalArgumentException(MARK + "no features column given");
    }
    StructType schema = in.schema();
    int[] featureIdx = new int[features.size()];
    for (int i = 0; i < featureIdx.length; i++) {
      String c = features.get(i);
      if (!Arrays.asList(schema.fieldNames()).contains(c)) {
        throw new IllegalArgumentException(MARK + "the table has no column '" + c + "' (columns: "
            + String.join(", ", schema.fieldNames()) + ")");
      }
      featureIdx[i] = schema.fieldIndex(c);
    }
    int mode; // 0: one array column, 1: numeric columns, 2: text
    if (lm) {
      DataType t = schema.fields()[featureIdx[0]].dataType();
      if (features.size() != 1 || !(t instanceof StringType)) {
        throw new IllegalArgumentException(MARK + shipped.name + " is a byte LM: it scores one text column, but '"
            + String.join(",", features) + "' is " + (features.size() != 1 ? features.size() + " columns"
                : t.simpleString()));
      }
      mode = 2;
    } else if (features.size() == 1 && schema.fields()[featureIdx[0]].dataType() instanceof ArrayType a) {
      DataType e = a.elementType();
      if (!e.equals(DataTypes.FloatType) && !e.equals(DataTypes.DoubleType)) {
        throw new IllegalArgumentException(MARK + "features column '" + features.get(0) + "' is "
            + a.simpleString() + "; the model takes array<float> or array<double> of " + inputDim + " values");
      }
      mode = 0;
    } else {
      for (int i = 0; i < featureIdx.length; i++) {
        DataType t = schema.fields()[featureIdx[i]].dataType();
        if (!(t instanceof NumericType)) {
          throw new IllegalArgumentException(MARK + "features column '" + features.get(i) + "' is "
              + t.simpleString() + "; the model takes one array<float|double> column of " + inputDim
              + " values or " + inputDim + " numeric columns");
        }
      }
      if (featureIdx.length != inputDim) {
        throw new IllegalArgumentException(MARK + "the features are " + featureIdx.length + " numeric column"
            + (featureIdx.length == 1 ? "" : "s") + " ('" + features.get(0) + "'" + (featureIdx.length > 1 ? "..." : "")
            + "); the model's input size is " + inputDim);
      }
      mode = 1;
    }
    // the output keeps every column but the numeric features; a byte LM keeps its text (short, and the key)
    List<StructField> out = new ArrayList<>();
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      final int fi = i;
      boolean isFeature = Arrays.stream(featureIdx).anyMatch(x -> x == fi);
      if (!isFeature || mode == 2) {
        out.add(schema.fields()[i]);
        keep.add(i);
      }
    }
    for (String reserved : List.of("classes", "probabilities")) {
      if (out.stream().anyMatch(f -> f.name().equals(reserved))) {
        throw new IllegalArgumentException(MARK + "the table already has a column '" + reserved
            + "': rename it, the output adds one");
      }
    }
    out.add(DataTypes.createStructField("classes", DataTypes.createArrayType(DataTypes.IntegerType, false), false));
    out.add(DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false),
        false));
    StructType outSchema = DataTypes.createStructType(out);
    int idCol = -1;
    for (String id : List.of("id", "row")) {
      if (Arrays.asList(schema.fieldNames()).contains(id)) {
        idCol = schema.fieldIndex(id);
        break;
      }
    }
    PartitionScorer f = new PartitionScorer(broadcast, mode, featureIdx, features.get(0),
        keep.stream().mapToInt(Integer::intValue).toArray(), idCol, inputDim, Math.min(topK, classes), batch, threads,
        loads, schema);
    JavaRDD<Row> scored = in.queryExecution().toRdd().toJavaRDD().mapPartitions(f);
    return in.sparkSession().createDataFrame(scored, outSchema);
  }

  /** Model loads in this JVM since it started (or since {@link #clearCache()}): one per distinct artifact. */
  public static int loadsInThisJvm() {
    return LOADS.get();
  }

  /** Empties this JVM's model cache and its load counter (tests; a long-lived driver reclaiming memory). */
  public static void clearCache() {
    CACHE.clear();
    LOADS.set(0);
  }

  /** The cached model, loading (and verifying) it on the first call in this JVM. */
  static Loaded model(Shipped s, LongAccumulator loads) {
    return CACHE.computeIfAbsent(s.key(), k -> {
      LOADS.incrementAndGet();
      if (loads != null) {
        loads.add(1);
      }
      ArtifactFile f;
      Object m;
      try {
        f = ArtifactCodec.decodeFile(s.bytes, s.name, s.policy());
        m = AnyModel.load(f, s.name);
      } catch (ArtifactException e) {
        throw new IllegalStateException(MARK + "artifact " + s.name + " failed its check on this executor ("
            + e.reason() + "): " + e.getMessage(), e);
      }
      if (m instanceof LmModel l) {
        return new Loaded(null, null, l);
      }
      LottaModel lm = (LottaModel) m;
      MergedModel merged;
      try {
        merged = lm.merged();
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        merged = null; // no dense plan: the graph path below, one batch at a time
      }
      return new Loaded(lm, merged, null);
    });
  }

  /**
   * The per-partition function: batches rows, scores them with the cached model, emits output rows. It reads
   * Spark's internal rows, not {@link Row}s: a Row hands an array column over as boxed Floats (784 objects per
   * image), which cost more than the forward pass itself; {@code ArrayData} gives the floats as they are.
   */
  static final class PartitionScorer implements FlatMapFunction<Iterator<InternalRow>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Shipped> artifact;
    private final int mode;
    private final int[] featureIdx;
    private final String featureName;
    private final int[] keep;
    private final int idCol;
    private final int inputDim;
    private final int topK;
    private final int batch;
    private final int threads;
    private final LongAccumulator loads;
    private final StructType schema;

    PartitionScorer(Broadcast<Shipped> artifact, int mode, int[] featureIdx, String featureName, int[] keep,
        int idCol, int inputDim, int topK, int batch, int threads, LongAccumulator loads, StructType schema) {
      this.artifact = artifact;
      this.mode = mode;
      this.featureIdx = featureIdx;
      this.featureName = featureName;
      this.keep = keep;
      this.idCol = idCol;
      this.inputDim = inputDim;
      this.topK = topK;
      this.batch = batch;
      this.threads = threads;
      this.loads = loads;
      this.schema = schema;
    }

    @Override
    public Iterator<Row> call(Iterator<InternalRow> rows) {
      if (Threads.applied() != threads) {
        Threads.apply(threads);
      }
      Shipped s = artifact.value();
      Loaded m = model(s, loads);
      int partition = TaskContext.get() == null ? 0 : TaskContext.getPartitionId();
      StructField[] fields = schema.fields();
      // internal values (UTF8String, ArrayData, ...) back to the external ones the output Row carries
      List<scala.Function1<Object, Object>> toScala = new ArrayList<>();
      for (int k : keep) {
        toScala.add(CatalystTypeConverters.createToScalaConverter(fields[k].dataType()));
      }
      return new Iterator<>() {
        private final List<Row> pending = new ArrayList<>();
        private int next;
        private long seen;

        @Override
        public boolean hasNext() {
          if (next < pending.size()) {
            return true;
          }
          pending.clear();
          next = 0;
          if (rows.hasNext()) {
            fill();
          }
          return next < pending.size();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return pending.get(next++);
        }

        private void fill() {
          // values are copied out of each row at once: Spark reuses the InternalRow object between rows
          List<Object[]> kept = new ArrayList<>(batch);
          List<float[]> xs = new ArrayList<>(batch);
          List<String> texts = new ArrayList<>();
          List<String> names = new ArrayList<>();
          while (kept.size() < batch && rows.hasNext()) {
            InternalRow r = rows.next();
            long index = seen + kept.size();
            Object[] o = new Object[keep.length + 2];
            for (int j = 0; j < keep.length; j++) {
              o[j] = r.isNullAt(keep[j]) ? null : toScala.get(j).apply(r.get(keep[j], fields[keep[j]].dataType()));
            }
            kept.add(o);
            if (mode == 2) {
              if (r.isNullAt(featureIdx[0])) {
                throw new IllegalArgumentException(MARK + where(r, index) + ": text column '" + featureName
                    + "' is null");
              }
              texts.add(r.getUTF8String(featureIdx[0]).toString());
              names.add(where(r, index));
            } else {
              xs.add(features(r, index));
            }
          }
          float[][] p = new float[kept.size()][];
          if (mode == 2) {
            for (int i = 0; i < p.length; i++) {
              try {
                synchronized (m.lm()) { // one forward pass at a time: the LM's buffers are not shared safely
                  p[i] = m.lm().nextByte(texts.get(i));
                }
              } catch (RuntimeException e) { // an empty text, one longer than the context: name the row
                throw new IllegalArgumentException(MARK + names.get(i) + ": text column '" + featureName
                    + "': " + e.getMessage(), e);
              }
            }
          } else {
            float[][] x = xs.toArray(new float[0][]);
            if (m.merged() != null) {
              p = m.merged().predict(x);
            } else {
              synchronized (m.lotta()) {
                p = m.lotta().predict(x);
              }
            }
          }
          for (int i = 0; i < p.length; i++) {
            Object[] o = kept.get(i);
            Predictions.Ranked[] top = Predictions.topK(p[i], topK);
            int[] c = new int[top.length];
            float[] q = new float[top.length];
            for (int j = 0; j < top.length; j++) {
              c[j] = top[j].label();
              q[j] = top[j].probability();
            }
            // Spark's Row encoder takes Scala sequences for arrays; these wrap without copying
            o[keep.length] = ArraySeq.unsafeWrapArray(c);
            o[keep.length + 1] = ArraySeq.unsafeWrapArray(q);
            pending.add(RowFactory.create(o));
          }
          seen += p.length;
        }

        private float[] features(InternalRow r, long index) {
          float[] x = new float[inputDim];
          if (mode == 0) {
            if (r.isNullAt(featureIdx[0])) {
              throw new IllegalArgumentException(MARK + where(r, index) + ": features column '" + featureName
                  + "' is null");
            }
            ArrayData v = r.getArray(featureIdx[0]);
            if (v.numElements() != inputDim) {
              throw new IllegalArgumentException(MARK + where(r, index) + ": features column '" + featureName
                  + "' has width " + v.numElements() + "; the model's input size is " + inputDim);
            }
            boolean dbl = ((ArrayType) fields[featureIdx[0]].dataType()).elementType().equals(DataTypes.DoubleType);
            for (int j = 0; j < inputDim; j++) {
              if (v.isNullAt(j)) {
                throw new IllegalArgumentException(MARK + where(r, index) + ": features column '" + featureName
                    + "' has a null at position " + j);
              }
              x[j] = dbl ? (float) v.getDouble(j) : v.getFloat(j);
            }
          } else {
            for (int j = 0; j < inputDim; j++) {
              if (r.isNullAt(featureIdx[j])) {
                throw new IllegalArgumentException(MARK + where(r, index) + ": column '"
                    + fields[featureIdx[j]].name() + "' is null");
              }
              Object e = r.get(featureIdx[j], fields[featureIdx[j]].dataType());
              x[j] = e instanceof Decimal d ? (float) d.toDouble() : ((Number) e).floatValue();
            }
          }
          return x;
        }

        /** A row's name in messages: its id column when the table has one, else partition and position. */
        private String where(InternalRow r, long index) {
          if (idCol >= 0 && !r.isNullAt(idCol)) {
            DataType t = fields[idCol].dataType();
            return "row " + fields[idCol].name() + "=" + CatalystTypeConverters.createToScalaConverter(t)
                .apply(r.get(idCol, t));
          }
          return "row " + index + " of partition " + partition;
        }
      };
    }
  }

  /**
   * The one-line message of a failure from a Spark job: this module's own message when a task threw one
   * (found through the cause chain or inside Spark's wrapped text), else the first line of the outermost.
   */
  public static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.startsWith(MARK)) {
        return m.substring(MARK.length());
      }
      if (t instanceof ArtifactException) {
        return m;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      int at = m == null ? -1 : m.indexOf(MARK);
      if (at >= 0) {
        String rest = m.substring(at + MARK.length());
        int nl = rest.indexOf('\n');
        return nl < 0 ? rest : rest.substring(0, nl);
      }
    }
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
