package org.lottalora.bench;

import java.util.concurrent.TimeUnit;
import org.lottalora.core.backbone.InitSpec;
import org.lottalora.core.backbone.Initializer;
import org.lottalora.core.backbone.Philox4x64;
import org.lottalora.core.backbone.TensorSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread cost of the generator's pieces: one Philox block, and one 16,384-value slice (the unit of
 * parallel work) of several init families.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BackboneBench -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BackboneBench {
  @Param({"normal", "uniform", "student_t", "quantized8"})
  public String init;

  private TensorSpec tensor;
  private final float[] out = new float[1 << 14];
  private final long[] block = new long[4];
  private long counter;

  @org.openjdk.jmh.annotations.Setup
  public void setup() {
    tensor = TensorSpec.of("layers.0.weight", new int[] {4096, 1024}, InitSpec.parse(init));
  }

  @Benchmark
  public long philoxBlock() {
    Philox4x64.block(counter++, 0, 0, 0, 42, 7, block, 0);
    return block[0];
  }

  @Benchmark
  public float slice16k() {
    Initializer.fillSlice(42, tensor, (counter++ & 255) << 14, out, out.length);
    return out[out.length - 1];
  }
}
