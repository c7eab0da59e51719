package org.lottalora.spark;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lottalora.core.data.IdxReader;

/**
 * Turns IDX image/label pairs (MNIST layout, gzip or not) into the tables the scoring benchmark reads: one Parquet
 * table ({@code id} long, {@code features} array&lt;float&gt; of the raw 0-255 pixels, {@code label} int) and the same
 * rows as one uncompressed IDX pair for {@code lottalora predict IMAGES --labels LABELS}, so both paths score
 * identical rows.
 *
 * <p>Usage: {@code IdxTable OUT_PARQUET OUT_PREFIX PARTITIONS images1 labels1 [images2 labels2 ...]}; writes
 * {@code OUT_PREFIX-images.idx} and {@code OUT_PREFIX-labels.idx}.
 */
public final class IdxTable {
  private IdxTable() {
  }

  /** Entry point (see the class comment for the arguments). */
  public static void main(String[] args) throws IOException {
    if (args.length < 5 || (args.length - 3) % 2 != 0) {
      System.err.println("usage: IdxTable OUT_PARQUET OUT_PREFIX PARTITIONS images1 labels1 [images2 labels2 ...]");
      System.exit(2);
    }
    List<byte[]> images = new ArrayList<>();
    List<Byte> labels = new ArrayList<>();
    int[] dims = null;
    for (int i = 3; i < args.length; i += 2) {
      IdxReader.Idx im = IdxReader.read(Path.of(args[i]));
      IdxReader.Idx lb = IdxReader.read(Path.of(args[i + 1]));
      int n = im.dims()[0];
      int size = im.itemSize();
      dims = im.dims();
      for (int r = 0; r < n; r++) {
        byte[] x = new byte[size];
        System.arraycopy(im.data(), r * size, x, 0, size);
        images.add(x);
        labels.add(lb.data()[r]);
      }
    }
    int size = images.get(0).length;
    List<Row> rows = new ArrayList<>(images.size());
    for (int r = 0; r < images.size(); r++) {
      float[] f = new float[size];
      for (int j = 0; j < size; j++) {
        f[j] = images.get(r)[j] & 0xff;
      }
      rows.add(RowFactory.create((long) r, f, labels.get(r) & 0xff));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    SparkSession spark = SparkSession.builder().master("local[2]").appName("idx-table")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      spark.createDataFrame(rows, schema).repartition(Integer.parseInt(args[2])).write().parquet(args[0]);
    } finally {
      spark.stop();
    }
    try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(
        Files.newOutputStream(Path.of(args[1] + "-images.idx"))))) {
      o.writeInt(0x00000800 | dims.length);
      o.writeInt(images.size());
      for (int d = 1; d < dims.length; d++) {
        o.writeInt(dims[d]);
      }
      for (byte[] x : images) {
        o.write(x);
      }
    }
    try (OutputStream s = Files.newOutputStream(Path.of(args[1] + "-labels.idx"));
        DataOutputStream o = new DataOutputStream(s)) {
      o.writeInt(0x00000801);
      o.writeInt(labels.size());
      for (byte b : labels) {
        o.write(b);
      }
    }
    System.out.println("wrote " + images.size() + " rows to " + args[0] + " and " + args[1] + "-{images,labels}.idx");
  }
}
