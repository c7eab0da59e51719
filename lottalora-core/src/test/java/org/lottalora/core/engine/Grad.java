package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/** The central-difference checks and deterministic data the engine ops' tests share (flat row-major blocks). */
final class Grad {
  private Grad() {
  }

  /** A deterministic [rows, cols] block of values {@code scale sin(...)} in row-major order. */
  static float[] matrix(int rows, int cols, int salt, double scale) {
    float[] m = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i * cols + j] = (float) (scale * Math.sin(salt * 1.7 + i * 0.9 + j * 0.37));
      }
    }
    return m;
  }

  /** Sum of the elementwise product (in double): a linear loss whose gradient is {@code b}. */
  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < b.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** Sets every {@code lora_B} to non-zero values (so A has a gradient) and every beta to 0.9. */
  static void perturb(List<Param> params) {
    for (Param p : params) {
      if (p.name.endsWith("lora_B")) {
        for (int i = 0; i < p.v.length; i++) {
          p.v[i] = 0.3f * (float) Math.cos(i + p.name.length());
        }
      }
      if (p.name.endsWith("beta")) {
        p.v[0] = 0.9f;
      }
    }
  }

  /** Zeroes every gradient, as the trainers do before each batch. */
  static void zero(List<Param> params) {
    for (Param p : params) {
      java.util.Arrays.fill(p.g, 0f);
    }
  }

  /**
   * Asserts that each parameter's gradient (as it is now) equals {@code (loss(v + eps) - loss(v - eps)) / 2 eps} at
   * the indices {@code at} gives, within {@code abs + rel |fd|}; {@code refresh} runs after every change of a value.
   *
   * @return the number of values checked
   */
  static int checkParams(List<Param> params, Function<Param, int[]> at, Runnable refresh, DoubleSupplier loss,
      double eps, double abs, double rel) {
    int checked = 0;
    for (Param p : params) {
      float[] g = p.g.clone();
      for (int k : at.apply(p)) {
        float orig = p.v[k];
        p.v[k] = (float) (orig + eps);
        refresh.run();
        double up = loss.getAsDouble();
        p.v[k] = (float) (orig - eps);
        refresh.run();
        double down = loss.getAsDouble();
        p.v[k] = orig;
        refresh.run();
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, g[k], abs + rel * Math.abs(fd), p.name + "[" + k + "]");
        checked++;
      }
    }
    return checked;
  }

  /** Every index of a parameter. */
  static int[] all(Param p) {
    int[] a = new int[p.v.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
  }

  /** The same check for the input {@code x} against its gradient {@code dx} at the flat indices {@code at}. */
  static void checkInput(float[] x, float[] dx, int[] at, DoubleSupplier loss, double eps, double abs, double rel) {
    for (int a : at) {
      float orig = x[a];
      x[a] = (float) (orig + eps);
      double up = loss.getAsDouble();
      x[a] = (float) (orig - eps);
      double down = loss.getAsDouble();
      x[a] = orig;
      double fd = (up - down) / (2 * eps);
      assertEquals(fd, dx[a], abs + rel * Math.abs(fd), "d x[" + a + "]");
    }
  }
}
