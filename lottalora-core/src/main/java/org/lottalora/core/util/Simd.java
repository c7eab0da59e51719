package org.lottalora.core.util;

/**
 * Whether this JVM can run the project's SIMD kernels: Java 17's Vector API is an incubator module, present only when
 * the JVM is started with {@code --add-modules jdk.incubator.vector} (the test JVMs and the benchmark scripts add
 * it; {@code ./lottalora} does not, because the JVM then prints a warning on every run). {@code
 * -Dlottalora.scalar=true} turns the kernels off. Every SIMD kernel computes the same bits as its scalar twin, so
 * this decides only the speed.
 */
public final class Simd {
  private static final boolean AVAILABLE = !Boolean.getBoolean("lottalora.scalar")
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private Simd() {}

  /** True where the Vector API module is present and the scalar path was not asked for. */
  public static boolean available() {
    return AVAILABLE;
  }
}
