package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.lottalora.core.engine.Param;

/** The central-difference checks the transformer blocks' tests share. */
public final class Gradients {
  private Gradients() {
  }

  /** Sum of the elementwise product of two flat blocks, in double: a linear loss whose gradient is {@code b}. */
  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < b.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /**
   * Asserts that each parameter's gradient (as it is now) equals {@code (loss(v + eps) - loss(v - eps)) / 2 eps} at
   * the indices {@code at} gives, within {@code abs + rel |fd|}; {@code refresh} runs after every change of a value.
   *
   * @return the number of values checked
   */
  public static int checkParams(List<Param> params, Function<Param, int[]> at, Runnable refresh, DoubleSupplier loss,
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

  /** The same check for a flat input block {@code x} against its gradient {@code dx} at the flat indices {@code at}. */
  public static void checkInput(float[] x, float[] dx, int[] at, DoubleSupplier loss, double eps, double abs, double rel) {
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
